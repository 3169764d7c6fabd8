// The HTTP front: unix sockets, /v1.NN prefix and version negotiation, routing, error mapping, hijack.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { Duplex, PassThrough, type Readable, type Writable } from 'node:stream';
import type { Socket } from 'node:net';
import { invalid, notFound } from '../errdefs.js';
import { JSON_BODY_LIMIT, JsonBody } from './body.js';
import { onClientError, MAX_HEADER_SIZE, decodeParam, lingerClose, parseRequestTarget } from './edge.js';
import { kindOf, messageOf, statusOf, streamError } from './errors.js';
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
  path: string;
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
  return { method: r.method, path: r.path, re: new RegExp('^' + src + '$'), names, handler: r.handler };
}

export interface ServerOptions {
  routes: Route[];
  version: string; // berth's version for the Server header
  /** Every answer says whether the daemon runs experimental (moby's experimental middleware). */
  experimental?: boolean;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
}

export class ApiServer {
  private readonly routes: Compiled[];
  readonly http: http.Server;
  private readonly common: Common;
  constructor(private readonly o: ServerOptions) {
    this.routes = o.routes.map(compile);
    this.common = commonHeaders(o.version, o.experimental === true);
    this.http = http.createServer(
      { keepAliveTimeout: 60_000, requestTimeout: 0, maxHeaderSize: MAX_HEADER_SIZE },
      (req, res) => {
        void this.dispatch(req, res, null, null);
      },
    );
    this.http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      void this.dispatch(req, null, socket, head);
    });
    this.http.on('clientError', onClientError);
    this.http.headersTimeout = 0;
    this.http.timeout = 0;
  }

  private match(
    method: string,
    path: string,
  ): { handler: Handler; params: Record<string, string>; endpoint: string } | null {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodeParam(m[i + 1]!)));
      return { handler: r.handler, params, endpoint: `${r.method} ${r.path}` };
    }
    if (pathMatched) return null;
    return null;
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse | null,
    socket: Socket | null,
    head: Buffer | null,
  ): Promise<void> {
    const url = parseRequestTarget(req.url);
    let path = url.pathname;
    let apiVersion = MAX_API;
    const vm = /^\/v([0-9]+(?:\.[0-9]+)*)(\/.*)$/.exec(path);
    if (vm) {
      apiVersion = vm[1]!;
      path = vm[2]!;
    }
    const ac = new AbortController();
    const reply = socket ? new UpgradeReply(socket, this.common) : new HttpReply(res!, this.common);
    const onClose = () => {
      if (!reply.finished) ac.abort();
    };
    // req.socket is null once a connection is torn down (an oversized body closes it): keep our own handle
    const conn = socket ?? req.socket;
    conn.once('close', onClose);
    let body: Readable = req;
    if (socket) {
      // An upgraded request's body (exec start's JSON) arrives on the socket after the headers.
      body = upgradeBody(req, socket, head ?? Buffer.alloc(0));
    }
    const jsonBody = new JsonBody(body, req.headers);
    const ctx: Ctx = {
      method: req.method ?? 'GET',
      path,
      params: {},
      query: url.searchParams,
      headers: req.headers,
      apiVersion,
      body,
      json: <T>() => jsonBody.json<T>(),
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
      // the body is read, bounded and checked against the endpoint's schema before the handler runs
      await jsonBody.load(m.endpoint);
      await m.handler(ctx);
      if (!reply.started) reply.empty(204);
    } catch (e) {
      const status = statusOf(e);
      if (ac.signal.aborted) this.o.log?.('debug', `${ctx.method} ${req.url}: client went away (${messageOf(e)})`);
      else if (status >= 500 || kindOf(e) === null)
        this.o.log?.(
          'error',
          `${ctx.method} ${req.url}: ${messageOf(e)}${e instanceof Error && e.stack ? '\n' + e.stack : ''}`,
        );
      else this.o.log?.('debug', `${ctx.method} ${req.url}: ${status} ${messageOf(e)}`);
      // an unread oversized body is not drained: answer, then close the connection, lingering so
      // the client reads the 413 rather than a reset (node ends a Connection: close response's
      // socket with destroySoon, which would close it on the unread input)
      if (status === 413 && res && !res.headersSent) {
        res.setHeader('Connection', 'close');
        const s = res.socket as (Socket & { destroySoon?: () => void }) | null;
        if (s) s.destroySoon = () => lingerClose(s);
      }
      reply.fail(e);
      if (status === 413 && socket) {
        socket.removeAllListeners('finish'); // the reply's destroy-on-flush: lingering replaces it
        lingerClose(socket);
      }
    } finally {
      conn.off('close', onClose);
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

function upgradeBody(req: IncomingMessage, socket: Socket, head: Buffer): Readable {
  const len = Number(req.headers['content-length'] ?? 0);
  const out = new PassThrough();
  out.on('error', () => {}); // a body nobody reads must not end berthd when the client leaves mid-body; readers get it too
  // nothing is buffered for a body over the limit: JsonBody answers 413 from the Content-Length
  if (!len || len > JSON_BODY_LIMIT) {
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
  // the client left before sending the whole body: fail the read instead of waiting forever (an
  // upgraded socket is half-open after the client's FIN and would never close by itself)
  socket.once('end', () => got.length < len && socket.destroy());
  socket.once(
    'close',
    () => got.length < len && out.destroy(new Error('client closed the connection before sending the whole body')),
  );
  return out;
}

type Common = Readonly<Record<string, string>>;
const commonHeaders = (version: string, experimental: boolean): Common => ({
  'Api-Version': MAX_API,
  'Docker-Experimental': String(experimental),
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
  constructor(
    private readonly res: ServerResponse,
    private readonly common: Common,
  ) {
    super();
    res.once('finish', () => (this.finished = true));
    // a write after the client left (write after end) must fail this request, not the daemon
    res.on('error', () => {});
  }
  private head(status: number, headers: Record<string, string>) {
    this.started = true;
    this.res.writeHead(status, { ...this.common, ...headers });
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
      if (!d.destroyed && !d.push(c)) req.pause();
    });
    req.on('end', () => d.push(null));
    res.on('close', () => d.destroy());
    return d;
  }
}

class UpgradeReply extends BaseReply {
  constructor(
    private readonly socket: Socket,
    private readonly common: Common,
  ) {
    super();
    socket.once('close', () => (this.finished = true));
    // node's HTTP server drops its error listener when it hands over an upgraded socket; a reset
    // (ECONNRESET) or a write to a client that left (EPIPE) would end berthd. 'close' follows any
    // error and aborts the request.
    socket.on('error', () => {});
  }
  /** Ends a `Connection: close` answer and lets go of the socket once it is flushed: a client
   *  that never closes its side would otherwise keep it half-open for ever. */
  private close(body?: string) {
    this.finished = true;
    this.socket.once('finish', () => this.socket.destroy());
    if (body === undefined) this.socket.end();
    else this.socket.end(body);
  }
  private writeHead(status: number, reason: string, headers: Record<string, string>) {
    this.started = true;
    const all = { ...this.common, ...headers };
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
    this.close(body);
  }
  empty(status = 204): void {
    this.writeHead(status, http.STATUS_CODES[status] ?? '', { 'Content-Length': '0', Connection: 'close' });
    this.close();
  }
  text(status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
    this.writeHead(status, http.STATUS_CODES[status] ?? '', {
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(body)),
      Connection: 'close',
    });
    this.close(body);
  }
  stream(status: number, contentType: string, headers: Record<string, string> = {}): Writable {
    this.writeHead(status, http.STATUS_CODES[status] ?? '', {
      'Content-Type': contentType,
      Connection: 'close',
      ...headers,
    });
    this.streamContentType = contentType;
    this.streamOut = this.socket;
    this.socket.once('finish', () => this.socket.destroy()); // Connection: close, as above
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
