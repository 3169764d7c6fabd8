// Typed Docker Engine API client over a unix socket (node:http, keep-alive), used by cli/ and tests.
import http from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { ClientError, ConnectError } from './client-error.js';
import { resolveSocketPath } from './docker-host.js';
import type * as T from './types.js';

export const API_VERSION = '1.47';

export type Query = Record<string, string | number | boolean | undefined | null | string[] | object>;

export interface RequestOptions {
  query?: Query;
  /** JSON-encoded unless a Buffer/Readable (then sent raw with contentType). */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ClientOptions {
  /** unix socket path; default from host / DOCKER_HOST / /run/berth/berth.sock */
  socketPath?: string;
  host?: string;
  apiVersion?: string;
}

/** A hijacked connection: raw bidirectional stream after `101 UPGRADED`. */
export interface Hijacked {
  socket: Duplex;
  /** Bytes that arrived with the 101 response, before `socket` data. */
  head: Buffer;
}

/** Encode query values the way the Go client does (bools as 1/0 for flags, objects as JSON). */
export function encodeQuery(q: Query | undefined): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const x of v) p.append(k, String(x));
    else if (typeof v === 'object') p.set(k, JSON.stringify(v));
    else if (typeof v === 'boolean') p.set(k, v ? '1' : '0');
    else p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Docker's `filters` query: {"key": {"value": true}} from ["key=value", …]. */
export function filtersArg(filters: string[] | undefined): string | undefined {
  if (!filters || filters.length === 0) return undefined;
  const m: Record<string, Record<string, boolean>> = {};
  for (const f of filters) {
    const i = f.indexOf('=');
    if (i < 0) throw new Error(`bad format of filter (expected name=value)`);
    const k = f.slice(0, i).trim().toLowerCase();
    (m[k] ??= {})[f.slice(i + 1)] = true;
  }
  return JSON.stringify(m);
}

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function errorFrom(status: number, body: Buffer): ClientError {
  const text = body.toString().trim();
  try {
    const j = JSON.parse(text) as { message?: string };
    if (j && typeof j.message === 'string') return new ClientError(status, j.message);
  } catch {
    /* not JSON: use the text */
  }
  return new ClientError(status, text || http.STATUS_CODES[status] || `status ${status}`);
}

export class Client {
  readonly socketPath: string;
  readonly apiVersion: string;
  private readonly agent: http.Agent;

  constructor(o: ClientOptions = {}) {
    this.socketPath = o.socketPath ?? resolveSocketPath(o.host);
    this.apiVersion = o.apiVersion ?? API_VERSION;
    this.agent = new http.Agent({ keepAlive: true });
  }

  close(): void {
    this.agent.destroy();
  }

  private url(path: string, query?: Query): string {
    return `/v${this.apiVersion}${path}${encodeQuery(query)}`;
  }

  private send(method: string, path: string, o: RequestOptions, extra?: http.RequestOptions): http.ClientRequest {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    let payload: Buffer | Readable | undefined;
    if (o.body !== undefined) {
      if (Buffer.isBuffer(o.body)) payload = o.body;
      else if (o.body && typeof (o.body as Readable).pipe === 'function') payload = o.body as Readable;
      else payload = Buffer.from(JSON.stringify(o.body));
      headers['Content-Type'] = o.contentType ?? (payload === o.body ? 'application/octet-stream' : 'application/json');
    }
    const req = http.request({
      socketPath: this.socketPath,
      method,
      path: this.url(path, o.query),
      headers,
      agent: this.agent,
      signal: o.signal,
      ...extra,
    });
    if (payload === undefined) req.end();
    else if (Buffer.isBuffer(payload)) req.end(payload);
    else payload.pipe(req);
    return req;
  }

  /** A raw streaming response (logs, stats, pull progress, exports); throws ClientError on >= 400. */
  stream(method: string, path: string, o: RequestOptions = {}): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = this.send(method, path, o);
      req.on('error', (e: NodeJS.ErrnoException) => reject(this.wrapConnErr(e)));
      req.on('response', (res) => {
        if ((res.statusCode ?? 500) >= 400) {
          readAll(res).then((b) => reject(errorFrom(res.statusCode ?? 500, b)), reject);
        } else resolve(res);
      });
    });
  }

  private wrapConnErr(e: NodeJS.ErrnoException): Error {
    if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'EACCES') {
      if (e.code === 'EACCES')
        return new Error(
          `permission denied while trying to connect to the Docker daemon socket at unix://${this.socketPath}`,
          { cause: e },
        );
      return new ConnectError(this.socketPath, e);
    }
    return e;
  }

  /** JSON request/response; 204/304 and empty bodies give undefined. */
  async request<R = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<R> {
    const res = await this.stream(method, path, o);
    const body = await readAll(res);
    if (res.statusCode === 204 || res.statusCode === 304 || body.length === 0) return undefined as R;
    const ct = String(res.headers['content-type'] ?? '');
    if (ct.includes('json')) return JSON.parse(body.toString()) as R;
    return body.toString() as R;
  }

  /** Upgrade the connection (attach, exec start) like the docker CLI: `Connection: Upgrade, Upgrade: tcp`. */
  hijack(method: string, path: string, o: RequestOptions = {}): Promise<Hijacked> {
    return new Promise((resolve, reject) => {
      const req = this.send(
        method,
        path,
        { ...o, headers: { ...(o.headers ?? {}), Connection: 'Upgrade', Upgrade: 'tcp' } },
        { agent: false },
      );
      req.on('error', (e: NodeJS.ErrnoException) => reject(this.wrapConnErr(e)));
      req.on('upgrade', (_res, socket, head) => resolve({ socket, head }));
      req.on('response', (res) => {
        const status = res.statusCode ?? 500;
        if (status >= 400) {
          readAll(res).then((b) => reject(errorFrom(status, b)), reject);
          return;
        }
        // A daemon that answers 200 without upgrading: reads come from the response, writes are lost.
        resolve({ socket: res.socket as Duplex, head: Buffer.alloc(0) });
      });
    });
  }

  // --- system ---------------------------------------------------------------------------------
  async ping(): Promise<string> {
    return this.request<string>('GET', '/_ping');
  }
  version(): Promise<T.VersionResponse> {
    return this.request('GET', '/version');
  }
  info(): Promise<T.InfoResponse> {
    return this.request('GET', '/info');
  }

  // --- containers -----------------------------------------------------------------------------
  containerList(
    q: { all?: boolean; limit?: number; size?: boolean; filters?: string } = {},
  ): Promise<T.ContainerSummary[]> {
    return this.request('GET', '/containers/json', { query: q });
  }
  containerCreate(
    body: T.ContainerCreateRequest,
    q: { name?: string; platform?: string } = {},
  ): Promise<T.CreateResponse> {
    return this.request('POST', '/containers/create', { query: q, body });
  }
  containerInspect(id: string, q: { size?: boolean } = {}): Promise<T.ContainerInspect> {
    return this.request('GET', `/containers/${encodeURIComponent(id)}/json`, { query: q });
  }
  containerStart(id: string, q: { detachKeys?: string } = {}): Promise<void> {
    return this.request('POST', `/containers/${encodeURIComponent(id)}/start`, { query: q });
  }
  containerStop(id: string, q: { t?: number; signal?: string } = {}): Promise<void> {
    return this.request('POST', `/containers/${encodeURIComponent(id)}/stop`, { query: q });
  }
  containerRestart(id: string, q: { t?: number; signal?: string } = {}): Promise<void> {
    return this.request('POST', `/containers/${encodeURIComponent(id)}/restart`, { query: q });
  }
  containerKill(id: string, q: { signal?: string } = {}): Promise<void> {
    return this.request('POST', `/containers/${encodeURIComponent(id)}/kill`, { query: q });
  }
  containerPause(id: string): Promise<void> {
    return this.request('POST', `/containers/${encodeURIComponent(id)}/pause`);
  }
  containerUnpause(id: string): Promise<void> {
    return this.request('POST', `/containers/${encodeURIComponent(id)}/unpause`);
  }
  containerRename(id: string, name: string): Promise<void> {
    return this.request('POST', `/containers/${encodeURIComponent(id)}/rename`, { query: { name } });
  }
  containerRemove(id: string, q: { force?: boolean; v?: boolean; link?: boolean } = {}): Promise<void> {
    return this.request('DELETE', `/containers/${encodeURIComponent(id)}`, { query: q });
  }
  containerTop(id: string, psArgs?: string): Promise<T.TopResponse> {
    return this.request('GET', `/containers/${encodeURIComponent(id)}/top`, { query: { ps_args: psArgs } });
  }
  containerResize(id: string, h: number, w: number): Promise<void> {
    return this.request('POST', `/containers/${encodeURIComponent(id)}/resize`, { query: { h, w } });
  }
  containerPrune(filters?: string): Promise<T.PruneReport> {
    return this.request('POST', '/containers/prune', { query: { filters } });
  }
  containerLogs(
    id: string,
    q: {
      follow?: boolean;
      stdout?: boolean;
      stderr?: boolean;
      since?: string;
      until?: string;
      timestamps?: boolean;
      tail?: string;
    },
    signal?: AbortSignal,
  ): Promise<http.IncomingMessage> {
    return this.stream('GET', `/containers/${encodeURIComponent(id)}/logs`, { query: q, signal });
  }
  containerAttach(
    id: string,
    q: { stream?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean; logs?: boolean; detachKeys?: string },
  ): Promise<Hijacked> {
    return this.hijack('POST', `/containers/${encodeURIComponent(id)}/attach`, { query: q });
  }
  /**
   * Register a wait and resolve once the daemon acknowledged it (response headers), so a following
   * start cannot race the exit. `result` settles when the condition is met.
   */
  containerWaitBegin(
    id: string,
    condition: 'not-running' | 'next-exit' | 'removed' = 'not-running',
  ): Promise<{ result: Promise<T.WaitResponse> }> {
    return new Promise((resolveBegin, rejectBegin) => {
      let begun = false;
      const result = this.stream('POST', `/containers/${encodeURIComponent(id)}/wait`, { query: { condition } }).then(
        async (res) => {
          if (!begun) (begun = true), resolveBegin({ result });
          const body = await readAll(res);
          return JSON.parse(body.toString()) as T.WaitResponse;
        },
      );
      result.catch((e) => {
        if (!begun) (begun = true), rejectBegin(e);
      });
      // A daemon that buffers the headers until exit: proceed after a grace period.
      const t = setTimeout(() => {
        if (!begun) (begun = true), resolveBegin({ result });
      }, 1500);
      t.unref();
    });
  }
  async containerWait(
    id: string,
    condition: 'not-running' | 'next-exit' | 'removed' = 'not-running',
  ): Promise<T.WaitResponse> {
    return (await this.containerWaitBegin(id, condition)).result;
  }
  async containerStatsOnce(id: string): Promise<T.ContainerStats> {
    return this.request('GET', `/containers/${encodeURIComponent(id)}/stats`, { query: { stream: false } });
  }

  // --- exec -----------------------------------------------------------------------------------
  execCreate(id: string, body: T.ExecCreateRequest): Promise<{ Id: string }> {
    return this.request('POST', `/containers/${encodeURIComponent(id)}/exec`, { body });
  }
  execStartDetached(execId: string, tty = false): Promise<void> {
    return this.request('POST', `/exec/${encodeURIComponent(execId)}/start`, { body: { Detach: true, Tty: tty } });
  }
  execStartAttached(execId: string, tty: boolean, consoleSize?: [number, number]): Promise<Hijacked> {
    return this.hijack('POST', `/exec/${encodeURIComponent(execId)}/start`, {
      body: { Detach: false, Tty: tty, ConsoleSize: consoleSize },
    });
  }
  execInspect(execId: string): Promise<T.ExecInspect> {
    return this.request('GET', `/exec/${encodeURIComponent(execId)}/json`);
  }
  execResize(execId: string, h: number, w: number): Promise<void> {
    return this.request('POST', `/exec/${encodeURIComponent(execId)}/resize`, { query: { h, w } });
  }

  // --- images ---------------------------------------------------------------------------------
  imageList(q: { all?: boolean; filters?: string; digests?: boolean } = {}): Promise<T.ImageSummary[]> {
    return this.request('GET', '/images/json', { query: q });
  }
  imageInspect(ref: string): Promise<T.ImageInspect> {
    return this.request('GET', `/images/${ref}/json`);
  }
  imageHistory(ref: string): Promise<T.HistoryItem[]> {
    return this.request('GET', `/images/${ref}/history`);
  }
  imageRemove(ref: string, q: { force?: boolean; noprune?: boolean } = {}): Promise<T.DeleteItem[]> {
    return this.request('DELETE', `/images/${ref}`, { query: q });
  }
  imageTag(ref: string, repo: string, tag?: string): Promise<void> {
    return this.request('POST', `/images/${ref}/tag`, { query: { repo, tag } });
  }
  imagePrune(filters?: string): Promise<T.PruneReport> {
    return this.request('POST', '/images/prune', { query: { filters } });
  }
  /** POST /images/create?fromImage=… (pull) or fromSrc=- (import, body = tarball): a JSON progress stream. */
  imageCreate(q: Query, body?: Readable | Buffer): Promise<http.IncomingMessage> {
    return this.stream('POST', '/images/create', {
      query: q,
      body,
      contentType: body ? 'application/x-tar' : undefined,
    });
  }
}

/** Iterate a newline-delimited JSON stream (progress, stats). */
export async function* jsonLines<M = T.JSONMessage>(s: Readable): AsyncGenerator<M> {
  let buf = '';
  for await (const c of s) {
    buf += (c as Buffer).toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line) yield JSON.parse(line) as M;
    }
  }
  if (buf.trim()) yield JSON.parse(buf) as M;
}
