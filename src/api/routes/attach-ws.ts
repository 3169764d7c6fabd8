// GET /containers/{id}/attach/ws: attach over a WebSocket (RFC 6455), as web consoles use it.
// Like moby's wsContainersAttach: never multiplexed, each output chunk one frame (binary from API
// 1.28, text before), each frame received goes to stdin; stdin/stdout/stderr are query options
// from API 1.42 and always on before. Framing is ours (a few dozen lines) rather than a dependency.
import { createHash } from 'node:crypto';
import { Duplex, PassThrough } from 'node:stream';
import { conflict, EngineError, invalid } from '../../errdefs.js';
import type { AttachClient, ContainerService } from '../../engine/service.js';
import { type Ctx, qbool, type Route } from '../router.js';
import { versionAtLeast } from '../server.js';
import { parseDetachKeys } from '../stream/detach.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A frame larger than this is refused (close 1009): a client must not make berthd buffer without bound. */
export const MAX_FRAME = 16 * 1024 * 1024;
/** Output a client may fall behind by before it is disconnected (conmon's socket cannot be paused). */
const BACKLOG_MAX = 64 * 1024 * 1024;

export const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** One frame, FIN set; masked with `mask` when given (clients must mask, servers must not). */
export function encodeFrame(opcode: number, payload: Buffer, mask?: Buffer): Buffer {
  const n = payload.length;
  const len = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const head = Buffer.alloc(len + (mask ? 4 : 0));
  head[0] = 0x80 | opcode;
  const m = mask ? 0x80 : 0;
  if (n < 126) head[1] = m | n;
  else if (n < 65536) {
    head[1] = m | 126;
    head.writeUInt16BE(n, 2);
  } else {
    head[1] = m | 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  if (!mask) return Buffer.concat([head, payload]);
  mask.copy(head, len);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= mask[i & 3]!;
  return Buffer.concat([head, body]);
}

export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** Reassembles frames from socket chunks; throws a close code (1002 protocol, 1009 too big) on bad input. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    for (let f = this.next(); f; f = this.next()) out.push(f);
    return out;
  }
  private next(): Frame | null {
    const b = this.buf;
    if (b.length < 2) return null;
    if (b[0]! & 0x70) throw new WsClose(1002, 'reserved bits set');
    const masked = (b[1]! & 0x80) !== 0;
    let n = b[1]! & 0x7f;
    let off = 2;
    if (n === 126) {
      if (b.length < 4) return null;
      n = b.readUInt16BE(2);
      off = 4;
    } else if (n === 127) {
      if (b.length < 10) return null;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(MAX_FRAME)) throw new WsClose(1009, 'frame too big');
      n = Number(big);
      off = 10;
    }
    if (n > MAX_FRAME) throw new WsClose(1009, 'frame too big');
    const maskAt = off;
    if (masked) off += 4;
    if (b.length < off + n) return null;
    const payload = Buffer.from(b.subarray(off, off + n));
    if (masked) for (let i = 0; i < n; i++) payload[i]! ^= b[maskAt + (i & 3)]!;
    this.buf = b.subarray(off + n);
    return { fin: (b[0]! & 0x80) !== 0, opcode: b[0]! & 0x0f, payload };
  }
}

export class WsClose extends Error {
  constructor(
    readonly code: number,
    reason: string,
  ) {
    super(reason);
  }
}

const closeFrame = (code: number) => {
  const p = Buffer.alloc(2);
  p.writeUInt16BE(code);
  return encodeFrame(OP.close, p);
};

/** Answers the opening handshake (101) and hands back the socket; a request that is none is moby's 400. */
function handshake(ctx: Ctx): Duplex {
  const h = ctx.headers;
  const key = h['sec-websocket-key'];
  // without Connection: Upgrade node's server does not hand the socket over: a plain request then
  const upgrading = /\bupgrade\b/i.test(String(h.connection ?? ''));
  if (!upgrading || String(h.upgrade ?? '').toLowerCase() !== 'websocket' || typeof key !== 'string')
    throw invalid('websocket: the client is not using the websocket protocol: missing or bad upgrade');
  if (h['sec-websocket-version'] !== '13') throw invalid('missing or bad WebSocket Version');
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  const sock = ctx.reply.stream(101, 'application/octet-stream', {
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Accept': accept,
  });
  if (!(sock instanceof Duplex)) throw new EngineError('internal', 'websocket: the connection cannot be taken over');
  return sock;
}

/** The frames' data as the attach's stdin (dropped without stdin); pings answered, a close echoed and the input ended. */
function readFrames(sock: Duplex, input: PassThrough | null, onClose: () => void): void {
  const dec = new FrameDecoder();
  const fail = (code: number) => {
    if (!sock.destroyed) sock.end(closeFrame(code));
    input?.end();
    onClose();
  };
  sock.on('data', (chunk: Buffer) => {
    let frames: Frame[];
    try {
      frames = dec.push(chunk);
    } catch (e) {
      return fail(e instanceof WsClose ? e.code : 1002);
    }
    for (const f of frames) {
      if (f.opcode === OP.close) return fail(f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1000);
      if (f.opcode === OP.ping) sock.write(encodeFrame(OP.pong, f.payload));
      else if (input && f.opcode <= OP.binary && f.payload.length && !input.write(f.payload)) {
        sock.pause();
        input.once('drain', () => sock.resume());
      }
    }
  });
  sock.once('end', () => input?.end());
}

/** The attach client over the socket: output as frames, frames as input, abort when either side goes. */
function wsClient(ctx: Ctx, sock: Duplex, binary: boolean, withInput: boolean): AttachClient {
  const ac = new AbortController();
  const abort = () => ac.abort();
  sock.once('close', abort);
  sock.on('error', abort);
  ctx.signal.addEventListener('abort', abort);
  if (ctx.signal.aborted || sock.destroyed) abort();
  const input = withInput ? new PassThrough() : null;
  readFrames(sock, input, abort);
  return {
    write(_stream, chunk) {
      if (sock.destroyed || sock.writableEnded) return;
      if (sock.writableLength > BACKLOG_MAX) return void sock.destroy();
      sock.write(encodeFrame(binary ? OP.binary : OP.text, chunk));
    },
    input,
    signal: ac.signal,
  };
}

export function attachWsRoutes(c: Pick<ContainerService, 'find' | 'attach'>): Route[] {
  return [
    {
      method: 'GET',
      path: '/containers/{id}/attach/ws',
      handler: async (ctx) => {
        const q = ctx.query;
        const ref = ctx.params.id!;
        const rec = c.find(ref);
        const keys = q.get('detachKeys') ? parseDetachKeys(q.get('detachKeys')!) : null;
        // moby's containerAttach refusals, before the handshake
        if (rec.state.status === 'paused')
          throw conflict(`container ${ref} is paused, unpause the container before attach`);
        if (rec.state.status === 'restarting')
          throw conflict(`container ${ref} is restarting, wait until the container is running`);
        const gated = versionAtLeast(ctx.apiVersion, '1.42');
        const use = (k: string) => !gated || qbool(q, k);
        const sock = handshake(ctx);
        const client = wsClient(ctx, sock, versionAtLeast(ctx.apiVersion, '1.28'), use('stdin'));
        const o = { stdin: use('stdin'), stdout: use('stdout'), stderr: use('stderr') };
        await c.attach(rec.id, { ...o, stream: qbool(q, 'stream'), logs: qbool(q, 'logs'), detachKeys: keys }, client);
        if (!sock.destroyed && !sock.writableEnded) sock.end(closeFrame(1000));
        setTimeout(() => sock.destroy(), 2000).unref();
      },
    },
  ];
}
