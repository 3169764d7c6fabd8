import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultHostConfig } from './create-config.js';
import {
  applyUpdate,
  parseCpuset,
  resourceWarnings,
  runcUpdateArgs,
  validateResources,
  validateUlimits,
} from './resources.js';

const host = { numCpus: 2, cpus: '0-1', mems: '0' };

test('cpuset lists', () => {
  assert.deepEqual([...parseCpuset('0-2,4')!], [0, 1, 2, 4]);
  assert.equal(parseCpuset('2-1'), null);
  assert.equal(parseCpuset('a'), null);
});

test("host-dependent checks with Docker's texts", () => {
  assert.throws(
    () => validateResources({ NanoCpus: 5e9 }, host),
    /Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available/,
  );
  assert.throws(
    () => validateResources({ CpusetCpus: '9' }, host),
    /Requested CPUs are not available - requested 9, available: 0-1/,
  );
  assert.throws(() => validateResources({ CpusetMems: '3' }, host), /Requested memory nodes are not available/);
  assert.throws(() => validateResources({ CpusetCpus: 'x' }, host), /Invalid value x for cpuset cpus/);
  assert.throws(() => validateResources({ BlkioWeight: 5 }, host), /Range of blkio weight is from 10 to 1000/);
  validateResources({ NanoCpus: 1.5e9, CpusetCpus: '0-1', CpusetMems: '0' }, host);
});

test('update: zero is unchanged, conflicts and minimums', () => {
  const cur = { ...defaultHostConfig(), Memory: 128 << 20, MemorySwap: 256 << 20 };
  const n = applyUpdate(cur, { Memory: 200 << 20, CpuShares: 512, RestartPolicy: { Name: 'always' } }, true);
  assert.equal(n.Memory, 200 << 20);
  assert.equal(n.MemorySwap, 256 << 20);
  assert.equal(n.CpuShares, 512);
  assert.equal(n.RestartPolicy.Name, 'always');
  assert.throws(
    () => applyUpdate(cur, { Memory: 512 << 20 }, true),
    /Memory limit should be smaller than already set memoryswap limit/,
  );
  assert.throws(() => applyUpdate(cur, { Memory: 1 << 20 }, true), /Minimum memory limit allowed is 6MB/);
  assert.throws(() => applyUpdate({ ...cur, CpuPeriod: 100000 }, { NanoCpus: 1e9 }, true), /Conflicting options/);
  assert.throws(
    () => applyUpdate({ ...cur, AutoRemove: true }, { RestartPolicy: { Name: 'always' } }, true),
    /AutoRemove/,
  );
});

test('runc update flags: --cpus becomes quota over a 100 ms period', () => {
  const h = { ...defaultHostConfig(), Memory: 256 << 20, NanoCpus: 5e8, PidsLimit: 50 };
  assert.deepEqual(runcUpdateArgs(h), [
    '--memory',
    String(256 << 20),
    '--cpu-period',
    '100000',
    '--cpu-quota',
    '50000',
    '--pids-limit',
    '50',
  ]);
});

test("cpuset lists with a bad format get Docker's full text", () => {
  assert.throws(() => validateResources({ CpusetCpus: 'a-b' }, host), {
    message: 'Invalid value a-b for cpuset cpus: invalid format: a-b',
  });
  assert.throws(() => validateResources({ CpusetMems: 'x' }, host), {
    message: 'Invalid value x for cpuset mems: invalid format: x',
  });
});

test("--ulimit: Docker's texts, and never above the daemon's own hard limit", () => {
  const caps = [
    { type: 'RLIMIT_NOFILE', soft: 1024, hard: 20000 },
    { type: 'RLIMIT_NPROC', soft: Infinity, hard: Infinity },
  ];
  validateUlimits(
    [
      { Name: 'nofile', Soft: 1024, Hard: 20000 },
      { Name: 'nproc', Soft: 10, Hard: 1 << 30 },
    ],
    caps,
  );
  assert.throws(
    () => validateUlimits([{ Name: 'nofile', Soft: 30000, Hard: 30000 }], caps),
    (e: Error & { kind?: string }) =>
      e.kind === 'invalid' &&
      /ulimit nofile=30000:30000 is above the daemon's own hard limit \(20000\)/.test(e.message),
  );
  assert.throws(
    () => validateUlimits([{ Name: 'nofile', Soft: -1, Hard: -1 }], caps),
    /above the daemon's own hard limit/,
  );
  assert.throws(() => validateUlimits([{ Name: 'foo', Soft: 1, Hard: 1 }], caps), {
    message: 'invalid ulimit type: foo',
  });
  assert.throws(() => validateUlimits([{ Name: 'core', Soft: 3, Hard: 2 }], caps), {
    message: 'ulimit soft limit must be less than or equal to hard limit: 3 > 2',
  });
});

test('update: the request is checked alone first (invalid), then against the container (conflict)', () => {
  const cur = { ...defaultHostConfig(), Memory: 128 << 20, MemorySwap: 256 << 20, NanoCpus: 1e9 };
  const kind = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as { kind: string }).kind;
    }
    return 'ok';
  };
  assert.equal(
    kind(() => applyUpdate(cur, { CpuPeriod: 50000 }, true)),
    'conflict',
  );
  assert.equal(
    kind(() => applyUpdate(cur, { CpuPeriod: 500 }, true)),
    'invalid',
    'a bad period is refused before the NanoCPUs conflict',
  );
  assert.equal(
    kind(() => applyUpdate(cur, { NanoCpus: 1e9, CpuQuota: 5000 }, true)),
    'invalid',
  );
  assert.equal(
    kind(() => applyUpdate(cur, { Memory: 64 << 20, MemorySwap: 32 << 20 }, true)),
    'invalid',
  );
  assert.equal(
    kind(() => applyUpdate(cur, { KernelMemory: 1 << 20 }, true)),
    'invalid',
  );
  // swap alone may change when a memory limit is set; the result must hold together
  assert.equal(applyUpdate(cur, { MemorySwap: 512 << 20 }, true).MemorySwap, 512 << 20);
  assert.throws(
    () => applyUpdate(cur, { MemorySwap: 64 << 20 }, true),
    /Minimum memoryswap limit should be larger than memory limit/,
  );
  // an unlimited container may get a memory limit (moby 20.10 refuses it, see docs/decisions.md)
  assert.equal(applyUpdate(defaultHostConfig(), { Memory: 64 << 20 }, true).Memory, 64 << 20);
  assert.equal(applyUpdate(cur, { PidsLimit: -1 }, true).PidsLimit, 0);
});

test("Docker's warnings: kernel memory, OOM killer disabled without a memory limit", () => {
  assert.deepEqual(resourceWarnings({ OomKillDisable: true, Memory: 64 << 20 }), []);
  assert.deepEqual(resourceWarnings({ OomKillDisable: true }), [
    'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
  ]);
  assert.deepEqual(resourceWarnings({ KernelMemory: 10 << 20 }), [
    'Specifying a kernel memory limit is deprecated and will be removed in a future release.',
  ]);
});

test('update: a swap limit below -1 is a 400 before any cgroup write (edge property test found MemorySwap -2 → 500)', () => {
  const cur = { Memory: 0, MemorySwap: 0 } as unknown as Parameters<typeof applyUpdate>[0];
  assert.throws(() => applyUpdate(cur, { MemorySwap: -2 }, true), /invalid memory swap limit -2/);
});
