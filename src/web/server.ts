// berthd's web dashboard (issue 19): off unless --web host:port. Serves the built front end and
// proxies /api/* to the Engine API (berthd's unix socket) for holders of the token; /ws/exec/{id}
// is the terminal's websocket. See auth.ts for who gets in.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { allowedHosts, authenticated, checkOrigin, isLoopback, loginCookie } from './auth.js';
import { execWebsocket } from './exec-ws.js';
import { isWildcard, type ListenAddr, parseListenAddr } from './listen-addr.js';
import { jsonError, proxyHttp, proxyUpgrade } from './proxy.js';
import { defaultAssetDir, serveStatic } from './static.js';
import { ensureToken, tokenMatches } from './token.js';

export interface WebOptions {
  /** host:port (--web). */
  listen: string;
  /** berthd's Engine API unix socket. */
  apiSocket: string;
  /** Where web-token is kept (berthd's data-root). */
  tokenDir: string;
  /** The built front end (default: web/dist of this checkout). */
  assets?: string;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
}

export interface WebServer {
  readonly url: string;
  readonly token: string;
  close(): void;
}

const LOGIN_BODY_MAX = 4096;

function readSmallBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      s += c;
      if (s.length > LOGIN_BODY_MAX) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

/** POST /login {"token"} or token=… sets the cookie; GET /?token=… does too, then drops it from the URL. */
async function login(req: IncomingMessage, res: ServerResponse, url: URL, token: string): Promise<void> {
  let given = url.searchParams.get('token');
  if (req.method === 'POST') {
    const body = await readSmallBody(req).catch(() => '');
    try {
      given = (JSON.parse(body) as { token?: string }).token ?? null;
    } catch {
      given = new URLSearchParams(body).get('token');
    }
  }
  if (!tokenMatches(given, token)) return jsonError(res, 401, 'wrong token');
  const headers = { 'Set-Cookie': loginCookie(token), 'Cache-Control': 'no-store' };
  if (req.method === 'POST') res.writeHead(204, headers).end();
  else res.writeHead(303, { ...headers, Location: '/' }).end();
}

function handler(o: WebOptions, addr: ListenAddr, token: string, assets: string) {
  const hosts = isWildcard(addr.host) ? null : allowedHosts(addr.host, addr.port);
  const admit = (req: IncomingMessage, upgrade: boolean) =>
    checkOrigin(req.headers, upgrade, hosts ?? new Set([String(req.headers.host ?? '').toLowerCase()]));
  const request = (req: IncomingMessage, res: ServerResponse) => {
    const v = admit(req, false);
    if (!v.ok) return jsonError(res, v.status, v.message);
    const url = new URL(req.url ?? '/', 'http://dashboard');
    if (url.pathname === '/login' || (url.pathname === '/' && url.searchParams.has('token')))
      return void login(req, res, url, token).catch(() => jsonError(res, 400, 'bad login request'));
    if (url.pathname.startsWith('/api/')) {
      if (!authenticated(req.headers, token)) return jsonError(res, 401, 'login required');
      return proxyHttp(req, res, o.apiSocket, url.pathname.slice(4) + url.search);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return jsonError(res, 405, 'method not allowed');
    serveStatic(res, assets, url.pathname, req.method);
  };
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, msg: string) =>
      void socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\n\r\n${msg}\n`);
    const v = admit(req, true);
    if (!v.ok) return refuse(v.status, v.message);
    if (!authenticated(req.headers, token)) return refuse(401, 'login required');
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const exec = /^\/ws\/exec\/([0-9a-f]{1,64})$/.exec(url.pathname);
    if (exec) return execWebsocket(req, socket, exec[1]!, o.apiSocket);
    if (url.pathname.startsWith('/api/'))
      return proxyUpgrade(req, socket, head, o.apiSocket, url.pathname.slice(4) + url.search);
    refuse(404, 'not found');
  };
  return { request, upgrade };
}

/** Starts the dashboard; the token is made (or reused) and printed in the log line. */
export async function startWeb(o: WebOptions): Promise<WebServer> {
  const addr = parseListenAddr(o.listen);
  const token = ensureToken(o.tokenDir);
  const h = handler(o, addr, token, o.assets ?? defaultAssetDir());
  const server = http.createServer({ requestTimeout: 0 }, h.request);
  server.on('upgrade', h.upgrade);
  server.on('clientError', (_e, s: Socket) => s.destroy());
  // upgraded sockets (terminals, attach) are not the server's any more: close() ends them too
  const open = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    open.add(s);
    s.once('close', () => open.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const shown = addr.host.includes(':') ? `[${addr.host}]` : addr.host;
  const url = `http://${shown}:${addr.port}/`;
  if (!isLoopback(addr.host))
    o.log('warn', `web dashboard on a non-loopback address (${o.listen}): plain HTTP, the token is its only guard`);
  o.log('info', `web dashboard on ${url}?token=${token} (token kept in ${o.tokenDir}/web-token)`);
  return {
    url,
    token,
    close: () => {
      server.close();
      server.closeAllConnections();
      for (const s of open) s.destroy();
    },
  };
}
