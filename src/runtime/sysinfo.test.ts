// sysinfo against fake hosts in temp dirs: /proc/self/{cgroup,mountinfo} and the cgroup files a
// v1, hybrid or v2 host has, so what berthd honours follows the files present, not the test machine.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { detectSysInfo, firstExisting, infoSummary } from './sysinfo.js';

const top = mkdtempSync(path.join(tmpdir(), 'berth-sysinfo-'));
after(() => rmSync(top, { recursive: true, force: true }));

let n = 0;
/** A fake host: files (path → content) under a fresh root. */
function host(files: Record<string, string>): string {
  const root = path.join(top, String(n++));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(path.join(root, path.dirname(p)), { recursive: true });
    writeFileSync(path.join(root, p), c);
  }
  mkdirSync(path.join(root, 'proc/self/ns'), { recursive: true });
  return root;
}

const V1_CTRLS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids'];
function v1Mounts(extra = ''): string {
  return (
    V1_CTRLS.map((c, i) => `${32 + i} 31 0:${29 + i} / /sys/fs/cgroup/${c} rw,relatime - cgroup cgroup rw,${c}`).join(
      '\n',
    ) +
    '\n' +
    extra
  );
}
function v1Cgroup(unified: boolean): string {
  return V1_CTRLS.map((c, i) => `${i + 1}:${c}:/daemon`).join('\n') + (unified ? '\n0::/daemon' : '') + '\n';
}
/** Files of berthd's own group for each v1 controller (the mq-deadline host of the issue: no weight file). */
function v1Files(opts: { weight?: string; swap?: boolean; kmem?: boolean } = {}): Record<string, string> {
  const g = (c: string, f: string) => `/sys/fs/cgroup/${c}/daemon/${f}`;
  const files: Record<string, string> = {
    [g('memory', 'memory.limit_in_bytes')]: '9223372036854771712',
    [g('memory', 'memory.soft_limit_in_bytes')]: '0',
    [g('memory', 'memory.oom_control')]: 'oom_kill_disable 0',
    [g('memory', 'memory.swappiness')]: '60',
    [g('cpu', 'cpu.shares')]: '1024',
    [g('cpu', 'cpu.cfs_quota_us')]: '-1',
    [g('cpu', 'cpu.rt_period_us')]: '1000000',
    [g('cpuset', 'cpuset.cpus')]: '0-1',
    [g('cpuset', 'cpuset.mems')]: '0',
    [g('cpuset', 'cpuset.effective_cpus')]: '0-1',
    [g('cpuset', 'cpuset.effective_mems')]: '0',
    [g('blkio', 'blkio.throttle.read_bps_device')]: '',
    [g('blkio', 'blkio.throttle.write_bps_device')]: '',
    [g('blkio', 'blkio.throttle.read_iops_device')]: '',
    [g('blkio', 'blkio.throttle.write_iops_device')]: '',
    [g('pids', 'pids.max')]: 'max',
  };
  if (opts.weight) files[g('blkio', opts.weight)] = '100';
  if (opts.swap ?? true) files[g('memory', 'memory.memsw.limit_in_bytes')] = '9223372036854771712';
  if (opts.kmem) files[g('memory', 'memory.kmem.limit_in_bytes')] = '9223372036854771712';
  return files;
}

test('v1 on mq-deadline (no blkio.weight, no blkio.bfq.weight): no blkio weight, throttles and the rest supported', async () => {
  const s = await detectSysInfo({
    root: host({ '/proc/self/cgroup': v1Cgroup(false), '/proc/self/mountinfo': v1Mounts(), ...v1Files() }),
  });
  assert.equal(s.mode, 'v1');
  assert.equal(s.blkioWeightFile, null);
  assert.ok(s.warnings.includes('Your kernel does not support cgroup blkio weight'));
  assert.deepEqual(
    [s.blkioReadBpsDevice, s.blkioWriteBpsDevice, s.blkioReadIOpsDevice, s.blkioWriteIOpsDevice, s.blkioWeightDevice],
    [true, true, true, true, false],
  );
  assert.deepEqual(
    [s.memoryLimit, s.swapLimit, s.memoryReservation, s.oomKillDisable, s.memorySwappiness, s.kernelMemory],
    [true, true, true, true, true, false],
  );
  assert.deepEqual([s.cpuShares, s.cpuCfs, s.cpuRealtime, s.cpuset, s.pidsLimit], [true, true, true, true, true]);
  assert.deepEqual([s.cpus, s.mems], ['0-1', '0']);
});

test('v1 with CFQ (blkio.weight) or BFQ (blkio.bfq.weight); no memsw without swapaccount; kmem when present', async () => {
  const cfq = await detectSysInfo({
    root: host({
      '/proc/self/cgroup': v1Cgroup(false),
      '/proc/self/mountinfo': v1Mounts(),
      ...v1Files({ weight: 'blkio.weight', swap: false, kmem: true }),
    }),
  });
  assert.equal(cfq.blkioWeightFile, 'blkio.weight');
  assert.equal(cfq.swapLimit, false);
  assert.equal(cfq.kernelMemory, true);
  const bfq = await detectSysInfo({
    root: host({
      '/proc/self/cgroup': v1Cgroup(false),
      '/proc/self/mountinfo': v1Mounts(),
      ...v1Files({ weight: 'blkio.bfq.weight' }),
    }),
  });
  assert.equal(bfq.blkioWeightFile, 'blkio.bfq.weight');
});

test('hybrid: v1 controllers decide even with cgroup2 mounted at unified/', async () => {
  const mounts = v1Mounts('50 31 0:40 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n');
  const s = await detectSysInfo({
    root: host({
      '/proc/self/cgroup': v1Cgroup(true),
      '/proc/self/mountinfo': mounts,
      ...v1Files({ weight: 'blkio.bfq.weight' }),
    }),
  });
  assert.equal(s.mode, 'hybrid');
  assert.equal(s.blkioWeightFile, 'blkio.bfq.weight');
  assert.equal(s.oomKillDisable, true);
});

test('v1 with controllers missing: memory, pids and cpuset absent are reported', async () => {
  const mounts = '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n';
  const s = await detectSysInfo({
    root: host({
      '/proc/self/cgroup': '1:cpu:/\n',
      '/proc/self/mountinfo': mounts,
      '/sys/fs/cgroup/cpu/cpu.shares': '1024',
      '/sys/devices/system/cpu/online': '0-3',
    }),
  });
  assert.equal(s.mode, 'v1');
  assert.deepEqual([s.memoryLimit, s.pidsLimit, s.cpuset, s.cpuShares, s.cpuCfs], [false, false, false, true, false]);
  assert.equal(s.cpus, '0-3', 'the online CPUs when there is no cpuset');
  assert.ok(s.warnings.includes('Unable to find pids cgroup in mounts'));
});

const V2_MOUNT = '30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n';
function v2Files(ctrls: string, extra: Record<string, string> = {}): Record<string, string> {
  const g = (f: string) => `/sys/fs/cgroup/system.slice/berthd.service/${f}`;
  const files: Record<string, string> = {
    '/proc/self/cgroup': '0::/system.slice/berthd.service\n',
    '/proc/self/mountinfo': V2_MOUNT,
    [g('cgroup.controllers')]: ctrls,
    [g('cgroup.type')]: 'domain',
    [g('cpuset.cpus.effective')]: '0-3',
    [g('cpuset.mems.effective')]: '0',
  };
  for (const [k, v] of Object.entries(extra)) files[g(k)] = v;
  return files;
}

test('v2: controllers from the group; io.weight (iocost) or io.bfq.weight; swap only with memory.swap.max', async () => {
  const s = await detectSysInfo({
    root: host(
      v2Files('cpuset cpu io memory hugetlb pids', {
        'io.weight': 'default 100',
        'memory.swap.max': 'max',
        'hugetlb.2MB.max': 'max',
        'hugetlb.1GB.max': 'max',
      }),
    ),
  });
  assert.equal(s.mode, 'v2');
  assert.equal(s.blkioWeightFile, 'io.weight');
  assert.deepEqual(
    [s.memoryLimit, s.swapLimit, s.memoryReservation, s.oomKillDisable, s.memorySwappiness, s.kernelMemory],
    [true, true, true, false, false, false],
  );
  assert.deepEqual(
    [s.cpuShares, s.cpuCfs, s.cpuRealtime, s.pidsLimit, s.blkioReadBpsDevice],
    [true, true, false, true, true],
  );
  assert.deepEqual(s.hugetlbSizes, ['1GB', '2MB']);
  assert.deepEqual([s.cpus, s.mems], ['0-3', '0']);
  const bfq = await detectSysInfo({
    root: host(v2Files('io memory', { 'io.bfq.weight': 'default 100', 'io.weight': 'default 100' })),
  });
  assert.equal(bfq.blkioWeightFile, 'io.bfq.weight', "runc's preference");
  assert.equal(bfq.swapLimit, false);
});

test('v2: io controller without iocost or BFQ has no weight; no io controller, no throttles', async () => {
  const noWeight = await detectSysInfo({ root: host(v2Files('cpu io memory pids')) });
  assert.equal(noWeight.blkioWeightFile, null);
  assert.equal(noWeight.blkioReadBpsDevice, true);
  const noIo = await detectSysInfo({ root: host(v2Files('cpu memory')) });
  assert.deepEqual(
    [noIo.blkioWeightFile, noIo.blkioReadBpsDevice, noIo.pidsLimit, noIo.cpuset],
    [null, false, false, false],
  );
  assert.ok(noIo.warnings.includes('Unable to find io controller'));
});

test('no cgroup mounts at all: nothing is supported, and it says so', async () => {
  const s = await detectSysInfo({ root: host({ '/proc/self/cgroup': '', '/proc/self/mountinfo': '' }) });
  assert.equal(s.mode, 'none');
  assert.equal(s.memoryLimit, false);
  assert.equal(s.warnings.length, 1);
});

test('firstExisting keeps the order of preference', async () => {
  const root = host({ '/d/b': '', '/d/c': '' });
  assert.equal(await firstExisting(path.join(root, 'd'), ['a', 'c', 'b']), 'c');
  assert.equal(await firstExisting(path.join(root, 'd'), ['a']), null);
});

test("docker info's cgroup fields and warnings follow the host (moby's texts; v1 says nothing of blkio weight)", async () => {
  const v1 = await detectSysInfo({
    root: host({
      '/proc/self/cgroup': v1Cgroup(false),
      '/proc/self/mountinfo': v1Mounts(),
      ...v1Files({ swap: false }),
    }),
  });
  const i1 = infoSummary(v1);
  assert.equal(i1.CgroupVersion, '1');
  assert.deepEqual(
    [i1.MemoryLimit, i1.SwapLimit, i1.OomKillDisable, i1.CpuCfsQuota, i1.PidsLimit],
    [true, false, true, true, true],
  );
  assert.deepEqual(i1.Warnings, ['WARNING: No swap limit support', 'WARNING: No kernel memory TCP limit support']);
  const v2 = await detectSysInfo({ root: host(v2Files('cpu io memory pids')) });
  const i2 = infoSummary(v2);
  assert.equal(i2.CgroupVersion, '2');
  assert.deepEqual(i2.Warnings, [
    'WARNING: No swap limit support',
    'WARNING: No cpuset support',
    'WARNING: No io.weight support',
  ]);
});
