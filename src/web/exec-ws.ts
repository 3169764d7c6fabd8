// A terminal over a websocket: the browser creates a Tty exec through /api, then opens
// /ws/exec/{id}; this starts the exec on the Engine API (POST /exec/{id}/start, hijacked) and
// relays its raw tty stream as binary frames and the frames it receives as the exec's stdin.
// Resizes go through /api/exec/{id}/resize as for the docker CLI.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { encodeFrame, type Frame, FrameDecoder, OP, WsClose } from '../api/routes/attach-ws.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The 101 answer to a websocket handshake, or null when the request is not one. */
export function acceptHandshake(req: IncomingMessage): string | null {
  const key = req.headers['sec-websocket-key'];
  if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || typeof key !== 'string') return null;
  if (req.headers['sec-websocket-version'] !== '13') return null;
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
}

export function closeFrame(code: number, reason = ''): Buffer {
  const r = Buffer.from(reason.slice(0, 120));
  const p = Buffer.alloc(2 + r.length);
  p.writeUInt16BE(code);
  r.copy(p, 2);
  return encodeFrame(OP.close, p);
}

/** The hijacking exec start request (a Tty exec: its output is the raw stream, not multiplexed). */
export function execStartRequest(id: string): string {
  const body = JSON.stringify({ Detach: false, Tty: true });
  return (
    `POST /exec/${encodeURIComponent(id)}/start HTTP/1.1\r\nHost: berthd\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** Splits an HTTP response head from what follows; null until the head is complete. */
export function splitHead(buf: Buffer): { status: number; head: string; rest: Buffer } | null {
  const i = buf.indexOf('\r\n\r\n');
  if (i < 0) return null;
  const head = buf.subarray(0, i).toString('latin1');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  return { status, head, rest: buf.subarray(i + 4) };
}

/** Frames from the browser as the exec's stdin; pings answered; a close ends the exec's input. */
function relayInput(ws: Duplex, up: net.Socket, end: () => void): void {
  const dec = new FrameDecoder();
  ws.on('data', (chunk: Buffer) => {
    let frames: Frame[];
    try {
      frames = dec.push(chunk);
    } catch (e) {
      ws.end(closeFrame(e instanceof WsClose ? e.code : 1002));
      return end();
    }
    for (const f of frames) {
      if (f.opcode === OP.close) {
        ws.end(closeFrame(1000));
        return end();
      }
      if (f.opcode === OP.ping) ws.write(encodeFrame(OP.pong, f.payload));
      else if (f.opcode <= OP.binary && f.payload.length) up.write(f.payload);
    }
  });
}

/** Serves /ws/exec/{id} on an upgraded socket that passed the dashboard's auth and Origin checks. */
export function execWebsocket(req: IncomingMessage, ws: Duplex, id: string, socketPath: string): void {
  const answer = acceptHandshake(req);
  if (!answer) return void ws.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nnot a websocket request\n');
  ws.write(answer);
  const up = net.createConnection(socketPath);
  let done = false;
  const end = () => {
    if (done) return;
    done = true;
    up.destroy();
    if (!ws.writableEnded) ws.end(closeFrame(1000));
    setTimeout(() => ws.destroy(), 1000).unref();
  };
  ws.on('error', end);
  ws.once('close', end);
  up.on('error', (e) => {
    if (!done && !ws.writableEnded) ws.end(closeFrame(1011, e.message));
    end();
  });
  up.once('close', end);
  let pending: Buffer | null = Buffer.alloc(0);
  up.on('data', (chunk: Buffer) => {
    if (pending === null) return void ws.write(encodeFrame(OP.binary, chunk));
    const got = splitHead(Buffer.concat([pending, chunk]));
    if (!got) return void (pending = Buffer.concat([pending, chunk]));
    pending = null;
    if (got.status !== 101 && got.status !== 200) {
      const msg = /"message":"([^"]*)"/.exec(got.rest.toString())?.[1] ?? `exec start: HTTP ${got.status}`;
      ws.end(closeFrame(1011, msg));
      return end();
    }
    if (got.rest.length) ws.write(encodeFrame(OP.binary, got.rest));
    relayInput(ws, up, end);
  });
  up.once('connect', () => up.write(execStartRequest(id)));
}
