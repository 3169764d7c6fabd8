// The HTTP edge below routing: header size, malformed requests node's parser refuses, and the
// request target's percent-encoding. None of these may reach a handler or end berthd.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { invalid } from '../errdefs.js';

/** Go's http.DefaultMaxHeaderBytes; node's default (16 KiB) would refuse large X-Registry-Auth headers Docker takes. */
export const MAX_HEADER_SIZE = 1024 * 1024;

/** The answer for a request node's parser refused (the socket is not a request yet, so no Reply). */
export function clientErrorResponse(code: string | undefined): { status: number; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, message: 'request header fields too large' };
  return { status: 400, message: 'malformed HTTP request' };
}

/** http.Server 'clientError': answer 431/400 when the socket can still take it, never throw. */
export function onClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
    // the peer is gone, or a response is already under way on this socket
    socket.destroy();
    return;
  }
  const { status, message } = clientErrorResponse(err.code);
  const body = JSON.stringify({ message }) + '\n';
  lingerClose(
    socket,
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** How long, and for how many bytes, a refused request's remaining input is read and dropped. */
export const LINGER_MS = 2000;
export const LINGER_BYTES = 64 * 1024 * 1024;

/**
 * Go's lingering close: send the last answer and half-close, then read and drop what the client is
 * still sending (bounded in time and bytes) before closing. Closing with unread input would reset
 * the connection, and a client still writing its oversized request would see EPIPE/ECONNRESET
 * instead of the 413/431 that explains it.
 */
export function lingerClose(socket: Duplex, last?: string): void {
  // the HTTP parser is done with this socket: its listeners must not see the dropped bytes
  socket.removeAllListeners('data');
  let dropped = 0;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.on('data', (c: Buffer) => {
    dropped += c.length;
    if (dropped > LINGER_BYTES) socket.destroy();
  });
  socket.once('close', () => clearTimeout(timer));
  socket.on('error', () => socket.destroy());
  socket.once('end', () => socket.destroy());
  if (last === undefined) socket.end();
  else socket.end(last);
  socket.resume();
}

/** A path segment's percent-decoding; a malformed escape is Go's url.EscapeError as a 400. */
export function decodeParam(s: string): string {
  const bad = /%(?![0-9a-fA-F]{2})/.exec(s);
  if (bad) throw invalid(`invalid URL escape ${JSON.stringify(s.slice(bad.index, bad.index + 3))}`);
  try {
    return decodeURIComponent(s);
  } catch {
    // well-formed escapes that are not UTF-8 (%FF): Go keeps the bytes; we keep what decodes
    return Buffer.from(
      s.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  }
}

/**
 * The request target's path (still percent-encoded, as routes match it) and query. Split by hand:
 * `new URL` throws on targets node's parser lets through ("//", "/\\") and resolves "//host/x" and
 * dot segments into another path.
 */
export function parseRequestTarget(raw: string | undefined): { pathname: string; searchParams: URLSearchParams } {
  let t = raw || '/';
  if (!t.startsWith('/')) {
    // absolute-form ("http://host/path?q") is legal HTTP/1.1
    try {
      const u = new URL(t);
      t = u.pathname + u.search;
    } catch {
      return { pathname: t, searchParams: new URLSearchParams() };
    }
  }
  const hash = t.indexOf('#');
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf('?');
  return { pathname: q < 0 ? t : t.slice(0, q), searchParams: new URLSearchParams(q < 0 ? '' : t.slice(q + 1)) };
}
