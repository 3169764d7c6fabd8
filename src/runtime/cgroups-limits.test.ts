import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { blkioToIoWeight, limitWrites, sharesToWeight, swapToV2, writeLimits } from './cgroups-limits.js';
import type { CgroupPaths } from './cgroups.js';

const root = mkdtempSync(path.join(tmpdir(), 'berth-cglimits-'));
after(() => rmSync(root, { recursive: true, force: true }));
const dir = (...p: string[]) => {
  const d = path.join(root, ...p);
  mkdirSync(d, { recursive: true });
  return d;
};
const read = (d: string, f: string) => readFileSync(path.join(d, f), 'utf8');

test("runc's v2 conversions", () => {
  assert.equal(sharesToWeight(2), 1);
  assert.equal(sharesToWeight(1024), 39);
  assert.equal(sharesToWeight(262144), 10000);
  assert.equal(blkioToIoWeight(10), 1);
  assert.equal(blkioToIoWeight(500), 4950);
  assert.equal(blkioToIoWeight(1000), 10000);
  assert.equal(swapToV2(256 << 20, 128 << 20), String(128 << 20), 'v2 limits swap alone');
  assert.equal(swapToV2(-1, 128 << 20), 'max');
  assert.equal(swapToV2(0, 128 << 20), null);
  assert.throws(() => swapToV2(64 << 20, 0), /without memory limit/);
});

test('v2: every limit lands in the group directory with v2 names and units', async () => {
  const d = dir('v2', 'berth', 'c1');
  writeFileSync(path.join(d, 'io.bfq.weight'), 'default 100\n');
  const paths: CgroupPaths = { version: 2, path: d };
  await writeLimits(paths, {
    memory: 200 << 20,
    memorySwap: 400 << 20,
    memoryReservation: 100 << 20,
    cpuShares: 512,
    cpuPeriod: 100000,
    cpuQuota: 50000,
    cpusetCpus: '0',
    cpusetMems: '0',
    blkioWeight: 300,
    pidsLimit: 30,
  });
  assert.equal(read(d, 'memory.max'), String(200 << 20));
  assert.equal(read(d, 'memory.swap.max'), String(200 << 20));
  assert.equal(read(d, 'memory.low'), String(100 << 20));
  assert.equal(read(d, 'cpu.weight'), String(sharesToWeight(512)));
  assert.equal(read(d, 'cpu.max'), '50000 100000');
  assert.equal(read(d, 'cpuset.cpus'), '0');
  assert.equal(read(d, 'cpuset.mems'), '0');
  assert.equal(read(d, 'io.bfq.weight'), '300', 'BFQ takes the blkio weight as is');
  assert.equal(read(d, 'pids.max'), '30');
  await writeLimits(paths, { pidsLimit: 0, cpuPeriod: 100000 });
  assert.equal(read(d, 'pids.max'), 'max');
  assert.equal(read(d, 'cpu.max'), 'max 100000');
});

test('v2 without BFQ: io.weight gets the converted weight', async () => {
  const d = dir('v2', 'berth', 'c2');
  writeFileSync(path.join(d, 'io.weight'), 'default 100\n');
  assert.deepEqual(await limitWrites({ version: 2, path: d }, { blkioWeight: 500 }), [
    { dir: d, file: 'io.weight', value: '4950' },
  ]);
});

test('no weight file (mq-deadline, no iocost): the weight is not written, the other limits are', async () => {
  const v2 = dir('v2', 'berth', 'c3');
  assert.deepEqual(await limitWrites({ version: 2, path: v2 }, { blkioWeight: 500, pidsLimit: 9 }), [
    { dir: v2, file: 'pids.max', value: '9' },
  ]);
  const blkio = dir('v1', 'blkio', 'c3'),
    pids = dir('v1', 'pids', 'c3');
  assert.deepEqual(
    await limitWrites({ version: 1, controllers: { blkio, pids } }, { blkioWeight: 500, pidsLimit: 9 }),
    [{ dir: pids, file: 'pids.max', value: '9' }],
  );
});

test('v1: one directory per controller; swap before memory when raising, after when lowering', async () => {
  const c = {
    memory: dir('v1', 'memory', 'c'),
    cpu: dir('v1', 'cpu', 'c'),
    cpuset: dir('v1', 'cpuset', 'c'),
    blkio: dir('v1', 'blkio', 'c'),
    pids: dir('v1', 'pids', 'c'),
  };
  const paths: CgroupPaths = { version: 1, controllers: c };
  const raise = await limitWrites(paths, { memory: 96 << 20, memorySwap: 200 << 20 }, 64 << 20);
  assert.deepEqual(
    raise.map((x) => x.file),
    ['memory.memsw.limit_in_bytes', 'memory.limit_in_bytes'],
  );
  const lower = await limitWrites(paths, { memory: 32 << 20, memorySwap: 64 << 20 }, 128 << 20);
  assert.deepEqual(
    lower.map((x) => x.file),
    ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes'],
  );
  writeFileSync(path.join(c.memory, 'memory.limit_in_bytes'), String(64 << 20));
  writeFileSync(path.join(c.blkio, 'blkio.bfq.weight'), '100');
  await writeLimits(paths, {
    memory: 96 << 20,
    memorySwap: 200 << 20,
    memoryReservation: 48 << 20,
    cpuShares: 256,
    cpuPeriod: 40000,
    cpuQuota: 20000,
    cpusetCpus: '1',
    blkioWeight: 500,
    pidsLimit: -1,
  });
  assert.equal(read(c.memory, 'memory.limit_in_bytes'), String(96 << 20));
  assert.equal(read(c.memory, 'memory.memsw.limit_in_bytes'), String(200 << 20));
  assert.equal(read(c.memory, 'memory.soft_limit_in_bytes'), String(48 << 20));
  assert.equal(read(c.cpu, 'cpu.shares'), '256');
  assert.equal(read(c.cpu, 'cpu.cfs_period_us'), '40000');
  assert.equal(read(c.cpu, 'cpu.cfs_quota_us'), '20000');
  assert.equal(read(c.cpuset, 'cpuset.cpus'), '1');
  assert.equal(read(c.blkio, 'blkio.bfq.weight'), '500', 'no blkio.weight on blk-mq: the BFQ file');
  assert.equal(read(c.pids, 'pids.max'), 'max');
});

test('a refused write reports the file and the reason', async () => {
  const paths: CgroupPaths = { version: 2, path: path.join(root, 'missing', 'group') };
  await assert.rejects(writeLimits(paths, { pidsLimit: 5 }), /failed to write "5": write .*missing\/group\/pids.max/);
});
