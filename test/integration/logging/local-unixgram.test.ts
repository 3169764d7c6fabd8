// The local driver in Docker's framed-protobuf format (round trip through docker logs, --tail,
// --since, rotation with gzip) and syslog to a unix datagram socket, with the docker CLI.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';
import { until } from '../../harness/until.js';

const berthd = daemonPerFile();
const skip = berthd.skip ?? false;

test('local driver: protobuf entries on disk, docker logs / --tail / --since / -t round trip', { skip }, async (t) => {
  const d = berthd.d;
  const r = await d.docker([
    'run',
    '--name',
    'loc',
    '--log-driver',
    'local',
    'busybox',
    'sh',
    '-c',
    'echo first; echo oops >&2; sleep 1.2; seq 2 4',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const id = (await d.docker(['inspect', '-f', '{{.Id}}', 'loc'])).stdout.trim();
  const file = join(d.dataRoot, 'containers', id, 'local-logs', 'container.log');
  const raw = readFileSync(file);
  // [u32 size][0a 06 "stdout" 10 <time> 1a 05 "first"][u32 size]
  const size = raw.readUInt32BE(0);
  assert.equal(raw.readUInt32BE(4 + size), size);
  assert.deepEqual(raw.subarray(4, 12), Buffer.concat([Buffer.from([0x0a, 6]), Buffer.from('stdout')]));
  assert.ok(raw.subarray(4, 4 + size).includes(Buffer.concat([Buffer.from([0x1a, 5]), Buffer.from('first')])));
  const logs = await d.docker(['logs', 'loc']);
  assert.equal(logs.stdout, 'first\n2\n3\n4\n');
  assert.equal(logs.stderr, 'oops\n');
  assert.equal((await d.docker(['logs', '--tail', '2', 'loc'])).stdout, '3\n4\n');
  const stamped = (await d.docker(['logs', '-t', 'loc'])).stdout.trim().split('\n');
  assert.match(stamped[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z first$/);
  const since = stamped[1]!.split(' ')[0]!; // the time of "2", after the sleep
  assert.equal((await d.docker(['logs', '--since', since, 'loc'])).stdout, '2\n3\n4\n');
});

test('local driver rotation: max-size/max-file honoured, rotated files gzipped, lines contiguous', {
  skip,
}, async (t) => {
  const d = berthd.d;
  const r = await d.docker([
    'run',
    '--name',
    'locrot',
    '--log-driver',
    'local',
    '--log-opt',
    'max-size=20k',
    '--log-opt',
    'max-file=3',
    'busybox',
    'sh',
    '-c',
    'seq 1 30000',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const id = (await d.docker(['inspect', '-f', '{{.Id}}', 'locrot'])).stdout.trim();
  const dir = join(d.dataRoot, 'containers', id, 'local-logs');
  await until(() => readdirSync(dir).sort().join() === 'container.log,container.log.1.gz,container.log.2.gz');
  const out = (await d.docker(['logs', 'locrot'])).stdout.trim().split('\n').map(Number);
  assert.equal(out.at(-1), 30000);
  assert.ok(out.length > 1000 && out.length < 30000, String(out.length));
  out.forEach((n, i) => assert.equal(n, out[0]! + i));
  assert.equal((await d.docker(['logs', '--tail', '3', 'locrot'])).stdout, '29998\n29999\n30000\n');
  assert.match(
    (await d.docker(['run', '--rm', '--log-driver', 'local', '--log-opt', 'tag=x', 'busybox', 'true'])).stderr,
    /unknown log opt 'tag' for local log driver/,
  );
});

test('syslog to a unix datagram socket (unixgram://)', { skip }, async (t) => {
  const d = berthd.d;
  const { DgramSocket } = createRequire(import.meta.url)('node-unix-socket') as typeof import('node-unix-socket');
  const sockDir = mkdtempSync(join(tmpdir(), 'berth-ug-'));
  t.after(() => rmSync(sockDir, { recursive: true, force: true }));
  const sock = join(sockDir, 'log');
  const srv = new DgramSocket();
  srv.bind(sock);
  const got: string[] = [];
  srv.on('data', (b: Buffer) => got.push(b.toString()));
  try {
    const r = await d.docker([
      'run',
      '--name',
      'ug',
      '--log-driver',
      'syslog',
      '--log-opt',
      `syslog-address=unixgram://${sock}`,
      '--log-opt',
      'tag={{.Name}}',
      'busybox',
      'sh',
      '-c',
      'echo via-dgram; echo e >&2',
    ]);
    assert.equal(r.code, 0, r.stderr);
    await until(() => got.length >= 2);
  } finally {
    srv.close();
  }
  assert.ok(
    got.some((m) => /^<30>\w{3} [ \d]\d \d\d:\d\d:\d\d ug\[\d+\]: via-dgram\n$/.test(m)),
    got.join('|'),
  );
  assert.ok(
    got.some((m) => /^<27>.* ug\[\d+\]: e\n$/.test(m)),
    got.join('|'),
  );
  assert.equal((await d.docker(['logs', 'ug'])).stdout, 'via-dgram\n');
  assert.match(
    (
      await d.docker([
        'run',
        '--rm',
        '--log-driver',
        'syslog',
        '--log-opt',
        'syslog-address=unixgram:///nonexistent/sock',
        'busybox',
        'true',
      ])
    ).stderr,
    /no such file or directory/,
  );
});
