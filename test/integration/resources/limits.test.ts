// Resource limits: inspect values and cgroup files, Docker's validation texts, OOM kills,
// docker update live, docker stats, health checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Daemon, daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile();
const skip = berthd.skip ?? false;

const cg = (d: Daemon, c: string, v1: string) =>
  d.docker(['exec', c, 'sh', '-c', `cat /sys/fs/cgroup/${v1} 2>/dev/null`]).then((r) => r.stdout.trim());

test('memory, cpu and pids limits reach inspect and the cgroup; docker update changes them live', {
  skip,
}, async (t) => {
  const d = berthd.d;
  const r = await d.docker([
    'run',
    '-d',
    '--name',
    'lim',
    '-m',
    '128m',
    '--cpu-shares',
    '512',
    '--cpus',
    '0.5',
    '--pids-limit',
    '50',
    'busybox',
    'sleep',
    '300',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    (
      await d.docker([
        'inspect',
        '-f',
        '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}',
        'lim',
      ])
    ).stdout.trim(),
    `${128 << 20} ${256 << 20} 500000000 50`,
  );
  if ((await cg(d, 'lim', 'memory/memory.limit_in_bytes')) !== '') {
    assert.equal(await cg(d, 'lim', 'memory/memory.limit_in_bytes'), String(128 << 20));
    assert.equal(await cg(d, 'lim', 'cpu/cpu.shares'), '512');
    assert.equal(await cg(d, 'lim', 'cpu/cpu.cfs_quota_us'), '50000');
    assert.equal(await cg(d, 'lim', 'pids/pids.max'), '50');
  }
  const u = await d.docker([
    'update',
    '--memory',
    '200m',
    '--memory-swap',
    '400m',
    '--cpus',
    '1',
    '--restart',
    'always',
    'lim',
  ]);
  assert.equal(u.code, 0, u.stderr);
  assert.equal(
    (
      await d.docker([
        'inspect',
        '-f',
        '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.RestartPolicy.Name}}',
        'lim',
      ])
    ).stdout.trim(),
    `${200 << 20} 1000000000 always`,
  );
  if ((await cg(d, 'lim', 'memory/memory.limit_in_bytes')) !== '') {
    assert.equal(await cg(d, 'lim', 'memory/memory.limit_in_bytes'), String(200 << 20));
    assert.equal(await cg(d, 'lim', 'cpu/cpu.cfs_quota_us'), '100000');
  }
  assert.match((await d.docker(['update', '--memory', '2m', 'lim'])).stderr, /Minimum memory limit allowed is 6MB/);
  const s = await d.docker(['stats', '--no-stream', '--format', '{{.Name}}|{{.MemUsage}}|{{.PIDs}}', 'lim']);
  assert.match(s.stdout.trim(), /^lim\|[0-9.]+[KMG]i?B \/ 200MiB\|1$/);
});

test("invalid limits are refused with Docker's messages", { skip }, async (t) => {
  const d = berthd.d;
  const n = Number((await d.docker(['run', '--rm', 'busybox', 'nproc'])).stdout.trim());
  const cases: Array<[string[], RegExp]> = [
    [['--memory', '4m'], /Minimum memory limit allowed is 6MB/],
    [['-m', '200m', '--memory-swap', '100m'], /Minimum memoryswap limit should be larger than memory limit/],
    [
      ['--cpus', String(n + 3)],
      new RegExp(`Range of CPUs is from 0.01 to ${n}.00, as there are only ${n} CPUs available`),
    ],
    [['--cpus', '0.5', '--cpu-quota', '1000'], /Conflicting options: Nano CPUs and CPU/],
    [['--cpuset-cpus', String(n + 7)], /Requested CPUs are not available/],
  ];
  for (const [args, re] of cases) {
    const r = await d.docker(['run', '--rm', ...args, 'busybox', 'true']);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, re);
  }
});

test('an OOM kill is reported: OOMKilled true, exit 137', { skip }, async (t) => {
  const d = berthd.d;
  await d.docker([
    'run',
    '--name',
    'oom',
    '-m',
    '8m',
    '--memory-swap',
    '8m',
    'busybox',
    'sh',
    '-c',
    'dd if=/dev/zero of=/dev/null bs=64M count=1',
  ]);
  assert.equal(
    (await d.docker(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'oom'])).stdout.trim(),
    'true 137',
  );
});

test('health checks: starting → healthy, health_status events, ps shows it; unhealthy after retries', {
  skip,
}, async (t) => {
  const d = berthd.d;
  const since = Math.floor(Date.now() / 1000) - 1;
  await d.docker([
    'run',
    '-d',
    '--name',
    'hc',
    '--health-cmd',
    'test -f /tmp/ok',
    '--health-interval',
    '200ms',
    '--health-retries',
    '2',
    'busybox',
    'sh',
    '-c',
    'sleep 1; touch /tmp/ok; sleep 300',
  ]);
  await d.docker([
    'run',
    '-d',
    '--name',
    'bad',
    '--health-cmd',
    'exit 1',
    '--health-interval',
    '200ms',
    '--health-retries',
    '2',
    'busybox',
    'sleep',
    '300',
  ]);
  const end = Date.now() + 10_000;
  let st = '';
  while (Date.now() < end) {
    st = (await d.docker(['inspect', '-f', '{{.State.Health.Status}}', 'hc'])).stdout.trim();
    if (st === 'healthy') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(st, 'healthy');
  assert.match(
    (await d.docker(['ps', '--filter', 'name=hc', '--format', '{{.Status}}'])).stdout,
    /^Up .* \(healthy\)$/m,
  );
  // under load a probe (runc exec) can take a while: wait for the two failures rather than assume them
  let bad = '';
  for (const end2 = Date.now() + 10_000; Date.now() < end2; await new Promise((r) => setTimeout(r, 100))) {
    bad = (await d.docker(['inspect', '-f', '{{.State.Health.Status}}', 'bad'])).stdout.trim();
    if (bad === 'unhealthy') break;
  }
  assert.equal(bad, 'unhealthy');
  assert.equal((await d.docker(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}}'])).stdout.trim(), 'bad');
  const ev = await d.docker([
    'events',
    '--since',
    String(since),
    '--until',
    String(Math.floor(Date.now() / 1000) + 1),
    '--filter',
    'event=health_status',
    '--format',
    '{{.Action}} {{.Actor.Attributes.name}}',
  ]);
  assert.match(ev.stdout, /health_status: healthy hc/);
  assert.match(ev.stdout, /health_status: unhealthy bad/);
});
