import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { EventTime, pack, unpack } from './msgpack.js';
import { encodeFluentd, FluentdSender } from './fluentd.js';
import { fluentdOptions } from './options.js';
import { validateLogConfig } from '../options.js';

test('msgpack bytes for the types the forward protocol uses', () => {
  assert.deepEqual(pack(['a', 1, null, true, false]), Buffer.from([0x95, 0xa1, 0x61, 0x01, 0xc0, 0xc3, 0xc2]));
  assert.deepEqual(pack({ k: 'v' }), Buffer.from([0x81, 0xa1, 0x6b, 0xa1, 0x76]));
  assert.deepEqual(pack(1_700_000_000), Buffer.from([0xce, 0x65, 0x53, 0xf1, 0x00]));
  assert.deepEqual(pack(-1), Buffer.from([0xff]));
  assert.deepEqual(pack(new EventTime(1, 2)), Buffer.from([0xd7, 0x00, 0, 0, 0, 1, 0, 0, 0, 2]));
  assert.deepEqual(pack('x'.repeat(40)).subarray(0, 2), Buffer.from([0xd9, 40]));
  assert.deepEqual(pack('x'.repeat(300)).subarray(0, 3), Buffer.from([0xda, 1, 44]));
});

test('forward-protocol message: [tag, time, record, option]; seconds or EventTime', () => {
  const rec = { container_id: 'c', container_name: '/n', source: 'stdout', log: 'hi' };
  assert.deepEqual(unpack(encodeFluentd('t', 1_700_000_000_123_000_000n, rec, false))[0], [
    't',
    1_700_000_000,
    rec,
    null,
  ]);
  assert.deepEqual(unpack(encodeFluentd('t', 1_700_000_000_123_000_000n, rec, true))[0], [
    't',
    new EventTime(1_700_000_000, 123_000_000),
    rec,
    null,
  ]);
});

test("options with Docker's texts", () => {
  const v = (c: Record<string, string>) => () => validateLogConfig({ Type: 'fluentd', Config: c });
  assert.throws(v({ x: '1' }), /unknown log opt 'x' for fluentd log driver/);
  assert.throws(v({ 'fluentd-address': 'udp://h:1' }), /unsupported scheme: 'udp'/);
  assert.throws(v({ 'fluentd-address': 'tcp://h:1/p' }), /should not contain a path element/);
  assert.throws(v({ 'fluentd-address': 'unix://' }), /path is empty/);
  assert.throws(v({ 'fluentd-async': 'maybe' }), /strconv.ParseBool: parsing "maybe": invalid syntax/);
  assert.throws(v({ 'fluentd-retry-wait': 'soon' }), /time: invalid duration "soon"/);
  const o = fluentdOptions({
    Type: 'fluentd',
    Config: {
      'fluentd-address': '10.0.0.1:9999',
      'fluentd-sub-second-precision': 'true',
      'fluentd-retry-wait': '500ms',
    },
  });
  assert.deepEqual([o.proto, o.host, o.port, o.subSecond, o.retryWaitMs], ['tcp', '10.0.0.1', 9999, true, 500]);
  assert.deepEqual(
    [fluentdOptions({ Type: 'fluentd', Config: {} }).host, fluentdOptions({ Type: 'fluentd', Config: {} }).port],
    ['127.0.0.1', 24224],
  );
  assert.equal(
    fluentdOptions({ Type: 'fluentd', Config: { 'fluentd-address': 'unix:///run/f.sock' } }).path,
    '/run/f.sock',
  );
});

test('sender: records over TCP in order; a dead endpoint neither blocks nor throws', async () => {
  const got: unknown[] = [];
  let data = Buffer.alloc(0);
  const srv = net.createServer((c) =>
    c.on('data', (x) => {
      data = Buffer.concat([data, x]);
      for (;;) {
        try {
          const [v, n] = unpack(data);
          got.push(v);
          data = data.subarray(n);
        } catch {
          break;
        }
        if (!data.length) break;
      }
    }),
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  const s = new FluentdSender(fluentdOptions({ Type: 'fluentd', Config: { 'fluentd-address': `127.0.0.1:${port}` } }), {
    id: 'cid',
    name: '/web',
    tag: 'app.web',
    extra: { team: 'a' },
  });
  s.send('stdout', Buffer.from('one\n'), 5_000_000_000n);
  s.send('stderr', Buffer.from('two\n'), 6_000_000_000n);
  for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(got, [
    ['app.web', 5, { container_id: 'cid', container_name: '/web', source: 'stdout', log: 'one', team: 'a' }, null],
    ['app.web', 6, { container_id: 'cid', container_name: '/web', source: 'stderr', log: 'two', team: 'a' }, null],
  ]);
  await s.close();
  await new Promise<void>((r) => srv.close(() => r()));
  const dead = new FluentdSender(
    fluentdOptions({
      Type: 'fluentd',
      Config: { 'fluentd-address': `127.0.0.1:${port}`, 'fluentd-max-retries': '1', 'fluentd-retry-wait': '10ms' },
    }),
    { id: 'c', name: '/n', tag: 't' },
  );
  const t0 = Date.now();
  for (let i = 0; i < 50_000; i++) dead.send('stdout', Buffer.from(`line ${i}\n`), 0n);
  await dead.drained();
  assert.ok(Date.now() - t0 < 2000);
  assert.ok(dead.dropped > 0); // beyond the buffer limit
  await dead.close();
});
