// A client for the OCI distribution (Docker registry v2) API: endpoint discovery (HTTPS, with a
// plain-HTTP fallback for insecure registries such as loopback), basic and bearer-token auth,
// manifests, blobs (HEAD/GET, cross-repo mount, streamed and monolithic uploads) and tag lists.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { EngineError, internal, invalid } from '../../errdefs.js';
import { basicAuth, parseChallenges, type AuthConfig, type Challenge } from './auth.js';

export interface RegistryOptions {
  /** Allow plain HTTP and unverified TLS (loopback and --insecure-registry hosts). */
  insecure: boolean;
  auth?: AuthConfig;
  userAgent?: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  /** Token scope, e.g. `repository:me/bb:pull,push`. */
  scope?: string;
  /** Statuses returned to the caller instead of thrown. */
  ok?: number[];
}

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16 });
const httpsInsecure = new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false });

/** Docker's loopback/insecure rule: 127.0.0.0/8, ::1 and localhost are insecure by default. */
export function isInsecureHost(host: string, extra: string[] = []): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || /^127\./.test(h)) return true;
  for (const e of extra) {
    if (e === host || e === h) return true;
    const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(e);
    if (cidr && /^\d+\.\d+\.\d+\.\d+$/.test(h)) {
      const toN = (ip: string) => ip.split('.').reduce((a, b) => (a << 8) + Number(b), 0) >>> 0;
      const bits = Number(cidr[2]);
      const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
      if ((toN(h) & mask) === (toN(cidr[1]) & mask)) return true;
    }
  }
  return false;
}

/** Go's net/url error text for a failed request: `Get "http://h/v2/": dial tcp h: connect: connection refused`. */
function netError(method: string, url: string, e: NodeJS.ErrnoException): EngineError {
  const m = method[0] + method.slice(1).toLowerCase();
  const host = new URL(url).host;
  const why =
    e.code === 'ECONNREFUSED'
      ? `dial tcp ${host}: connect: connection refused`
      : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
        ? `dial tcp: lookup ${host.replace(/:\d+$/, '')}: no such host`
        : e.code === 'ETIMEDOUT'
          ? `dial tcp ${host}: i/o timeout`
          : e.message;
  return internal(`${m} "${url}": ${why}`, e);
}

export function send(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: Buffer | Readable,
  insecure = false,
): Promise<IncomingMessage> {
  const u = new URL(url);
  const isHttps = u.protocol === 'https:';
  const h: Record<string, string> = { ...headers };
  if (Buffer.isBuffer(body)) h['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = (isHttps ? https : http).request(
      u,
      { method, headers: h, agent: isHttps ? (insecure ? httpsInsecure : httpsAgent) : httpAgent },
      resolve,
    );
    req.on('error', (e) => reject(netError(method, url, e)));
    if (!body) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      body.on('error', (e) => req.destroy(e));
      body.pipe(req);
    }
  });
}

export async function readBody(res: IncomingMessage, limit = 16 << 20): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of res) {
    n += (c as Buffer).length;
    if (n > limit) {
      res.destroy();
      throw invalid(`response from registry exceeds ${limit} bytes`);
    }
    parts.push(c as Buffer);
  }
  return Buffer.concat(parts);
}

interface RegistryErrorBody {
  errors?: { code?: string; message?: string; detail?: unknown }[];
}

/** Registry error text like distribution's errcode: `manifest unknown: manifest unknown`. */
export async function registryError(res: IncomingMessage): Promise<string> {
  const body = await readBody(res, 1 << 20).catch(() => Buffer.alloc(0));
  try {
    const e = JSON.parse(body.toString('utf8')) as RegistryErrorBody;
    if (e.errors?.length)
      return e.errors
        .map((x) => `${(x.code ?? 'unknown').toLowerCase().replace(/_/g, ' ')}: ${x.message ?? ''}`)
        .join(', ');
  } catch {
    /* not JSON */
  }
  return `unexpected status ${res.statusCode} ${res.statusMessage ?? ''}`.trim();
}

export class RegistryClient {
  private base: Promise<string> | null = null;
  private challenge: Challenge | null = null;
  private tokens = new Map<string, string>();
  readonly endpointHost: string;

  constructor(
    readonly host: string,
    private readonly o: RegistryOptions,
  ) {
    this.endpointHost = host === 'docker.io' || host === 'index.docker.io' ? 'registry-1.docker.io' : host;
  }

  /** GET /v2/ over HTTPS, then plain HTTP when the registry is insecure. Remembers the auth challenge. */
  endpoint(): Promise<string> {
    this.base ??= this.discover().catch((e) => {
      this.base = null;
      throw e;
    });
    return this.base;
  }

  private async discover(): Promise<string> {
    const schemes = this.o.insecure ? ['https', 'http'] : ['https'];
    let last: unknown;
    for (const s of schemes) {
      const base = `${s}://${this.endpointHost}`;
      try {
        const res = await send('GET', `${base}/v2/`, this.headers(), undefined, this.o.insecure);
        res.resume();
        if (res.statusCode === 401) this.challenge = parseChallenges(res.headers['www-authenticate'])[0] ?? null;
        return base;
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'user-agent': this.o.userAgent ?? 'berth/0.1 (linux)',
      'docker-distribution-api-version': 'registry/2.0',
      ...extra,
    };
  }

  /** Check credentials like `docker login`: the registry must accept them for its /v2/ endpoint. */
  async login(): Promise<void> {
    const base = await this.endpoint();
    if (!this.challenge) return;
    const auth = await this.authorization('');
    const res = await send(
      'GET',
      `${base}/v2/`,
      this.headers(auth ? { authorization: auth } : {}),
      undefined,
      this.o.insecure,
    );
    res.resume();
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new EngineError(
        'unauthorized',
        `login attempt to ${base}/v2/ failed with status: ${res.statusCode} ${http.STATUS_CODES[res.statusCode]}`,
      );
    }
  }

  private async authorization(scope: string, refresh = false): Promise<string | undefined> {
    const c = this.challenge;
    if (!c) return undefined;
    if (c.scheme === 'basic') return basicAuth(this.o.auth ?? {});
    if (c.scheme !== 'bearer' || !c.params.realm) return undefined;
    if (this.o.auth?.registrytoken) return `Bearer ${this.o.auth.registrytoken}`;
    const cached = this.tokens.get(scope);
    if (cached && !refresh) return `Bearer ${cached}`;
    const token = await this.fetchToken(c, scope);
    this.tokens.set(scope, token);
    return `Bearer ${token}`;
  }

  private async fetchToken(c: Challenge, scope: string): Promise<string> {
    const a = this.o.auth ?? {};
    const realm = new URL(c.params.realm);
    let res: IncomingMessage;
    if (a.identitytoken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: a.identitytoken,
        client_id: 'docker',
        service: c.params.service ?? '',
      });
      if (scope) form.set('scope', scope);
      res = await send(
        'POST',
        realm.href,
        this.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
        Buffer.from(form.toString()),
        this.o.insecure,
      );
    } else {
      if (c.params.service) realm.searchParams.set('service', c.params.service);
      if (scope) realm.searchParams.set('scope', scope);
      if (a.username) realm.searchParams.set('account', a.username);
      const b = basicAuth(a);
      res = await send('GET', realm.href, this.headers(b ? { authorization: b } : {}), undefined, this.o.insecure);
    }
    if (res.statusCode !== 200) {
      const why = await registryError(res);
      throw new EngineError(
        res.statusCode === 401 ? 'unauthorized' : 'internal',
        `Get "${realm.origin}${realm.pathname}": ${why}`,
      );
    }
    const body = JSON.parse((await readBody(res)).toString('utf8')) as { token?: string; access_token?: string };
    const t = body.token ?? body.access_token;
    if (!t) throw internal('authorization server did not include a token in the response');
    return t;
  }

  /** An authenticated request to `/v2/<path>`; a 401 refreshes the token once. Absolute URLs (upload locations) pass through. */
  async request(method: string, path: string, ro: RequestOptions = {}): Promise<IncomingMessage> {
    const base = await this.endpoint();
    const url = /^https?:\/\//.test(path) ? path : `${base}/v2/${path}`;
    const scope = ro.scope ?? '';
    for (let attempt = 0; ; attempt++) {
      const auth = await this.authorization(scope, attempt > 0);
      const res = await send(
        method,
        url,
        this.headers({ ...(auth ? { authorization: auth } : {}), ...ro.headers }),
        ro.body,
        this.o.insecure,
      );
      if (
        res.statusCode === 401 &&
        attempt === 0 &&
        this.challenge?.scheme === 'bearer' &&
        !(ro.body instanceof Readable)
      ) {
        res.resume();
        continue;
      }
      if (res.statusCode === 401 && !this.challenge) {
        // the registry did not ask at /v2/ but does here: learn the challenge and retry once
        const ch = parseChallenges(res.headers['www-authenticate'])[0];
        if (ch && attempt === 0 && !(ro.body instanceof Readable)) {
          this.challenge = ch;
          res.resume();
          continue;
        }
      }
      return res;
    }
  }
}

export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;
