import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultHostConfig } from './create-config.js';
import { applyUpdate, parseCpuset, runcUpdateArgs, validateResources } from './resources.js';

const host = { numCpus: 2, cpus: '0-1', mems: '0' };

test('cpuset lists', () => {
  assert.deepEqual([...parseCpuset('0-2,4')!], [0, 1, 2, 4]);
  assert.equal(parseCpuset('2-1'), null);
  assert.equal(parseCpuset('a'), null);
});

test("host-dependent checks with Docker's texts", () => {
  assert.throws(() => validateResources({ NanoCpus: 5e9 }, host), /Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available/);
  assert.throws(() => validateResources({ CpusetCpus: '9' }, host), /Requested CPUs are not available - requested 9, available: 0-1/);
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
  assert.throws(() => applyUpdate(cur, { Memory: 512 << 20 }, true), /Memory limit should be smaller than already set memoryswap limit/);
  assert.throws(() => applyUpdate(cur, { Memory: 1 << 20 }, true), /Minimum memory limit allowed is 6MB/);
  assert.throws(() => applyUpdate({ ...cur, CpuPeriod: 100000 }, { NanoCpus: 1e9 }, true), /Conflicting options/);
  assert.throws(() => applyUpdate({ ...cur, AutoRemove: true }, { RestartPolicy: { Name: 'always' } }, true), /AutoRemove/);
});

test('runc update flags: --cpus becomes quota over a 100 ms period', () => {
  const h = { ...defaultHostConfig(), Memory: 256 << 20, NanoCpus: 5e8, PidsLimit: 50 };
  assert.deepEqual(runcUpdateArgs(h), ['--memory', String(256 << 20), '--cpu-period', '100000', '--cpu-quota', '50000', '--pids-limit', '50']);
});
