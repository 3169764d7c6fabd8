// The gelf driver end to end with the docker CLI: UDP (gzip, chunked without compression) and TCP
// to listeners inside the test namespace, docker logs through the local cache, Docker's
// validation texts, and dead endpoints that must not block the container or berthd.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { daemonPerFile } from '../../harness/daemon.js';
import { until } from '../../harness/until.js';

const berthd = daemonPerFile();
const skip = berthd.skip ?? false;

type Gelf = Record<string, string | number>;

test('gelf over UDP: gzip, Docker fields, level by stream, tag template; docker logs still works', {
  skip,
}, async (t) => {
  const d = berthd.d;
  const u = dgram.createSocket('udp4');
  u.bind(0, '127.0.0.1');
  await once(u, 'listening');
  const got: Gelf[] = [];
  u.on('message', (m) => got.push(JSON.parse(gunzipSync(m).toString())));
  const port = (u.address() as net.AddressInfo).port;
  const r = await d.docker([
    'run',
    '--name',
    'g1',
    '--label',
    'team=a',
    '--log-driver',
    'gelf',
    '--log-opt',
    `gelf-address=udp://127.0.0.1:${port}`,
    '--log-opt',
    'tag={{.Name}}/{{.ID}}',
    '--log-opt',
    'labels=team',
    'busybox',
    'sh',
    '-c',
    'echo out1; echo err1 >&2',
  ]);
  assert.equal(r.code, 0, r.stderr);
  await until(() => got.length >= 2);
  u.close();
  const insp = JSON.parse((await d.docker(['inspect', 'g1'])).stdout)[0];
  const out = got.find((m) => m.short_message === 'out1')!;
  const err = got.find((m) => m.short_message === 'err1')!;
  assert.equal(out.level, 6);
  assert.equal(err.level, 3);
  assert.equal(out.version, '1.1');
  assert.equal(out._container_id, insp.Id);
  assert.equal(out._container_name, 'g1');
  assert.equal(out._image_name, 'busybox');
  assert.equal(out._image_id, insp.Image);
  assert.equal(out._command, 'sh -c echo out1; echo err1 >&2');
  assert.equal(out._tag, `g1/${insp.Id.slice(0, 12)}`);
  assert.equal(out._created, insp.Created);
  assert.equal(out.team, 'a');
  assert.ok(Math.abs(Number(out.timestamp) * 1000 - Date.now()) < 60_000);
  assert.equal(insp.LogPath, '');
  const logs = await d.docker(['logs', 'g1']);
  assert.equal(logs.stdout, 'out1\n');
  assert.equal(logs.stderr, 'err1\n');
});

test('gelf over UDP without compression: a 5000-byte line arrives in 1420-byte chunks', { skip }, async (t) => {
  const d = berthd.d;
  const u = dgram.createSocket('udp4');
  u.bind(0, '127.0.0.1');
  await once(u, 'listening');
  const chunks: Buffer[] = [];
  u.on('message', (m) => chunks.push(m));
  const port = (u.address() as net.AddressInfo).port;
  const r = await d.docker([
    'run',
    '--rm',
    '--log-driver',
    'gelf',
    '--log-opt',
    `gelf-address=udp://127.0.0.1:${port}`,
    '--log-opt',
    'gelf-compression-type=none',
    'busybox',
    'sh',
    '-c',
    'head -c 5000 /dev/zero | tr "\\0" x; echo',
  ]);
  assert.equal(r.code, 0, r.stderr);
  await until(() => chunks.length > 0 && chunks.length === chunks[0]![11]);
  u.close();
  assert.ok(chunks.length >= 4);
  for (const c of chunks) {
    assert.deepEqual([c[0], c[1]], [0x1e, 0x0f]);
    assert.ok(c.length <= 1420);
    assert.deepEqual(c.subarray(2, 10), chunks[0]!.subarray(2, 10));
  }
  const msg = JSON.parse(Buffer.concat(chunks.sort((a, b) => a[10]! - b[10]!).map((c) => c.subarray(12))).toString());
  assert.equal(msg.short_message, 'x'.repeat(5000));
});

test('gelf over TCP: NUL-framed JSON; a dead TCP or UDP endpoint blocks neither the container nor berthd', {
  skip,
}, async (t) => {
  const d = berthd.d;
  let data = '';
  const srv = net.createServer((c) => c.on('data', (x) => (data += x.toString())));
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  const r = await d.docker([
    'run',
    '--rm',
    '--log-driver',
    'gelf',
    '--log-opt',
    `gelf-address=tcp://127.0.0.1:${port}`,
    'busybox',
    'sh',
    '-c',
    'seq 1 3',
  ]);
  assert.equal(r.code, 0, r.stderr);
  await until(() => data.split('\0').length >= 4);
  srv.close();
  assert.deepEqual(
    data
      .split('\0')
      .filter(Boolean)
      .map((m) => JSON.parse(m).short_message),
    ['1', '2', '3'],
  );

  const t0 = Date.now();
  const dead = await d.docker([
    'run',
    '--name',
    'gdead',
    '--log-driver',
    'gelf',
    '--log-opt',
    'gelf-address=tcp://127.0.0.1:1',
    'busybox',
    'sh',
    '-c',
    'seq 1 20000',
  ]);
  assert.equal(dead.code, 0, dead.stderr);
  const deadUdp = await d.docker([
    'run',
    '--rm',
    '--log-driver',
    'gelf',
    '--log-opt',
    'gelf-address=udp://127.0.0.1:1',
    'busybox',
    'sh',
    '-c',
    'seq 1 20000',
  ]);
  assert.equal(deadUdp.code, 0, deadUdp.stderr);
  assert.ok(Date.now() - t0 < 20_000, `took ${Date.now() - t0} ms`);
  // berthd answers, and the local cache has every line
  const tail = await d.docker(['logs', '--tail', '2', 'gdead']);
  assert.equal(tail.stdout, '19999\n20000\n');
  assert.equal((await d.docker(['logs', 'gdead'])).stdout.split('\n').length, 20001);
});

test("gelf options are validated with Docker's texts", { skip }, async (t) => {
  const d = berthd.d;
  const run = (opts: string[]) =>
    berthd.d.docker([
      'run',
      '--rm',
      '--log-driver',
      'gelf',
      ...opts.flatMap((o) => ['--log-opt', o]),
      'busybox',
      'true',
    ]);
  assert.match(
    (await run(['gelf-address=udp://127.0.0.1:12201', 'x=1'])).stderr,
    /unknown log opt 'x' for gelf log driver/,
  );
  assert.match((await run([])).stderr, /gelf-address is a required parameter/);
  assert.match((await run(['gelf-address=http://127.0.0.1:12201'])).stderr, /gelf: endpoint needs to be TCP or UDP/);
  assert.match(
    (await run(['gelf-address=udp://127.0.0.1'])).stderr,
    /gelf: please provide gelf-address as proto:\/\/host:port/,
  );
  assert.match(
    (await run(['gelf-address=tcp://127.0.0.1:12201', 'gelf-compression-type=gzip'])).stderr,
    /compression is only supported on UDP/,
  );
  assert.equal((await d.docker(['ps', '-aq', '--filter', 'status=created'])).stdout.trim(), '');
});
