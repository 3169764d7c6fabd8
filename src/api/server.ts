// The HTTP front: unix sockets, /v1.NN prefix and version negotiation, routing, error mapping, hijack.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { Duplex, PassThrough, Readable, type Writable } from 'node:stream';
import type { Socket } from 'node:net';
import { EngineError, invalid, notFound } from '../errdefs.js';
import { messageOf, statusOf, streamError } from './errors.js';
import type { Ctx, Handler, Reply, Route } from './router.js';

export const MIN_API = '1.24';
export const MAX_API = '1.47';

function cmpVersion(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
export const versionAtLeast = (v: string, min: string) => cmpVersion(v, min) >= 0;

interface Compiled {
  method: string;
  re: RegExp;
  names: string[];
  handler: Handler;
}

function compile(r: Route): Compiled {
  const names: string[] = [];
  const src = r.path
    .split('/')
    .map((seg) => {
      const m = /^\{(\w+)(\*?)\}$/.exec(seg);
      if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1]!);
      return m[2] ? '(.+?)' : '([^/]+)';
    })
    .join('/');
  return { method: r.method, re: new RegExp('^' + src + '$'), names, handler: r.handler };
}

export interface ServerOptions {
  routes: Route[];
  version: string; // berth's version for the Server header
  log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
}

export class ApiServer {
  private readonly routes: Compiled[];
  readonly http: http.Server;
  constructor(private readonly o: ServerOptions) {
    this.routes = o.routes.map(compile);
    this.http = http.createServer({ keepAliveTimeout: 60_000, requestTimeout: 0 }, (req, res) => {
      void this.dispatch(req, res, null, null);
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      void this.dispatch(req, null, socket, head);
    });
    this.http.headersTimeout = 0;
    this.http.timeout = 0;
  }

  private match(method: string, path: string): { handler: Handler; params: Record<string, string> } | null {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
      return { handler: r.handler, params };
    }
    if (pathMatched) return null;
    return null;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse | null, socket: Socket | null, head: Buffer | null): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://berth');
    let path = url.pathname;
    let apiVersion = MAX_API;
    const vm = /^\/v([0-9]+(?:\.[0-9]+)*)(\/.*)$/.exec(path);
    if (vm) {
      apiVersion = vm[1]!;
      path = vm[2]!;
    }
    const ac = new AbortController();
    const reply = socket ? new UpgradeReply(socket, this.o.version) : new HttpReply(res!, this.o.version);
    const onClose = () => {
      if (!reply.finished) ac.abort();
    };
    (socket ?? req.socket).once('close', onClose);
    let body: Readable = req;
    if (socket) {
      // An upgraded request's body (exec start's JSON) arrives on the socket after the headers.
      body = upgradeBody(req, socket, head ?? Buffer.alloc(0));
    }
    const ctx: Ctx = {
      method: req.method ?? 'GET',
      path,
      params: {},
      query: url.searchParams,
      headers: req.headers,
      apiVersion,
      body,
      json: async <T>() => readJson<T>(body),
      signal: ac.signal,
      reply,
    };
    try {
      if (vm) {
        if (cmpVersion(apiVersion, MAX_API) > 0)
          throw invalid(`client version ${apiVersion} is too new. Maximum supported API version is ${MAX_API}`);
        if (cmpVersion(apiVersion, MIN_API) < 0)
          throw invalid(
            `client version ${apiVersion} is too old. Minimum supported API version is ${MIN_API}, please upgrade your client to a newer version`,
          );
      }
      const m = this.match(ctx.method, path);
      if (!m) throw notFound(`page not found`);
      (ctx as { params: Record<string, string> }).params = m.params;
      await m.handler(ctx);
      if (!reply.started) reply.empty(204);
    } catch (e) {
      const status = statusOf(e);
      if (ac.signal.aborted) this.o.log?.('debug', `${ctx.method} ${req.url}: client went away (${messageOf(e)})`);
      else if (status >= 500 || !(e instanceof EngineError)) this.o.log?.('error', `${ctx.method} ${req.url}: ${messageOf(e)}${e instanceof Error && e.stack ? '\n' + e.stack : ''}`);
      else this.o.log?.('debug', `${ctx.method} ${req.url}: ${status} ${messageOf(e)}`);
      reply.fail(e);
    } finally {
      (socket ?? req.socket).off('close', onClose);
    }
  }

  listen(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onErr = (e: Error) => reject(e);
      this.http.once('error', onErr);
      this.http.listen(path, () => {
        this.http.off('error', onErr);
        resolve();
      });
    });
  }
}

async function readJson<T>(body: Readable): Promise<T | undefined> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  const s = Buffer.concat(chunks).toString('utf8').trim();
  if (s === '') return undefined;
  try {
    return JSON.parse(s) as T;
  } catch (e) {
    throw invalid(`invalid JSON: ${messageOf(e)}`, e);
  }
}

function upgradeBody(req: IncomingMessage, socket: Socket, head: Buffer): Readable {
  const len = Number(req.headers['content-length'] ?? 0);
  const out = new PassThrough();
  if (!len) {
    if (head.length) socket.unshift(head);
    out.end();
    return out;
  }
  let got = head.subarray(0, len);
  const rest = head.subarray(len);
  if (rest.length) socket.unshift(rest);
  if (got.length >= len) {
    out.end(got);
    return out;
  }
  const onData = (c: Buffer) => {
    const need = len - got.length;
    if (c.length > need) {
      socket.pause();
      socket.off('data', onData);
      socket.unshift(c.subarray(need));
      got = Buffer.concat([got, c.subarray(0, need)]);
    } else got = Buffer.concat([got, c]);
    if (got.length >= len) {
      socket.off('data', onData);
      socket.pause();
      out.end(got);
    }
  };
  socket.on('data', onData);
  return out;
}

const commonHeaders = (version: string): Record<string, string> => ({
  'Api-Version': MAX_API,
  'Docker-Experimental': 'false',
  Ostype: 'linux',
  Server: `berth/${version} (linux)`,
});

abstract class BaseReply implements Reply {
  started = false;
  finished = false;
  abstract json(status: number, value: unknown): void;
  abstract empty(status?: number): void;
  abstract text(status: number, body: string, contentType?: string): void;
  abstract stream(status: number, contentType: string, headers?: Record<string, string>): Writable;
  abstract hijack(contentType: string): Duplex;
  protected streamContentType = '';
  protected streamOut: Writable | null = null;
  fail(e: unknown): void {
    if (!this.started) {
      this.json(statusOf(e), { message: messageOf(e) });
      return;
    }
    const out = this.streamOut;
    if (out && !out.destroyed && !out.writableEnded) {
      if (this.streamContentType.includes('json')) out.end(streamError(e));
      else out.end();
    }
  }
}

class HttpReply extends BaseReply {
  constructor(private readonly res: ServerResponse, private readonly version: string) {
    super();
    res.once('finish', () => (this.finished = true));
  }
  private head(status: number, headers: Record<string, string>) {
    this.started = true;
    this.res.writeHead(status, { ...commonHeaders(this.version), ...headers });
  }
  json(status: number, value: unknown): void {
    const body = status === 304 ? '' : JSON.stringify(value) + '\n';
    this.head(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
    this.res.end(this.res.req.method === 'HEAD' ? undefined : body);
  }
  empty(status = 204): void {
    this.head(status, status === 204 || status === 304 ? {} : { 'Content-Length': '0' });
    this.res.end();
  }
  text(status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
    this.head(status, { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) });
    this.res.end(this.res.req.method === 'HEAD' ? undefined : body);
  }
  stream(status: number, contentType: string, headers: Record<string, string> = {}): Writable {
    this.head(status, { 'Content-Type': contentType, ...headers });
    this.res.flushHeaders();
    this.streamContentType = contentType;
    this.streamOut = this.res;
    return this.res;
  }
  hijack(contentType: string): Duplex {
    const res = this.res;
    this.head(200, { 'Content-Type': contentType });
    res.flushHeaders();
    this.streamOut = res;
    const req = res.req;
    const d = new Duplex({
      read() {
        req.resume();
      },
      write(chunk, _enc, cb) {
        if (res.writableEnded || res.destroyed) return cb();
        res.write(chunk, () => cb());
      },
      final(cb) {
        res.end(() => cb());
      },
      destroy(err, cb) {
        if (!res.writableEnded) res.end();
        cb(err);
      },
    });
    req.on('data', (c) => {
      if (!d.push(c)) req.pause();
    });
    req.on('end', () => d.push(null));
    res.on('close', () => d.destroy());
    return d;
  }
}

class UpgradeReply extends BaseReply {
  constructor(private readonly socket: Socket, private readonly version: string) {
    super();
    socket.once('close', () => (this.finished = true));
  }
  private writeHead(status: number, reason: string, headers: Record<string, string>) {
    this.started = true;
    const all = { ...commonHeaders(this.version), ...headers };
    let s = `HTTP/1.1 ${status} ${reason}\r\n`;
    for (const [k, v] of Object.entries(all)) s += `${k}: ${v}\r\n`;
    this.socket.write(s + '\r\n');
  }
  json(status: number, value: unknown): void {
    const body = JSON.stringify(value) + '\n';
    this.writeHead(status, http.STATUS_CODES[status] ?? '', {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
      Connection: 'close',
    });
    this.socket.end(body);
    this.finished = true;
  }
  empty(status = 204): void {
    this.writeHead(status, http.STATUS_CODES[status] ?? '', { 'Content-Length': '0', Connection: 'close' });
    this.socket.end();
    this.finished = true;
  }
  text(status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
    this.writeHead(status, http.STATUS_CODES[status] ?? '', {
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(body)),
      Connection: 'close',
    });
    this.socket.end(body);
    this.finished = true;
  }
  stream(status: number, contentType: string, headers: Record<string, string> = {}): Writable {
    this.writeHead(status, http.STATUS_CODES[status] ?? '', { 'Content-Type': contentType, Connection: 'close', ...headers });
    this.streamContentType = contentType;
    this.streamOut = this.socket;
    return this.socket;
  }
  hijack(contentType: string): Duplex {
    this.writeHead(101, 'UPGRADED', { 'Content-Type': contentType, Connection: 'Upgrade', Upgrade: 'tcp' });
    this.streamOut = this.socket;
    this.socket.setNoDelay?.(true);
    // stays paused until the engine subscribes to stdin, so early input (and its end) is not lost
    this.socket.pause();
    return this.socket;
  }
}
