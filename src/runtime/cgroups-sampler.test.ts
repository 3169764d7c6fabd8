import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { FileCache, parseNetDev, StatsSampler, type Sample } from './cgroups-sampler.js';
import type { CgroupPaths } from './cgroups.js';

const root = mkdtempSync(path.join(tmpdir(), 'berth-sampler-'));
after(() => rmSync(root, { recursive: true, force: true }));

const NETDEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
  eth0:    1500      12    1    2    0     0          0         0      900       7    3    4    0     0       0          0
`;

function put(rel: string, text: string): void {
  const p = path.join(root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
}

put('proc/stat', 'cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 50 0 50 400 0 0 0 0 0 0\ncpu1 50 0 50 400 0 0 0 0 0 0\n');
put('proc/42/net/dev', NETDEV);
const v1: CgroupPaths = {
  version: 1,
  controllers: { memory: '/cg/memory/c1', cpuacct: '/cg/cpuacct/c1', cpu: '/cg/cpuacct/c1', pids: '/cg/pids/c1' },
};
put('cg/memory/c1/memory.usage_in_bytes', '1048576\n');
put('cg/memory/c1/memory.limit_in_bytes', '9223372036854771712\n');
put('cg/memory/c1/memory.stat', 'cache 4096\ntotal_inactive_file 4096\n');
put('cg/cpuacct/c1/cpuacct.usage', '5000\n');
put('cg/cpuacct/c1/cpuacct.usage_percpu', '2000 3000\n');
put('cg/pids/c1/pids.current', '3\n');
put('cg/pids/c1/pids.max', 'max\n');
const v2: CgroupPaths = { version: 2, path: '/cg2/c2' };
put('cg2/c2/memory.current', '2097152\n');
put('cg2/c2/memory.max', '67108864\n');
put('cg2/c2/cpu.stat', 'usage_usec 7\nuser_usec 4\nsystem_usec 3\n');
put('cg2/c2/pids.max', '50\n');
put('cg2/c2/io.stat', '8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n');

const resolve = async (pid: number): Promise<CgroupPaths> => {
  if (pid === 42) return v1;
  if (pid === 43) return v2;
  if (pid === 44) return { version: 1, controllers: { memory: '/cg/memory/none' } };
  throw new Error('no such process');
};

function next(q: Array<Sample | null>, n: number, ms = 2000): Promise<void> {
  return new Promise((res, rej) => {
    const t0 = Date.now();
    const poll = () =>
      q.length >= n ? res() : Date.now() - t0 > ms ? rej(new Error(`only ${q.length} samples`)) : setTimeout(poll, 5);
    poll();
  });
}

test('parseNetDev skips loopback and maps the kernel columns', () => {
  assert.deepEqual(parseNetDev(NETDEV), {
    eth0: {
      rx_bytes: 1500,
      rx_packets: 12,
      rx_errors: 1,
      rx_dropped: 2,
      tx_bytes: 900,
      tx_packets: 7,
      tx_errors: 3,
      tx_dropped: 4,
    },
  });
});

test('FileCache re-reads a kept-open file from offset 0 and closes its fds', () => {
  const c = new FileCache();
  const p = path.join(root, 'cg/memory/c1/memory.failcnt');
  put('cg/memory/c1/memory.failcnt', '1\n');
  assert.equal(c.read(p), '1\n');
  writeFileSync(p, '22\n');
  assert.equal(c.read(p), '22\n');
  assert.equal(c.read(path.join(root, 'missing')), null);
  assert.equal(c.size, 1);
  c.close();
  assert.equal(c.size, 0);
});

test('one sample per tick is shared by every watcher of a container', async () => {
  const s = new StatsSampler({ root, intervalMs: 60, resolve });
  const a: Array<Sample | null> = [];
  const b: Array<Sample | null> = [];
  const stopA = s.watch('c1', 42, (x) => a.push(x));
  const stopB = s.watch('c1', 42, (x) => b.push(x));
  await next(a, 4);
  await next(b, 4);
  stopA();
  stopB();
  // each tick read the files once for both watchers (plus at most one first sample per watcher)
  assert.ok(s.samples <= Math.max(a.length, b.length) + 1, `samples ${s.samples}, deliveries ${a.length}+${b.length}`);
  const first = a[0]!;
  assert.equal(first.stats.version, 1);
  assert.equal(first.stats.memory.usage, 1048576);
  assert.equal(first.stats.memory.limit, null);
  assert.deepEqual(first.stats.cpu.percpu, [2000, 3000]);
  assert.equal(first.stats.pids.current, 3);
  assert.equal(first.stats.onlineCpus, 2);
  assert.equal(first.stats.systemUsage, 1000 * 1e7);
  assert.equal(first.networks.eth0.rx_bytes, 1500);
  assert.equal(s.openFiles(), 0, 'the last unwatch closes the cgroup files');
  s.close();
});

test('samples follow the files as they change (v2 tree)', async () => {
  const s = new StatsSampler({ root, intervalMs: 40, resolve });
  const got: Array<Sample | null> = [];
  const stop = s.watch('c2', 43, (x) => got.push(x));
  await next(got, 1);
  assert.equal(got[0]!.stats.version, 2);
  assert.equal(got[0]!.stats.memory.usage, 2097152);
  assert.equal(got[0]!.stats.memory.limit, 67108864);
  assert.equal(got[0]!.stats.pids.limit, 50);
  assert.deepEqual(
    got[0]!.stats.blkio.ioServiceBytes.map((e) => e.value),
    [10, 20],
  );
  put('cg2/c2/memory.current', '3145728\n');
  await next(got, 3);
  assert.equal(got.at(-1)!.stats.memory.usage, 3145728);
  assert.ok(s.openFiles() > 0);
  stop();
  assert.equal(s.openFiles(), 0);
  s.close();
});

test('a container without readable cgroup files gets null and its watch ends', async () => {
  const s = new StatsSampler({ root, intervalMs: 30, resolve });
  const got: Array<Sample | null> = [];
  s.watch('gone', 44, (x) => got.push(x));
  const unknown: Array<Sample | null> = [];
  s.watch('unknown', 99, (x) => unknown.push(x));
  await next(got, 1);
  await next(unknown, 1);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(got, [null]);
  assert.deepEqual(unknown, [null]);
  assert.equal(s.openFiles(), 0);
  s.close();
});

test('a new pid for the same container (restart) starts from fresh files', async () => {
  const s = new StatsSampler({ root, intervalMs: 1000, resolve });
  const a: Array<Sample | null> = [];
  const b: Array<Sample | null> = [];
  s.watch('c', 42, (x) => a.push(x));
  await next(a, 1);
  const stop = s.watch('c', 43, (x) => b.push(x));
  await next(b, 1);
  assert.equal(a[0]!.stats.version, 1);
  assert.equal(b[0]!.stats.version, 2);
  stop();
  s.close();
});
