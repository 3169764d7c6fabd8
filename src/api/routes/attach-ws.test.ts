// The websocket attach: RFC 6455 framing both ways, the handshake, moby's version gates (binary
// frames from 1.28, stdin/stdout/stderr options from 1.42) over a real ApiServer and a fake engine.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { after, before, test } from 'node:test';
import type { AttachClient, AttachOptions, ContainerService } from '../../engine/service.js';
import type { ContainerRecord } from '../../engine/types.js';
import { ApiServer } from '../server.js';
import { attachWsRoutes, encodeFrame, type Frame, FrameDecoder, MAX_FRAME, OP, WsClose } from './attach-ws.js';

test('frames: 7-, 16- and 64-bit lengths, masked, split anywhere, decode to what was sent', () => {
  const mask = Buffer.from([1, 2, 3, 4]);
  const payloads = [Buffer.from('hi'), Buffer.alloc(300, 7), Buffer.alloc(70_000, 9)];
  const wire = Buffer.concat(payloads.map((p) => encodeFrame(OP.binary, p, mask)));
  const dec = new FrameDecoder();
  const got: Frame[] = [];
  for (let i = 0; i < wire.length; i += 1000) got.push(...dec.push(wire.subarray(i, i + 1000)));
  assert.deepEqual(
    got.map((f) => [f.fin, f.opcode, f.payload.equals(payloads[got.indexOf(f)]!)]),
    payloads.map(() => [true, OP.binary, true]),
  );
  assert.deepEqual(new FrameDecoder().push(encodeFrame(OP.text, Buffer.from('x'))), [
    { fin: true, opcode: OP.text, payload: Buffer.from('x') },
  ]);
});

test('frames: a length over the limit is close 1009, reserved bits 1002, before any payload is buffered', () => {
  const big = Buffer.from([0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0]);
  big.writeBigUInt64BE(BigInt(MAX_FRAME + 1), 2);
  assert.throws(
    () => new FrameDecoder().push(big),
    (e) => e instanceof WsClose && e.code === 1009,
  );
  assert.throws(
    () => new FrameDecoder().push(Buffer.from([0xc2, 0x00])),
    (e) => e instanceof WsClose && e.code === 1002,
  );
});

// a fake engine: says hello on stdout, echoes stdin back on stderr until "bye"
const asked: AttachOptions[] = [];
let status = 'running';
const fake = {
  find: (ref: string) => ({ id: ref.padEnd(64, '0'), state: { status } }) as unknown as ContainerRecord,
  attach: async (_id: string, o: AttachOptions, client: AttachClient) => {
    asked.push(o);
    client.write('stdout', Buffer.from('hello'));
    if (!client.input) return 'exited' as const;
    for await (const chunk of client.input as AsyncIterable<Buffer>) {
      if (chunk.toString() === 'bye') break;
      client.write('stderr', chunk);
    }
    return 'exited' as const;
  },
} as unknown as ContainerService;

let dir: string;
let sock: string;
let server: ApiServer;
before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'berth-ws-'));
  sock = path.join(dir, 'api.sock');
  server = new ApiServer({ routes: attachWsRoutes(fake), version: 'test' });
  await server.listen(sock);
});
after(() => {
  server.http.close();
  server.http.closeAllConnections?.();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens the websocket; resolves with the 101's headers and the socket, or the error answer. */
function open(p: string, key = 'dGhlIHNhbXBsZSBub25jZQ==') {
  return new Promise<{ headers: http.IncomingHttpHeaders; socket?: Duplex; status: number; body?: string }>(
    (resolve, reject) => {
      const req = http.request({
        socketPath: sock,
        path: p,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Key': key,
          'Sec-WebSocket-Version': '13',
        },
      });
      req.on('upgrade', (res, socket, head) => {
        if (head.length) socket.unshift(head);
        resolve({ headers: res.headers, socket, status: res.statusCode ?? 0 });
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ headers: res.headers, status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

/** Every frame the server sends until it closes the connection. */
function framesOf(s: Duplex): Promise<Frame[]> {
  const dec = new FrameDecoder();
  const out: Frame[] = [];
  return new Promise((resolve) => {
    s.on('data', (c: Buffer) => out.push(...dec.push(c)));
    s.on('close', () => resolve(out));
  });
}

test('handshake (RFC 6455 example key), binary frames, frames in as stdin, close 1000 at the end', async () => {
  asked.length = 0;
  const r = await open('/v1.47/containers/web/attach/ws?stream=1&stdin=1&stdout=1&stderr=1');
  assert.equal(r.status, 101);
  assert.equal(r.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  assert.equal(r.headers.upgrade, 'websocket');
  const frames = framesOf(r.socket!);
  const mask = Buffer.from([9, 8, 7, 6]);
  r.socket!.write(encodeFrame(OP.binary, Buffer.from('ping?'), mask));
  await new Promise((res) => setTimeout(res, 50));
  r.socket!.write(encodeFrame(OP.text, Buffer.from('bye'), mask));
  const got = await frames;
  assert.deepEqual(
    got.map((f) => [f.opcode, f.payload.toString('hex')]),
    [
      [OP.binary, Buffer.from('hello').toString('hex')],
      [OP.binary, Buffer.from('ping?').toString('hex')],
      [OP.close, '03e8'],
    ],
  );
  assert.deepEqual(asked, [{ stdin: true, stdout: true, stderr: true, stream: true, logs: false, detachKeys: null }]);
});

test('API 1.42+: only the streams asked; before 1.42 all three; before 1.28 text frames', async () => {
  asked.length = 0;
  const only = await open('/v1.47/containers/web/attach/ws?stream=1&stdout=1');
  await framesOf(only.socket!);
  const old = await open('/v1.27/containers/web/attach/ws?stream=1');
  const frames = framesOf(old.socket!);
  old.socket!.write(encodeFrame(OP.text, Buffer.from('bye'), Buffer.from([1, 1, 1, 1])));
  assert.equal((await frames)[0]!.opcode, OP.text);
  assert.deepEqual(
    asked.map((o) => [o.stdin, o.stdout, o.stderr]),
    [
      [false, true, false],
      [true, true, true],
    ],
  );
});

test("no websocket handshake is a 400; a paused container is moby's 409, before any upgrade", async () => {
  const plain = await new Promise<number>((resolve) =>
    http.get({ socketPath: sock, path: '/containers/web/attach/ws' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }),
  );
  assert.equal(plain, 400);
  // Upgrade: websocket without Connection: Upgrade is no handshake either (and no 101 on a plain reply)
  const half = await new Promise<number>((resolve) =>
    http.get(
      {
        socketPath: sock,
        path: '/containers/web/attach/ws',
        headers: { Upgrade: 'websocket', 'Sec-WebSocket-Key': 'a2V5', 'Sec-WebSocket-Version': '13' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    ),
  );
  assert.equal(half, 400);
  status = 'paused';
  try {
    const r = await open('/containers/web/attach/ws?stream=1');
    assert.equal(r.status, 409);
    assert.match(r.body ?? '', /container web is paused, unpause the container before attach/);
  } finally {
    status = 'running';
  }
});
