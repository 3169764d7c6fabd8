// /api/* to the Engine API on berthd's own unix socket: plain requests streamed both ways (events,
// logs follow and stats stay live), upgrades (attach/ws) spliced byte for byte. The dashboard's
// credentials and browser headers stop here: berthd's socket is already root's.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';

/** Hop-by-hop and dashboard-only headers, never passed to the Engine API. */
const DROP = new Set([
  'host',
  'cookie',
  'authorization',
  'origin',
  'referer',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
]);

export function forwardHeaders(h: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h))
    if (v !== undefined && !DROP.has(k) && !k.startsWith('sec-fetch-')) out[k] = v;
  return out;
}

export function jsonError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ message }) + '\n');
}

/** Streams one request to the Engine API at `apiPath` and its answer back; either side closing ends both. */
export function proxyHttp(req: IncomingMessage, res: ServerResponse, socketPath: string, apiPath: string): void {
  const up = http.request(
    { socketPath, method: req.method, path: apiPath, headers: { ...forwardHeaders(req.headers), host: 'berthd' } },
    (ur) => {
      const headers = { ...ur.headers };
      delete headers.connection;
      delete headers['keep-alive'];
      res.writeHead(ur.statusCode ?? 502, headers);
      res.flushHeaders();
      ur.pipe(res);
      ur.on('error', () => res.destroy());
    },
  );
  up.on('error', (e) => jsonError(res, 502, `berthd: ${e.message}`));
  // a browser leaving a follow stream must end the Engine API's stream too
  res.on('close', () => up.destroy());
  req.on('error', () => up.destroy());
  req.pipe(up);
}

/** The raw head of an upgrade request for the Engine API (its own headers, none of the browser's secrets). */
export function upgradeHead(req: IncomingMessage, apiPath: string): string {
  const lines = [`${req.method ?? 'GET'} ${apiPath} HTTP/1.1`, 'Host: berthd'];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (lower === 'connection' || lower === 'upgrade') lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
    else if (!DROP.has(lower) && !lower.startsWith('sec-fetch-')) lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
  }
  return lines.join('\r\n') + '\r\n\r\n';
}

/** Splices an upgrade (websocket attach) through to the Engine API; the handshake is berthd's own. */
export function proxyUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  socketPath: string,
  apiPath: string,
): void {
  const up = net.createConnection(socketPath);
  const end = () => {
    up.destroy();
    socket.destroy();
  };
  up.on('error', end);
  socket.on('error', end);
  up.once('close', end);
  socket.once('close', end);
  up.once('connect', () => {
    up.write(upgradeHead(req, apiPath));
    if (head.length) up.write(head);
    up.pipe(socket);
    socket.pipe(up);
  });
}
