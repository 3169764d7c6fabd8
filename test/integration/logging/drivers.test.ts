// Log drivers end to end: json-file (rotation under load, LogPath, docker logs), syslog over UDP and
// TCP to listeners in the test namespace, none, daemon defaults, and forwarding across a berthd restart.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { basename, dirname } from 'node:path';
import { after, before, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon } from '../../harness/daemon.js';
import { until } from '../../harness/until.js';

// Each test skips only where integration tests cannot run at all: daemonUnavailable() names why
// (not root, outside the harness's namespaces, no runc/conmon); `d` is unset when berthd did not start.
const skip = daemonUnavailable();
let d: Daemon | undefined;
before(async () => {
  if (!skip) d = await startDaemon({ args: ['--log-opt', 'max-size=50m'] });
});
after(async () => {
  if (d) assert.deepEqual((await d.stop()).leaks, []);
});

test('json-file is the default: LogPath, JSON lines, docker logs; daemon --log-opt applies', async (t) => {
  if (!d) return t.skip(`needs a running berthd: ${skip ?? 'it did not start'}`);
  const r = await d.docker(['run', '--name', 'j1', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
  assert.equal(r.code, 0, r.stderr);
  const insp = JSON.parse((await d.docker(['inspect', 'j1'])).stdout)[0];
  assert.deepEqual(insp.HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-size': '50m' } });
  assert.equal(basename(insp.LogPath), `${insp.Id}-json.log`);
  const lines = readFileSync(insp.LogPath, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => [l.log, l.stream]),
    [
      ['out\n', 'stdout'],
      ['err\n', 'stderr'],
    ],
  );
  const logs = await d.docker(['logs', 'j1']);
  assert.equal(logs.stdout, 'out\n');
  assert.equal(logs.stderr, 'err\n');
  assert.equal((await d.docker(['logs', '--tail', '1', 'j1'])).stderr, 'err\n');
});

test('rotation under load keeps max-file files under max-size, newest lines kept in order', async (t) => {
  if (!d) return t.skip(`needs a running berthd: ${skip ?? 'it did not start'}`);
  const r = await d.docker([
    'run',
    '--name',
    'rot',
    '--log-opt',
    'max-size=10k',
    '--log-opt',
    'max-file=3',
    'busybox',
    'sh',
    '-c',
    'seq 1 20000',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lp = (await d.docker(['inspect', '-f', '{{.LogPath}}', 'rot'])).stdout.trim();
  const files = readdirSync(dirname(lp))
    .filter((f) => f.startsWith(basename(lp)))
    .sort();
  assert.deepEqual(files, [basename(lp), `${basename(lp)}.1`, `${basename(lp)}.2`]);
  for (const f of files) assert.ok(statSync(`${dirname(lp)}/${f}`).size <= 10 * 1024);
  const out = (await d.docker(['logs', 'rot'])).stdout.trim().split('\n').map(Number);
  assert.equal(out.at(-1), 20000);
  assert.ok(out.length > 100 && out.length < 20000);
  out.forEach((n, i) => assert.equal(n, out[0]! + i)); // contiguous: nothing lost at a rotation
  assert.notEqual((await d.docker(['run', '--rm', '--log-opt', 'max-size=abc', 'busybox', 'true'])).code, 0);
  const bad = await d.docker(['run', '--rm', '--log-opt', 'no-such-opt=1', 'busybox', 'true']);
  assert.match(bad.stderr, /unknown log opt 'no-such-opt' for json-file log driver/);
});

test('syslog over UDP (daemon facility, tag template), still readable with docker logs', async (t) => {
  if (!d) return t.skip(`needs a running berthd: ${skip ?? 'it did not start'}`);
  const u = dgram.createSocket('udp4');
  u.bind(0, '127.0.0.1');
  await once(u, 'listening');
  const got: string[] = [];
  u.on('message', (m) => got.push(m.toString()));
  const up = (u.address() as net.AddressInfo).port;
  const r = await d.docker([
    'run',
    '--name',
    'sl',
    '--log-driver',
    'syslog',
    '--log-opt',
    `syslog-address=udp://127.0.0.1:${up}`,
    '--log-opt',
    'tag={{.Name}}',
    'busybox',
    'sh',
    '-c',
    'echo o1; echo e1 >&2',
  ]);
  assert.equal(r.code, 0, r.stderr);
  await until(() => got.length >= 2);
  u.close();
  assert.ok(
    got.some((m) => /^<30>.* sl\[\d+\]: o1\n$/.test(m)),
    got.join('|'),
  );
  assert.ok(
    got.some((m) => /^<27>.* sl\[\d+\]: e1\n$/.test(m)),
    got.join('|'),
  );
  // dual logging: docker logs still works, LogPath is empty
  assert.equal((await d.docker(['logs', 'sl'])).stdout, 'o1\n');
  assert.equal((await d.docker(['inspect', '-f', '{{.LogPath}}', 'sl'])).stdout.trim(), '');
});

test('syslog over TCP (mail facility, default tag); bad addresses and facilities are refused', async (t) => {
  if (!d) return t.skip(`needs a running berthd: ${skip ?? 'it did not start'}`);
  let tcp = '';
  const srv = net.createServer((c) => c.on('data', (x) => (tcp += x.toString())));
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const tp = (srv.address() as net.AddressInfo).port;
  const r2 = await d.docker([
    'run',
    '-d',
    '--log-driver',
    'syslog',
    '--log-opt',
    `syslog-address=tcp://127.0.0.1:${tp}`,
    '--log-opt',
    'syslog-facility=mail',
    'busybox',
    'echo',
    'over-tcp',
  ]);
  const id = r2.stdout.trim();
  await until(() => tcp.includes('over-tcp'));
  srv.close();
  assert.match(tcp, new RegExp(`^<22>.* ${id.slice(0, 12)}\\[\\d+\\]: over-tcp$`, 'm'));
  assert.match(
    (
      await d.docker([
        'run',
        '--rm',
        '--log-driver',
        'syslog',
        '--log-opt',
        'syslog-address=foo://x:1',
        'busybox',
        'true',
      ])
    ).stderr,
    /unsupported scheme: 'foo'/,
  );
  assert.match(
    (
      await d.docker([
        'run',
        '--rm',
        '--log-driver',
        'syslog',
        '--log-opt',
        'syslog-facility=nosuch',
        '--log-opt',
        'syslog-address=udp://127.0.0.1:9',
        'busybox',
        'true',
      ])
    ).stderr,
    /invalid syslog facility/,
  );
});

test('a dead syslog TCP endpoint does not block the container; none refuses docker logs', async (t) => {
  if (!d) return t.skip(`needs a running berthd: ${skip ?? 'it did not start'}`);
  const t0 = Date.now();
  const r = await d.docker([
    'run',
    '--rm',
    '--log-driver',
    'syslog',
    '--log-opt',
    'syslog-address=tcp://127.0.0.1:1',
    'busybox',
    'sh',
    '-c',
    'seq 1 5000',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Date.now() - t0 < 15_000);
  assert.equal((await d.docker(['run', '--name', 'nolog', '--log-driver', 'none', 'busybox', 'echo', 'x'])).code, 0);
  assert.match((await d.docker(['logs', 'nolog'])).stderr, /configured logging driver does not support reading/);
});

test('forwarding resumes after a berthd restart with no loss and no duplicates', async (t) => {
  if (!d) return t.skip(`needs a running berthd: ${skip ?? 'it did not start'}`);
  const r = await d.docker([
    'run',
    '-d',
    '--name',
    'rs',
    'busybox',
    'sh',
    '-c',
    'i=0; while [ $i -lt 80 ]; do echo n$i; i=$((i+1)); sleep 0.03; done; sleep 300',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lp = (await d.docker(['inspect', '-f', '{{.LogPath}}', 'rs'])).stdout.trim();
  await new Promise((res) => setTimeout(res, 600));
  const root = d.root;
  await d.kill('SIGKILL'); // no chance to flush: the persisted position must be enough
  await new Promise((res) => setTimeout(res, 2500)); // the container keeps logging meanwhile
  d = await startDaemon({ root, busybox: false });
  await until(() => readFileSync(lp, 'utf8').includes('"n79\\n"'));
  const got = readFileSync(lp, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).log.trim());
  assert.deepEqual(
    got,
    Array.from({ length: 80 }, (_, i) => `n${i}`),
  );
});
