import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { gunzipSync, inflateSync } from 'node:zlib';
import { chunkGelf, CHUNK_SIZE, encodeGelf, gelfExtra, GelfSender } from './gelf.js';
import { gelfOptions } from './options.js';
import { validateLogConfig } from '../options.js';

const info = {
  id: 'c'.repeat(64),
  name: '/web',
  imageId: 'sha256:' + 'a'.repeat(64),
  image: 'busybox',
  command: 'sh -c echo <hi>',
  tag: 'cccccccccccc',
  created: '2026-01-01T00:00:00.5Z',
};
const cfg = (c: Record<string, string>) => ({ Type: 'gelf', Config: c });

test("messages are go-gelf's JSON: version, host, short_message, timestamp, level, sorted extras", () => {
  const extra = gelfExtra({ ...info, attrs: { location: 'x' } });
  const m = JSON.parse(encodeGelf('h1', 'stderr', Buffer.from('boom\n'), 1767225600_123456789n, extra).toString());
  const order = `version host short_message timestamp level
    _command _container_id _container_name _created _image_id _image_name _tag location`; // go-gelf: the fixed fields, then the extras sorted
  assert.deepEqual(Object.keys(m), order.split(/\s+/));
  assert.equal(m.version, '1.1');
  assert.equal(m.short_message, 'boom');
  assert.equal(m.timestamp, 1767225600.123);
  assert.equal(m.level, 3);
  assert.equal(m._container_name, 'web');
  assert.equal(m._command, 'sh -c echo <hi>');
  assert.match(extra, /sh -c echo \\u003chi\\u003e/); // Go's HTML-safe escaping
  assert.equal(JSON.parse(encodeGelf('h', 'stdout', 'x', 0n, '').toString()).level, 6);
});

test('chunks above 1420 bytes with magic, id, sequence and count', () => {
  assert.equal(chunkGelf(Buffer.alloc(CHUNK_SIZE)).length, 1);
  const data = Buffer.alloc(3000, 7);
  const id = Buffer.from('01234567');
  const ch = chunkGelf(data, id);
  assert.equal(ch.length, 3);
  ch.forEach((c, i) => {
    assert.deepEqual([c[0], c[1]], [0x1e, 0x0f]);
    assert.equal(c.subarray(2, 10).toString(), '01234567');
    assert.deepEqual([c[10], c[11]], [i, 3]);
    assert.ok(c.length <= CHUNK_SIZE);
  });
  assert.deepEqual(Buffer.concat(ch.map((c) => c.subarray(12))), data);
  assert.throws(() => chunkGelf(Buffer.alloc(1408 * 128 + 1)), /msg too large/);
});

test("validation copies Docker's texts", () => {
  const bad = (c: Record<string, string>, re: RegExp) => assert.throws(() => validateLogConfig(cfg(c)), re);
  bad({}, /gelf-address is a required parameter/);
  bad({ 'gelf-address': 'http://x:1' }, /gelf: endpoint needs to be TCP or UDP/);
  bad({ 'gelf-address': '127.0.0.1:12201' }, /parse "127.0.0.1:12201": first path segment in URL cannot contain colon/);
  bad({ 'gelf-address': 'udp://127.0.0.1' }, /gelf: please provide gelf-address as proto:\/\/host:port/);
  bad({ 'gelf-address': 'udp://127.0.0.1:1', x: '1' }, /unknown log opt 'x' for gelf log driver/);
  bad({ 'gelf-address': 'tcp://127.0.0.1:1', 'gelf-compression-type': 'gzip' }, /compression is only supported on UDP/);
  bad(
    { 'gelf-address': 'udp://127.0.0.1:1', 'gelf-compression-type': 'lz4' },
    /unknown value "lz4" for log opt "gelf-compression-type" for gelf log driver/,
  );
  bad(
    { 'gelf-address': 'udp://127.0.0.1:1', 'gelf-compression-level': '10' },
    /unknown value "10" for log opt "gelf-compression-level"/,
  );
  bad(
    { 'gelf-address': 'udp://127.0.0.1:1', 'gelf-tcp-max-reconnect': '3' },
    /"gelf-tcp-max-reconnect" is only valid for TCP/,
  );
  bad(
    { 'gelf-address': 'tcp://127.0.0.1:1', 'gelf-tcp-reconnect-delay': '-1' },
    /"gelf-tcp-reconnect-delay" must be a positive integer/,
  );
  const o = gelfOptions(
    cfg({
      'gelf-address': 'tcp://127.0.0.1:12201',
      'gelf-tcp-max-reconnect': '5',
      'gelf-tcp-reconnect-delay': '2',
      tag: 't',
    }),
  );
  assert.deepEqual([o.proto, o.host, o.port, o.maxReconnect, o.reconnectDelayMs], ['tcp', '127.0.0.1', 12201, 5, 2000]);
});

async function udpListener(): Promise<{ port: number; got: Buffer[]; close: () => void }> {
  const s = dgram.createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const got: Buffer[] = [];
  s.on('message', (m) => got.push(m));
  return { port: (s.address() as net.AddressInfo).port, got, close: () => s.close() };
}

const until = async (f: () => boolean) => {
  for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(f(), 'timed out');
};

test('UDP: gzip by default, zlib and none on request; big messages arrive chunked', async () => {
  const l = await udpListener();
  const send = async (c: Record<string, string>, line: string) => {
    const s = new GelfSender(gelfOptions(cfg({ 'gelf-address': `udp://127.0.0.1:${l.port}`, ...c })), gelfExtra(info));
    s.send('stdout', Buffer.from(line + '\n'), 1_000_000_000n);
    await s.drained();
    await s.close();
  };
  await send({}, 'gz');
  await send({ 'gelf-compression-type': 'zlib' }, 'zl');
  await send({ 'gelf-compression-type': 'none' }, 'raw');
  await until(() => l.got.length >= 3);
  assert.deepEqual([l.got[0]![0], l.got[0]![1]], [0x1f, 0x8b]);
  assert.equal(JSON.parse(gunzipSync(l.got[0]!).toString()).short_message, 'gz');
  assert.equal(JSON.parse(inflateSync(l.got[1]!).toString()).short_message, 'zl');
  assert.equal(JSON.parse(l.got[2]!.toString()).short_message, 'raw');
  l.got.length = 0;
  const big = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join('');
  await send({ 'gelf-compression-type': 'none' }, big);
  await until(() => l.got.length >= 3);
  assert.ok(l.got.every((c) => c[0] === 0x1e && c[1] === 0x0f));
  const joined = Buffer.concat(l.got.sort((a, b) => a[10]! - b[10]!).map((c) => c.subarray(12)));
  assert.equal(JSON.parse(joined.toString()).short_message, big);
  l.close();
});

test('TCP: NUL-terminated JSON; a dead endpoint neither throws nor blocks, output resumes once it is up', async () => {
  // reserve a port, then close it: nothing listens there
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const s = new GelfSender(
    gelfOptions(cfg({ 'gelf-address': `tcp://127.0.0.1:${port}`, 'gelf-tcp-reconnect-delay': '0' })),
    gelfExtra(info),
  );
  const t0 = Date.now();
  for (let i = 0; i < 1000; i++) s.send('stdout', Buffer.from(`lost ${i}\n`), 0n);
  await s.drained();
  assert.ok(Date.now() - t0 < 1000);
  await new Promise((r) => setTimeout(r, 100));
  let data = Buffer.alloc(0);
  const srv = net.createServer((c) => c.on('data', (x) => (data = Buffer.concat([data, x]))));
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
  s.send('stderr', Buffer.from('hello\n'), 0n);
  await until(() => data.includes(0));
  const msgs = data
    .toString()
    .split('\0')
    .filter(Boolean)
    .map((m) => JSON.parse(m));
  assert.equal(msgs.at(-1).short_message, 'hello');
  assert.equal(msgs.at(-1).level, 3);
  await s.close();
  await new Promise<void>((r) => srv.close(() => r()));
});
