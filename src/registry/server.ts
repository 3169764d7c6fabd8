// The OCI Distribution v1.1 HTTP API over RegistryStorage: one request handler, a flat route
// table, errors as {"errors":[…]} with the spec's codes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Access, Authorizer } from './auth.js';
import { regErr, RegistryError } from './errors.js';
import { MT } from './manifest.js';
import { checkDigest, checkName, isTag } from './names.js';
import type { RegistryStorage } from './storage.js';
import { sha256Digest } from '../storage/content/store.js';

export interface AccessLogEntry {
  time: string;
  level: 'info';
  msg: 'request';
  remote: string;
  method: string;
  uri: string;
  status: number;
  /** Bytes written to the connection for this response, headers included. */
  bytes: number;
  duration_ms: number;
  user?: string;
  user_agent?: string;
  error?: string;
}

export interface HandlerOptions {
  storage: RegistryStorage;
  deleteEnabled?: boolean;
  readOnly?: boolean;
  auth?: Authorizer;
  accessLog?: (e: AccessLogEntry) => void;
  /** Inactivity limit for request bodies in ms (slow clients). */
  bodyTimeoutMs?: number;
  maxManifestSize?: number;
}

interface Req {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  name: string;
  user?: string;
}

const API_VERSION = { 'Docker-Distribution-API-Version': 'registry/2.0' };

const actionsFor = (method: string): string[] =>
  method === 'GET' || method === 'HEAD' ? ['pull'] : method === 'DELETE' ? ['delete'] : ['pull', 'push'];

interface Route {
  re: RegExp;
  methods: string[];
  run: (h: RegistryHandler, r: Req, arg: string) => Promise<void>;
}

// The flat route table: repository-scoped paths (the name may contain slashes).
const ROUTES: Route[] = [
  { re: /^\/v2\/(.+)\/blobs\/uploads\/?$/, methods: ['POST'], run: (h, r) => h.startUpload(r) },
  {
    re: /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/,
    methods: ['GET', 'PATCH', 'PUT', 'DELETE'],
    run: (h, r, uuid) => h.upload(r, uuid),
  },
  {
    re: /^\/v2\/(.+)\/blobs\/([^/]+)$/,
    methods: ['GET', 'HEAD', 'DELETE'],
    run: (h, r, d) => (r.req.method === 'DELETE' ? h.deleteBlob(r, d) : h.getBlob(r, d)),
  },
  {
    re: /^\/v2\/(.+)\/manifests\/([^/]+)$/,
    methods: ['GET', 'HEAD', 'PUT', 'DELETE'],
    run: (h, r, ref) =>
      r.req.method === 'PUT'
        ? h.putManifest(r, ref)
        : r.req.method === 'DELETE'
          ? h.deleteManifest(r, ref)
          : h.getManifest(r, ref),
  },
  { re: /^\/v2\/(.+)\/tags\/list$/, methods: ['GET', 'HEAD'], run: (h, r) => h.tagsList(r) },
  { re: /^\/v2\/(.+)\/referrers\/([^/]+)$/, methods: ['GET'], run: (h, r, d) => h.referrers(r, d) },
];

export function createRegistryHandler(o: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const h = new RegistryHandler(o);
  return (req, res) => h.handle(req, res);
}

/** The handlers over one storage; every request gets its own Req. */
class RegistryHandler {
  private readonly s: RegistryStorage;
  private readonly maxManifest: number;

  constructor(private readonly o: HandlerOptions) {
    this.s = o.storage;
    this.maxManifest = o.maxManifestSize ?? 4 << 20;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const started = process.hrtime.bigint();
    const r: Req = { req, res, url: new URL(req.url ?? '/', 'http://registry'), name: '' };
    let errText: string | undefined;
    const sock = req.socket;
    const written0 = sock.bytesWritten;
    if (this.o.bodyTimeoutMs)
      req.setTimeout(this.o.bodyTimeoutMs, () => req.destroy(new Error('request body timeout')));
    res.on('close', () => {
      if (!this.o.accessLog) return;
      const e: AccessLogEntry = {
        time: new Date().toISOString(),
        level: 'info',
        msg: 'request',
        remote: req.socket.remoteAddress ?? '',
        method: req.method ?? '',
        uri: req.url ?? '',
        status: res.headersSent ? res.statusCode : 499,
        bytes: sock.bytesWritten - written0,
        duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
      };
      if (r.user) e.user = r.user;
      if (req.headers['user-agent']) e.user_agent = req.headers['user-agent'];
      if (errText) e.error = errText;
      this.o.accessLog(e);
    });
    this.dispatch(r).catch((e: unknown) => {
      const err =
        e instanceof RegistryError
          ? e
          : regErr('UNKNOWN', null, { message: e instanceof Error ? e.message : String(e) });
      errText = `${err.code}: ${err.message}`;
      if (res.headersSent || res.destroyed || sock.destroyed) {
        res.destroy();
        return;
      }
      // Refuse the rest of a body we will not read; close so a client mid-upload stops sending.
      if (!req.complete) res.setHeader('Connection', 'close');
      this.json(r, err.status, err.toJSON(), err.headers);
      if (!req.complete) req.resume();
    });
  }

  private location(r: Req, path: string): string {
    const host = r.req.headers.host;
    if (!host) return path;
    const proto = (r.req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    return `${proto}://${host}${path}`;
  }

  private send(r: Req, status: number, headers: Record<string, string | number>, body?: Buffer | string): void {
    const b = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    r.res.writeHead(status, {
      ...API_VERSION,
      ...(b ? { 'Content-Length': b.length } : { 'Content-Length': 0 }),
      ...headers,
    });
    r.res.end(b);
  }
  private json(r: Req, status: number, v: unknown, headers: Record<string, string | number> = {}): void {
    this.send(r, status, { 'Content-Type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(v));
  }

  private writable() {
    if (this.o.readOnly) throw regErr('UNSUPPORTED', null, { message: 'The operation is unsupported.' });
  }
  private deletable() {
    this.writable();
    if (!this.o.deleteEnabled) throw regErr('UNSUPPORTED', null);
  }

  private async readBody(r: Req, max: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of r.req) {
      n += (c as Buffer).length;
      if (n > max) throw regErr('SIZE_INVALID', { max }, { status: 413, message: 'manifest too large' });
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks);
  }

  /** Page a sorted list: entries after `last`, at most `n`; a Link header when more remain. */
  private page(
    r: Req,
    all: string[],
    defaultN: number | undefined,
  ): { items: string[]; headers: Record<string, string> } {
    const nRaw = r.url.searchParams.get('n');
    const last = r.url.searchParams.get('last') ?? '';
    let n = defaultN;
    if (nRaw !== null && nRaw !== '') {
      if (!/^\d+$/.test(nRaw)) throw regErr('PAGINATION_NUMBER_INVALID', { n: nRaw });
      n = Math.min(Number(nRaw), 1000);
    }
    const rest = last ? all.filter((x) => x > last) : all;
    const items = n === undefined ? rest : rest.slice(0, n);
    const headers: Record<string, string> = {};
    if (n !== undefined && rest.length > items.length && items.length > 0) {
      const next = new URLSearchParams({ last: items[items.length - 1], n: String(n) });
      headers.Link = `<${r.url.pathname}?${next}>; rel="next"`;
    }
    return { items, headers };
  }

  // ---- handlers

  private async catalog(r: Req) {
    const { items, headers } = this.page(r, await this.s.repositories(), 100);
    this.json(r, 200, { repositories: items }, headers);
  }

  async tagsList(r: Req) {
    const tags = await this.s.tags(r.name);
    if (tags === null) throw regErr('NAME_UNKNOWN', { name: r.name });
    const { items, headers } = this.page(r, tags, undefined);
    this.json(r, 200, { name: r.name, tags: items }, headers);
  }

  async getManifest(r: Req, ref: string) {
    if (ref.includes(':')) checkDigest(ref);
    const m = await this.s.getManifest(r.name, ref);
    if (!m) throw regErr('MANIFEST_UNKNOWN', ref.includes(':') ? { Digest: ref } : { Tag: ref });
    const etag = `"${m.digest}"`;
    const headers = { 'Content-Type': m.mediaType, 'Docker-Content-Digest': m.digest, ETag: etag };
    if (r.req.headers['if-none-match'] === etag) return this.send(r, 304, headers);
    if (r.req.method === 'HEAD') {
      r.res.writeHead(200, { ...API_VERSION, ...headers, 'Content-Length': m.body.length });
      r.res.end();
      return;
    }
    this.send(r, 200, headers, m.body);
  }

  async putManifest(r: Req, ref: string) {
    this.writable();
    const byDigest = ref.includes(':');
    if (byDigest) checkDigest(ref);
    else if (!isTag(ref)) throw regErr('TAG_INVALID', { Tag: ref });
    const body = await this.readBody(r, this.maxManifest);
    if (byDigest) {
      const actual = sha256Digest(body);
      if (actual !== ref) throw regErr('DIGEST_INVALID', { Digest: ref });
    }
    const { digest, parsed } = await this.s.putManifest(
      r.name,
      body,
      r.req.headers['content-type'],
      byDigest ? undefined : ref,
    );
    const headers: Record<string, string> = {
      Location: this.location(r, `/v2/${r.name}/manifests/${digest}`),
      'Docker-Content-Digest': digest,
    };
    if (parsed.subject) headers['OCI-Subject'] = parsed.subject.digest;
    this.send(r, 201, headers);
  }

  async deleteManifest(r: Req, ref: string) {
    this.deletable();
    if (ref.includes(':')) {
      checkDigest(ref);
      if (!(await this.s.deleteManifest(r.name, ref))) throw regErr('MANIFEST_UNKNOWN', { Digest: ref });
    } else if (!(await this.s.deleteTag(r.name, ref))) {
      throw regErr('MANIFEST_UNKNOWN', { Tag: ref });
    }
    this.send(r, 202, {});
  }

  async getBlob(r: Req, digest: string) {
    checkDigest(digest);
    const size = await this.s.statBlob(r.name, digest);
    if (size === null) throw regErr('BLOB_UNKNOWN', { digest });
    const base = {
      'Content-Type': 'application/octet-stream',
      'Docker-Content-Digest': digest,
      ETag: `"${digest}"`,
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'max-age=31536000',
    };
    let status = 200;
    let range: { start: number; end: number } | undefined;
    const rh = r.req.headers.range;
    if (rh) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(rh.trim());
      if (m && (m[1] !== '' || m[2] !== '')) {
        let start: number;
        let end: number;
        if (m[1] === '') {
          start = Math.max(0, size - Number(m[2]));
          end = size - 1;
        } else {
          start = Number(m[1]);
          end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
        }
        if (start >= size || start > end) {
          return this.send(r, 416, { ...base, 'Content-Range': `bytes */${size}` });
        }
        range = { start, end };
        status = 206;
      } else {
        return this.send(r, 416, { ...base, 'Content-Range': `bytes */${size}` });
      }
    }
    const len = range ? range.end - range.start + 1 : size;
    const headers: Record<string, string | number> = { ...API_VERSION, ...base, 'Content-Length': len };
    if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
    r.res.writeHead(status, headers);
    if (r.req.method === 'HEAD' || len === 0) {
      r.res.end();
      return;
    }
    await pipeline(this.s.blobStream(digest, range), r.res);
  }

  async deleteBlob(r: Req, digest: string) {
    this.deletable();
    checkDigest(digest);
    if (!(await this.s.unlinkBlob(r.name, digest))) throw regErr('BLOB_UNKNOWN', { digest });
    this.send(r, 202, {});
  }

  private uploadHeaders(r: Req, uuid: string, size: number): Record<string, string> {
    return {
      Location: this.location(r, `/v2/${r.name}/blobs/uploads/${uuid}`),
      Range: `0-${size > 0 ? size - 1 : 0}`,
      'Docker-Upload-UUID': uuid,
    };
  }

  private committed(r: Req, digest: string): void {
    this.send(r, 201, { Location: this.location(r, `/v2/${r.name}/blobs/${digest}`), 'Docker-Content-Digest': digest });
  }

  async startUpload(r: Req) {
    this.writable();
    const q = r.url.searchParams;
    const mount = q.get('mount');
    const from = q.get('from');
    if (mount && from) {
      checkDigest(mount);
      checkName(from);
      // Mounting reads `from`: the caller needs pull access there too.
      if (this.o.auth)
        await this.o.auth.authorize(r.req.headers.authorization, [
          { type: 'repository', name: from, actions: ['pull'] },
        ]);
      if ((await this.s.statBlob(from, mount)) !== null) {
        await this.s.linkBlob(r.name, mount);
        r.req.resume();
        return this.committed(r, mount);
      }
    }
    const digest = q.get('digest');
    if (digest !== null) {
      checkDigest(digest);
      const up = await this.s.startUpload(r.name);
      await this.s.finishUpload(r.name, up.uuid, digest, r.req);
      return this.committed(r, digest);
    }
    r.req.resume();
    const up = await this.s.startUpload(r.name);
    this.send(r, 202, this.uploadHeaders(r, up.uuid, 0));
  }

  /** Content-Range "start-end" of a chunk; its length must match Content-Length when both are given. */
  private chunkStart(r: Req): number | undefined {
    const cr = r.req.headers['content-range'];
    if (!cr) return undefined;
    const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/\d+|\/\*)?$/.exec(cr.trim());
    if (!m || Number(m[2]) < Number(m[1])) throw regErr('RANGE_INVALID', { 'Content-Range': cr }, { status: 416 });
    const cl = r.req.headers['content-length'];
    if (cl !== undefined && Number(cl) !== Number(m[2]) - Number(m[1]) + 1) {
      throw regErr('RANGE_INVALID', { 'Content-Range': cr, 'Content-Length': cl }, { status: 416 });
    }
    return Number(m[1]);
  }

  async upload(r: Req, uuid: string) {
    const method = r.req.method;
    if (method === 'GET') {
      const up = await this.s.getUpload(r.name, uuid);
      return this.send(r, 204, this.uploadHeaders(r, uuid, up.size));
    }
    if (method === 'PATCH') {
      this.writable();
      const start = this.chunkStart(r);
      const up = await this.s.appendUpload(r.name, uuid, r.req, start);
      return this.send(r, 202, this.uploadHeaders(r, uuid, up.size));
    }
    if (method === 'PUT') {
      this.writable();
      const digest = r.url.searchParams.get('digest');
      if (!digest) throw regErr('DIGEST_INVALID', { reason: 'digest missing' });
      checkDigest(digest);
      const start = this.chunkStart(r);
      await this.s.getUpload(r.name, uuid);
      const hasBody =
        Number(r.req.headers['content-length'] ?? 0) > 0 || r.req.headers['transfer-encoding'] !== undefined;
      if (hasBody) await this.s.appendUpload(r.name, uuid, r.req, start);
      else r.req.resume();
      await this.s.finishUpload(r.name, uuid, digest);
      return this.committed(r, digest);
    }
    if (method === 'DELETE') {
      this.writable();
      await this.s.cancelUpload(r.name, uuid);
      return this.send(r, 204, {});
    }
    throw regErr('UNSUPPORTED', null);
  }

  async referrers(r: Req, digest: string) {
    checkDigest(digest);
    let list = await this.s.referrers(r.name, digest);
    const headers: Record<string, string> = { 'Content-Type': MT.ociIndex };
    const at = r.url.searchParams.get('artifactType');
    if (at) {
      list = list.filter((d) => d.artifactType === at);
      headers['OCI-Filters-Applied'] = 'artifactType';
    }
    this.send(r, 200, headers, JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: list }));
  }

  private async dispatch(r: Req): Promise<void> {
    const path = r.url.pathname;
    const method = r.req.method ?? 'GET';
    if (path === '/v2/' || path === '/v2') {
      if (this.o.auth) r.user = await this.o.auth.authorize(r.req.headers.authorization, []);
      return this.json(r, 200, {});
    }
    if (path === '/v2/_catalog') {
      if (method !== 'GET' && method !== 'HEAD') throw regErr('UNSUPPORTED', null);
      if (this.o.auth)
        r.user = await this.o.auth.authorize(r.req.headers.authorization, [
          { type: 'registry', name: 'catalog', actions: ['*'] },
        ]);
      return this.catalog(r);
    }
    for (const rt of ROUTES) {
      const m = rt.re.exec(path);
      if (!m) continue;
      r.name = decodeURIComponent(m[1]);
      checkName(r.name);
      const access: Access[] = [{ type: 'repository', name: r.name, actions: actionsFor(method) }];
      if (this.o.auth) r.user = await this.o.auth.authorize(r.req.headers.authorization, access);
      if (!rt.methods.includes(method)) throw regErr('UNSUPPORTED', null);
      return rt.run(this, r, m[2] === undefined ? '' : decodeURIComponent(m[2]));
    }
    this.send(r, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, '404 page not found\n');
  }
}
