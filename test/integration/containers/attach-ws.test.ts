// GET /containers/{id}/attach/ws against a real berthd: a raw RFC 6455 client (Node 20 has no
// WebSocket client) types into `cat` and reads it back, replays logs, and sees the attach event.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { test } from 'node:test';
import { encodeFrame, type Frame, FrameDecoder, OP } from '../../../src/api/routes/attach-ws.js';
import { daemonPerFile, getUnix, dockerOk } from '../../harness/daemon.js';

const h = daemonPerFile();
const skip = h.skip ?? false;
const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);

const ok = (args: string[]) => dockerOk(h.d, args);

function openWs(p: string): Promise<{ status: number; socket: Duplex }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath: h.d.socket,
      path: p,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': Buffer.from('berth-ws-test-key').toString('base64'),
        'Sec-WebSocket-Version': '13',
      },
    });
    req.on('upgrade', (res, socket, head) => {
      if (head.length) socket.unshift(head);
      resolve({ status: res.statusCode ?? 0, socket });
    });
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Collects frames; `until` resolves once the data frames so far contain the text. */
function reader(s: Duplex) {
  const dec = new FrameDecoder();
  const frames: Frame[] = [];
  const waiters: Array<() => void> = [];
  s.on('data', (c: Buffer) => {
    frames.push(...dec.push(c));
    for (const w of waiters.splice(0)) w();
  });
  const text = () =>
    frames
      .filter((f) => f.opcode === OP.binary)
      .map((f) => f.payload.toString())
      .join('');
  const closed = new Promise<void>((r) => s.once('close', r));
  const until = async (want: string) => {
    const end = Date.now() + 15_000;
    while (!text().includes(want)) {
      if (Date.now() > end) assert.fail(`no ${JSON.stringify(want)} in ${JSON.stringify(text())}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return { frames, text, until, closed };
}

test('attach/ws: stdin frames reach cat, its output comes back as binary frames, an attach event is logged', {
  skip,
}, async () => {
  const id = await ok(['run', '-d', '-i', '--name', 'wscat', 'busybox', 'cat']);
  const since = (Date.now() / 1000).toFixed(3);
  const ws = await openWs('/v1.47/containers/wscat/attach/ws?stream=1&stdin=1&stdout=1&stderr=1');
  assert.equal(ws.status, 101);
  const r = reader(ws.socket);
  ws.socket.write(encodeFrame(OP.text, Buffer.from('over the wire\n'), mask));
  await r.until('over the wire\n');
  // the client closes: the server answers the close and the container keeps running
  ws.socket.write(encodeFrame(OP.close, Buffer.from([0x03, 0xe8]), mask));
  await r.closed;
  assert.deepEqual(
    r.frames.filter((f) => f.opcode === OP.close).map((f) => f.payload.toString('hex')),
    ['03e8'],
  );
  assert.equal(await ok(['inspect', '--format', '{{.State.Running}}', 'wscat']), 'true');
  const q = new URLSearchParams({ since, until: (Date.now() / 1000).toFixed(3), filters: '{"event":["attach"]}' });
  const evs = (await getUnix(h.d.socket, `/events?${q}`, 10_000)).body.split('\n').filter(Boolean);
  assert.deepEqual(
    evs.map((l) => JSON.parse(l).Actor.ID),
    [id],
  );
  await ok(['rm', '-f', 'wscat']);
});

test('attach/ws?logs=1 of an exited container: its output replayed, then close 1000', { skip }, async () => {
  await ok(['run', '--name', 'wslogs', 'busybox', 'sh', '-c', 'echo first; echo second >&2']);
  const ws = await openWs('/v1.47/containers/wslogs/attach/ws?logs=1&stdout=1');
  const r = reader(ws.socket);
  await r.closed;
  assert.equal(r.text(), 'first\n', 'stdout only, as asked');
  assert.deepEqual(
    r.frames.filter((f) => f.opcode === OP.close).map((f) => f.payload.toString('hex')),
    ['03e8'],
  );
  await ok(['rm', 'wslogs']);
});
