// Every resource flag end to end with the docker CLI: HostConfig in inspect, the container's cgroup
// files (v1/hybrid here), /dev/shm and rlimits inside; refusals with Docker's texts; docker update
// written live into the cgroup; stats streams with network counters; health probes leave no execs.
// What the host's cgroups lack (a blkio weight on mq-deadline) is expected discarded with Docker's
// warning, as berthd detects it: the same sysinfo decides here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { daemonPerFile, dockerOk } from '../../harness/daemon.js';
import { detectSysInfo } from '../../../src/runtime/sysinfo.js';

const sys = await detectSysInfo();
const WEIGHT_DISCARDED =
  'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.';
/** The blkio weight inspect shows for a requested one: 0 when the host cannot honour it (moby discards it). */
const weight = (w: number) => (sys.blkioWeightFile ? w : 0);

const berthd = daemonPerFile();
const skip = berthd.skip ?? false;

const ok = (args: string[]) => dockerOk(berthd.d, args);
/** The files' contents inside the container, one per line ('' when missing). */
async function files(c: string, paths: string[]): Promise<string[]> {
  const out = await ok([
    'exec',
    c,
    'sh',
    '-c',
    paths.map((p) => `echo "$(cat /sys/fs/cgroup/${p} 2>/dev/null | head -1)"`).join('; '),
  ]);
  return out.split('\n');
}
const v1 = () =>
  berthd.d.docker(['run', '--rm', 'busybox', 'test', '-d', '/sys/fs/cgroup/memory']).then((r) => r.code === 0);

test('memory-reservation, oom-kill-disable, cpu period/quota, cpusets, blkio weight, pids, shm-size, ulimits', {
  skip,
}, async (t) => {
  const d = berthd.d;
  const run = await d.docker([
    'run',
    '-d',
    '--name',
    'f1',
    '-m',
    '64m',
    '--memory-reservation',
    '32m',
    '--oom-kill-disable',
    '--cpu-shares',
    '512',
    '--cpu-period',
    '50000',
    '--cpu-quota',
    '25000',
    '--cpuset-cpus',
    '0',
    '--cpuset-mems',
    '0',
    '--blkio-weight',
    '300',
    '--pids-limit',
    '40',
    '--shm-size',
    '16m',
    '--ulimit',
    'nofile=1024:2048',
    '--ulimit',
    'nproc=500',
    'busybox',
    'sleep',
    '300',
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr.includes(`WARNING: ${WEIGHT_DISCARDED}`), !sys.blkioWeightFile, `stderr: ${run.stderr}`);
  assert.equal(
    await ok([
      'inspect',
      '-f',
      '{{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.OomKillDisable}} {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpusetCpus}} {{.HostConfig.CpusetMems}} {{.HostConfig.BlkioWeight}} {{.HostConfig.PidsLimit}} {{.HostConfig.ShmSize}} {{json .HostConfig.Ulimits}}',
      'f1',
    ]),
    `${64 << 20} ${32 << 20} true 512 50000 25000 0 0 ${weight(300)} 40 ${16 << 20} [{"Hard":2048,"Name":"nofile","Soft":1024},{"Hard":500,"Name":"nproc","Soft":500}]`,
    'the CLI prints json keys sorted',
  );
  if (await v1()) {
    assert.deepEqual(
      await files('f1', [
        'memory/memory.limit_in_bytes',
        'memory/memory.soft_limit_in_bytes',
        'memory/memory.oom_control',
        'cpu/cpu.shares',
        'cpu/cpu.cfs_period_us',
        'cpu/cpu.cfs_quota_us',
        'cpuset/cpuset.cpus',
        'cpuset/cpuset.mems',
        'pids/pids.max',
      ]),
      [String(64 << 20), String(32 << 20), 'oom_kill_disable 1', '512', '50000', '25000', '0', '0', '40'],
    );
    if (sys.blkioWeightFile) assert.deepEqual(await files('f1', [`blkio/${sys.blkioWeightFile}`]), ['300']);
  }
  // /dev/shm is a 16 MiB tmpfs; the rlimits are the ones asked for
  assert.match(await ok(['exec', 'f1', 'df', '-k', '/dev/shm']), /\s16384\s/);
  // the container's process has exactly the rlimits asked for
  const limits = "awk '/^Max open files/{print $4, $5} /^Max processes/{print $3, $4}' /proc/1/limits";
  assert.equal(await ok(['exec', 'f1', 'sh', '-c', limits]), '500 500\n1024 2048');
  // an exec gets them too, but its soft nofile races with runc 1.1's Go runtime raising it to the
  // hard limit in `runc init` (runc#4195, fixed in runc 1.2): only the hard limits are exact there
  assert.equal(await ok(['exec', 'f1', 'sh', '-c', 'ulimit -Hn; ulimit -u']), '2048\n500');
  assert.equal(
    await ok(['run', '--rm', 'busybox', 'sh', '-c', 'df -k /dev/shm | tail -1 | tr -s " " | cut -d" " -f2']),
    '65536',
    'default shm 64 MiB',
  );
});

test('device read/write bps and iops reach the throttle files', { skip }, async (t) => {
  const name = execFileSync('lsblk', ['-d', '-n', '-o', 'NAME'], { encoding: 'utf8' }).split('\n')[0]?.trim();
  if (!name) return t.skip('no block device');
  const dev = `/dev/${name}`;
  const majmin = execFileSync('lsblk', ['-d', '-n', '-o', 'MAJ:MIN', dev], { encoding: 'utf8' }).trim();
  await ok([
    'run',
    '-d',
    '--name',
    'f2',
    '--device-read-bps',
    `${dev}:1mb`,
    '--device-write-bps',
    `${dev}:2mb`,
    '--device-read-iops',
    `${dev}:100`,
    '--device-write-iops',
    `${dev}:200`,
    'busybox',
    'sleep',
    '300',
  ]);
  assert.equal(
    await ok([
      'inspect',
      '-f',
      '{{json .HostConfig.BlkioDeviceReadBps}} {{json .HostConfig.BlkioDeviceWriteIOps}}',
      'f2',
    ]),
    `[{"Path":"${dev}","Rate":1048576}] [{"Path":"${dev}","Rate":200}]`,
  );
  if (await v1()) {
    assert.deepEqual(
      await files('f2', [
        'blkio/blkio.throttle.read_bps_device',
        'blkio/blkio.throttle.write_bps_device',
        'blkio/blkio.throttle.read_iops_device',
        'blkio/blkio.throttle.write_iops_device',
      ]),
      [`${majmin} 1048576`, `${majmin} 2097152`, `${majmin} 100`, `${majmin} 200`],
    );
  }
  await ok(['rm', '-f', 'f2']);
});

test("refusals and warnings with Docker's texts (ulimit above berthd's own, cpuset format, missing device)", {
  skip,
}, async (t) => {
  const d = berthd.d;
  const limits = readFileSync(`/proc/${d.pid}/limits`, 'utf8');
  const hard = /^Max open files\s+\S+\s+(\S+)/m.exec(limits)?.[1];
  const cases: Array<[string[], RegExp]> = [
    [['--cpuset-cpus', 'a-b'], /Invalid value a-b for cpuset cpus: invalid format: a-b/],
    [['--cpuset-mems', 'x'], /Invalid value x for cpuset mems: invalid format: x/],
    [['--cpuset-mems', '7'], /Requested memory nodes are not available - requested 7, available: /],
    [['--memory-reservation', '4m'], /Minimum memory reservation allowed is 6MB/],
    [['--cpu-period', '500'], /CPU cfs period can not be less than 1ms/],
    [['--device-read-bps', '/dev/nonexistent:1mb'], /stat \/dev\/nonexistent: no such file or directory/],
  ];
  if (hard && hard !== 'unlimited') {
    const more = Number(hard) + 1;
    cases.push([
      ['--ulimit', `nofile=${more}:${more}`],
      new RegExp(`ulimit nofile=${more}:${more} is above the daemon's own hard limit \\(${hard}\\)`),
    ]);
  }
  for (const [args, re] of cases) {
    const r = await d.docker(['run', '--rm', ...args, 'busybox', 'true']);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, re);
  }
  const w = await d.docker(['run', '--rm', '--oom-kill-disable', 'busybox', 'true']);
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stderr, /WARNING: OOM killer is disabled for the container, but no memory limit is set/);
});

test('--cpu-rt-runtime reaches the runtime as moby sends it: applied, or refused by runc as with Docker', {
  skip,
}, async (t) => {
  const d = berthd.d;
  const r = await d.docker(['run', '-d', '--name', 'rt', '--cpu-rt-runtime', '1000', 'busybox', 'sleep', '60']);
  try {
    if (r.code === 0) {
      // the kernel has RT group scheduling and the parent cgroup a budget: the value is in place
      assert.deepEqual(await files('rt', ['cpu/cpu.rt_runtime_us']), ['1000']);
    } else {
      // no budget in the parent (the default) or no RT group scheduling: runc's own refusal, as Docker's
      assert.match(r.stderr, /cpu\.rt_runtime_us|real-?time/i);
    }
  } finally {
    await d.docker(['rm', '-f', 'rt']);
  }
});

test('docker update writes every changeable limit into the live cgroup', { skip }, async (t) => {
  const d = berthd.d;
  await ok(['run', '-d', '--name', 'f3', '-m', '64m', 'busybox', 'sleep', '300']);
  await ok([
    'update',
    '--memory',
    '96m',
    '--memory-swap',
    '200m',
    '--memory-reservation',
    '48m',
    '--cpu-shares',
    '256',
    '--cpu-period',
    '40000',
    '--cpu-quota',
    '20000',
    '--cpuset-cpus',
    '0',
    '--cpuset-mems',
    '0',
    '--blkio-weight',
    '500',
    '--pids-limit',
    '30',
    'f3',
  ]);
  assert.equal(
    await ok([
      'inspect',
      '-f',
      '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}} {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpusetCpus}} {{.HostConfig.BlkioWeight}} {{.HostConfig.PidsLimit}}',
      'f3',
    ]),
    `${96 << 20} ${200 << 20} ${48 << 20} 256 40000 20000 0 ${weight(500)} 30`,
  );
  if (await v1()) {
    assert.deepEqual(
      await files('f3', [
        'memory/memory.limit_in_bytes',
        'memory/memory.memsw.limit_in_bytes',
        'memory/memory.soft_limit_in_bytes',
        'cpu/cpu.shares',
        'cpu/cpu.cfs_period_us',
        'cpu/cpu.cfs_quota_us',
        'pids/pids.max',
      ]),
      [String(96 << 20), String(200 << 20), String(48 << 20), '256', '40000', '20000', '30'],
    );
    if (sys.blkioWeightFile) assert.deepEqual(await files('f3', [`blkio/${sys.blkioWeightFile}`]), ['500']);
    // lowering memory and swap together writes memory first; -1 lifts the pids limit
    await ok([
      'update',
      '--memory',
      '40m',
      '--memory-swap',
      '50m',
      '--memory-reservation',
      '20m',
      '--pids-limit',
      '-1',
      'f3',
    ]);
    assert.deepEqual(
      await files('f3', ['memory/memory.limit_in_bytes', 'memory/memory.memsw.limit_in_bytes', 'pids/pids.max']),
      [String(40 << 20), String(50 << 20), 'max'],
    );
  }
  const r = await d.docker(['update', '--cpus', '0.5', 'f3']);
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    /Cannot update container [0-9a-f]{64}: Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set/,
  );
  await ok(['rm', '-f', 'f3']);
});

test('stats streams carry network counters; health probes leave no exec behind', { skip }, async (t) => {
  const d = berthd.d;
  await ok([
    'run',
    '-d',
    '--name',
    'f4',
    '--health-cmd',
    'true',
    '--health-interval',
    '100ms',
    'busybox',
    'sleep',
    '300',
  ]);
  const stream = (await d.dockerode.getContainer('f4').stats({ stream: true })) as NodeJS.ReadableStream;
  const frames: Array<{
    networks?: Record<string, { rx_bytes: number }>;
    precpu_stats: { cpu_usage: { total_usage: number } };
    memory_stats: { usage?: number };
  }> = [];
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    stream.on('data', (b: Buffer) => {
      buf += b.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        frames.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
      if (frames.length >= 3) resolve();
    });
    stream.on('error', reject);
    setTimeout(() => reject(new Error(`only ${frames.length} stats frames in 6 s`)), 6000);
  });
  (stream as unknown as { destroy(): void }).destroy();
  assert.ok(frames[0].networks?.eth0, `networks: ${JSON.stringify(frames[0].networks)}`);
  assert.ok((frames[2].memory_stats.usage ?? 0) > 0);
  assert.ok(frames[2].precpu_stats.cpu_usage.total_usage > 0, 'later frames carry the previous sample');
  // ~20 probes have run by now: at most the one in flight is listed (as in Docker), the log holds the last 5
  for (let i = 0; i < 3; i++) {
    const [st, log, execs] = (
      await ok(['inspect', '-f', '{{.State.Health.Status}} {{len .State.Health.Log}} {{len .ExecIDs}}', 'f4'])
    ).split(' ');
    assert.deepEqual([st, log], ['healthy', '5']);
    assert.ok(Number(execs) <= 1, `${execs} exec IDs listed`);
    await new Promise((r) => setTimeout(r, 150));
  }
  await ok(['rm', '-f', 'f4']);
});
