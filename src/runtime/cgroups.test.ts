import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cgroupPaths, isCgroupV2, listPids, parseMountinfo, readStats, systemCpu } from './cgroups.js';

let v1: string;
let v2: string;

async function put(root: string, files: Record<string, string>): Promise<void> {
  for (const [p, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, p)), { recursive: true });
    await writeFile(path.join(root, p), content);
  }
}

const PROC_STAT =
  'cpu  4024 0 2473 70945 458 0 51 19 0 0\ncpu0 1532 0 1027 36370 34 0 8 8 0 0\ncpu1 2491 0 1446 34575 424 0 43 10 0 0\nintr 1\n';
const C = '/berth/abc';

before(async () => {
  v1 = await mkdtemp(path.join(tmpdir(), 'berth-cg1-'));
  await put(v1, {
    'proc/self/mountinfo':
      [
        '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
        '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
        '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
        '38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio',
        '39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
        '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
        '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
      ].join('\n') + '\n',
    'proc/self/cgroup': '8:pids:/\n4:memory:/daemon\n0::/\n',
    'proc/42/cgroup': `9:name=systemd:${C}\n8:pids:${C}\n7:blkio:${C}\n4:memory:/daemon${C}\n2:cpu,cpuacct:${C}\n0::/\n`,
    'proc/stat': PROC_STAT,
    [`sys/fs/cgroup/memory/daemon${C}/memory.usage_in_bytes`]: '10485760\n',
    [`sys/fs/cgroup/memory/daemon${C}/memory.max_usage_in_bytes`]: '20971520\n',
    [`sys/fs/cgroup/memory/daemon${C}/memory.limit_in_bytes`]: '9223372036854771712\n',
    [`sys/fs/cgroup/memory/daemon${C}/memory.failcnt`]: '0\n',
    [`sys/fs/cgroup/memory/daemon${C}/memory.stat`]:
      'cache 4096\nrss 8192\ntotal_cache 4096\ntotal_inactive_file 2048\n',
    [`sys/fs/cgroup/cpu,cpuacct${C}/cpuacct.usage`]: '123456789\n',
    [`sys/fs/cgroup/cpu,cpuacct${C}/cpuacct.usage_percpu`]: '100000000 23456789 \n',
    [`sys/fs/cgroup/cpu,cpuacct${C}/cpuacct.stat`]: 'user 7\nsystem 3\n',
    [`sys/fs/cgroup/cpu,cpuacct${C}/cpu.stat`]: 'nr_periods 10\nnr_throttled 2\nthrottled_time 5000\n',
    [`sys/fs/cgroup/pids${C}/pids.current`]: '3\n',
    [`sys/fs/cgroup/pids${C}/pids.max`]: 'max\n',
    [`sys/fs/cgroup/pids${C}/cgroup.procs`]: '100\n7\n',
    [`sys/fs/cgroup/pids${C}/sub/cgroup.procs`]: '55\n',
    [`sys/fs/cgroup/blkio${C}/blkio.io_service_bytes_recursive`]: '',
    [`sys/fs/cgroup/blkio${C}/blkio.throttle.io_service_bytes_recursive`]:
      '8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\nTotal 12288\n',
  });
  v2 = await mkdtemp(path.join(tmpdir(), 'berth-cg2-'));
  await put(v2, {
    'proc/self/mountinfo':
      '30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n',
    'proc/42/cgroup': `0::/system.slice/berthd.service${C}\n`,
    'proc/self/cgroup': '0::/system.slice/berthd.service\n',
    'proc/stat': PROC_STAT,
    [`sys/fs/cgroup/system.slice/berthd.service${C}/memory.current`]: '10485760\n',
    [`sys/fs/cgroup/system.slice/berthd.service${C}/memory.max`]: '67108864\n',
    [`sys/fs/cgroup/system.slice/berthd.service${C}/memory.stat`]: 'anon 8192\nfile 4096\ninactive_file 1024\n',
    [`sys/fs/cgroup/system.slice/berthd.service${C}/cpu.stat`]:
      'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 4\nnr_throttled 1\nthrottled_usec 20\n',
    [`sys/fs/cgroup/system.slice/berthd.service${C}/pids.current`]: '2\n',
    [`sys/fs/cgroup/system.slice/berthd.service${C}/pids.max`]: '100\n',
    [`sys/fs/cgroup/system.slice/berthd.service${C}/io.stat`]:
      '8:0 rbytes=4096 wbytes=512 rios=1 wios=2 dbytes=0 dios=0\n',
    [`sys/fs/cgroup/system.slice/berthd.service${C}/cgroup.procs`]: '9\n8\n',
  });
});
after(async () => {
  await rm(v1, { recursive: true, force: true });
  await rm(v2, { recursive: true, force: true });
});

test('parseMountinfo keeps cgroup mounts and unescapes paths', () => {
  const m = parseMountinfo(
    '1 2 0:1 / /sys/fs/cgroup/a\\040b rw - cgroup cgroup rw,memory\n3 4 0:2 / /x rw - ext4 /dev/sda rw\n',
  );
  assert.deepEqual(m, [{ mountpoint: '/sys/fs/cgroup/a b', root: '/', fstype: 'cgroup', options: ['rw', 'memory'] }]);
});

test('v1/hybrid: controllers resolve to their mountpoints, v1 wins over unified', async () => {
  const p = await cgroupPaths(42, { root: v1 });
  assert.equal(p.version, 1);
  if (p.version !== 1) return;
  assert.equal(p.controllers.memory, `/sys/fs/cgroup/memory/daemon${C}`);
  assert.equal(p.controllers.cpu, `/sys/fs/cgroup/cpu,cpuacct${C}`);
  assert.equal(p.controllers.cpuacct, p.controllers.cpu);
  assert.equal(p.controllers.systemd, `/sys/fs/cgroup/systemd${C}`);
});

test('v1 stats', async () => {
  const root = { root: v1 };
  const mapped = await cgroupPaths(42, root);
  assert.equal(mapped.version, 1);
  if (mapped.version !== 1) return;
  const controllers = Object.fromEntries(Object.entries(mapped.controllers).map(([k, v]) => [k, path.join(v1, v)]));
  const s = await readStats({ version: 1, controllers }, root);
  assert.deepEqual(s.memory, {
    usage: 10485760,
    maxUsage: 20971520,
    failcnt: 0,
    limit: null,
    stats: { cache: 4096, rss: 8192, total_cache: 4096, total_inactive_file: 2048 },
  });
  assert.deepEqual(s.cpu, {
    total: 123456789,
    percpu: [100000000, 23456789],
    user: 70000000,
    system: 30000000,
    throttling: { periods: 10, throttledPeriods: 2, throttledTime: 5000 },
  });
  assert.equal(s.systemUsage, (4024 + 0 + 2473 + 70945 + 458 + 0 + 51) * 1e7); // user..softirq, not steal
  assert.equal(s.onlineCpus, 2);
  assert.deepEqual(s.pids, { current: 3, limit: null });
  assert.deepEqual(s.blkio.ioServiceBytes, [
    { major: 8, minor: 0, op: 'Read', value: 4096 },
    { major: 8, minor: 0, op: 'Write', value: 8192 },
    { major: 8, minor: 0, op: 'Sync', value: 0 },
  ]);
  assert.deepEqual(await listPids({ version: 1, controllers }), [7, 55, 100]);
});

test('v2 paths and stats', async () => {
  const p = await cgroupPaths(42, { root: v2 });
  assert.deepEqual(p, { version: 2, path: `/sys/fs/cgroup/system.slice/berthd.service${C}` });
  assert.equal(await isCgroupV2({ root: v2 }), true);
  assert.equal(await isCgroupV2({ root: v1 }), false);
});

test('v2 stats', async () => {
  const dir = path.join(v2, `sys/fs/cgroup/system.slice/berthd.service${C}`);
  const s = await readStats({ version: 2, path: dir }, { root: v2 });
  assert.deepEqual(s.memory, {
    usage: 10485760,
    limit: 67108864,
    stats: { anon: 8192, file: 4096, inactive_file: 1024 },
  });
  assert.deepEqual(s.cpu, {
    total: 1500000,
    percpu: [],
    user: 1000000,
    system: 500000,
    throttling: { periods: 4, throttledPeriods: 1, throttledTime: 20000 },
  });
  assert.deepEqual(s.pids, { current: 2, limit: 100 });
  assert.deepEqual(s.blkio.ioServiceBytes, [
    { major: 8, minor: 0, op: 'read', value: 4096 },
    { major: 8, minor: 0, op: 'write', value: 512 },
  ]);
  assert.deepEqual(await listPids({ version: 2, path: dir }), [8, 9]);
});

test('the real host: our own cgroups read without errors', async () => {
  const p = await cgroupPaths('self');
  const s = await readStats(p);
  assert.ok(s.systemUsage > 0 && s.onlineCpus > 0);
  assert.ok(s.memory.usage > 0, 'this process uses memory');
  assert.ok((await listPids(p)).includes(process.pid) || p.version === 1);
  const sys = await systemCpu();
  assert.ok(sys.usage >= s.systemUsage);
});
