// The fluentd driver end to end with the docker CLI: forward-protocol messages to a TCP listener in
// the test namespace (Docker's record fields, tag template, sub-second EventTime), docker logs via
// the local cache, validation texts, and a dead endpoint that blocks nothing.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';
import { until } from '../../harness/until.js';
import { EventTime, unpack } from '../../../src/logs/fluentd/msgpack.js';

const berthd = daemonPerFile();
const skip = berthd.skip ?? false;

test('fluentd forward protocol over TCP: [tag, time, record]; docker logs still works', { skip }, async (t) => {
  const d = berthd.d;
  const got: unknown[][] = [];
  let buf = Buffer.alloc(0);
  const srv = net.createServer((c) =>
    c.on('data', (x) => {
      buf = Buffer.concat([buf, x]);
      while (buf.length) {
        try {
          const [v, n] = unpack(buf);
          got.push(v as unknown[]);
          buf = buf.subarray(n);
        } catch {
          break;
        }
      }
    }),
  );
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  const r = await d.docker([
    'run',
    '--name',
    'fl',
    '--log-driver',
    'fluentd',
    '--log-opt',
    `fluentd-address=127.0.0.1:${port}`,
    '--log-opt',
    'tag=docker.{{.Name}}',
    '--log-opt',
    'fluentd-sub-second-precision=true',
    'busybox',
    'sh',
    '-c',
    'echo hello; echo bad >&2',
  ]);
  assert.equal(r.code, 0, r.stderr);
  await until(() => got.length >= 2);
  srv.close();
  const id = (await d.docker(['inspect', '-f', '{{.Id}}', 'fl'])).stdout.trim();
  const out = got.find((m) => (m[2] as Record<string, string>).log === 'hello')!;
  assert.equal(out[0], 'docker.fl');
  assert.ok(out[1] instanceof EventTime && Math.abs((out[1] as EventTime).sec - Date.now() / 1000) < 60);
  assert.deepEqual(out[2], { container_id: id, container_name: '/fl', source: 'stdout', log: 'hello' });
  assert.equal(
    (got.find((m) => (m[2] as Record<string, string>).log === 'bad')![2] as Record<string, string>).source,
    'stderr',
  );
  const logs = await d.docker(['logs', 'fl']);
  assert.equal(logs.stdout, 'hello\n');
  assert.equal(logs.stderr, 'bad\n');
});

test('fluentd: a dead endpoint blocks neither the container nor berthd; options are validated', { skip }, async (t) => {
  const d = berthd.d;
  const t0 = Date.now();
  const r = await d.docker([
    'run',
    '--name',
    'fldead',
    '--log-driver',
    'fluentd',
    '--log-opt',
    'fluentd-address=tcp://127.0.0.1:1',
    'busybox',
    'sh',
    '-c',
    'seq 1 20000',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
  assert.equal((await d.docker(['logs', '--tail', '1', 'fldead'])).stdout, '20000\n');
  const run = (o: string) =>
    berthd.d.docker(['run', '--rm', '--log-driver', 'fluentd', '--log-opt', o, 'busybox', 'true']);
  assert.match((await run('x=1')).stderr, /unknown log opt 'x' for fluentd log driver/);
  assert.match((await run('fluentd-address=udp://127.0.0.1:24224')).stderr, /unsupported scheme: 'udp'/);
});
