// HostConfig → cgroup limits: what `docker update` writes live and what the spec's resources start from.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultHostConfig } from './create-config.js';
import type { HostConfig } from './types.js';
import { cgroupLimitsOf, plainLimitsOf } from './update.js';

const hc = (o: Partial<HostConfig>): HostConfig => ({ ...defaultHostConfig(), ...o });

test('plainLimitsOf: zero and null are not set; a PidsLimit of 0 or -1 is kept (it means unlimited)', () => {
  assert.deepEqual(plainLimitsOf(hc({ PidsLimit: null })), {
    memory: undefined,
    memorySwap: undefined,
    memoryReservation: undefined,
    cpuShares: undefined,
    cpusetCpus: undefined,
    cpusetMems: undefined,
    blkioWeight: undefined,
    pidsLimit: undefined,
  });
  assert.equal(plainLimitsOf(hc({ PidsLimit: 0 })).pidsLimit, 0);
  assert.equal(plainLimitsOf(hc({ PidsLimit: -1 })).pidsLimit, -1);
  const l = plainLimitsOf(
    hc({
      Memory: 64 << 20,
      MemorySwap: -1,
      MemoryReservation: 32 << 20,
      CpuShares: 512,
      CpusetCpus: '0-1',
      CpusetMems: '0',
      BlkioWeight: 300,
      PidsLimit: 50,
    }),
  );
  assert.deepEqual(l, {
    memory: 64 << 20,
    memorySwap: -1,
    memoryReservation: 32 << 20,
    cpuShares: 512,
    cpusetCpus: '0-1',
    cpusetMems: '0',
    blkioWeight: 300,
    pidsLimit: 50,
  });
});

test('cgroupLimitsOf: --cpus is a quota over a 100 ms period; otherwise the period and quota as given', () => {
  const cpus = cgroupLimitsOf(hc({ NanoCpus: 1.5e9, CpuPeriod: 50000, CpuQuota: 10000, Memory: 1 << 20 }));
  assert.equal(cpus.cpuPeriod, 100000);
  assert.equal(cpus.cpuQuota, 150000);
  assert.equal(cpus.memory, 1 << 20);
  const raw = cgroupLimitsOf(hc({ CpuPeriod: 50000, CpuQuota: 10000 }));
  assert.equal(raw.cpuPeriod, 50000);
  assert.equal(raw.cpuQuota, 10000);
  const none = cgroupLimitsOf(hc({}));
  assert.equal(none.cpuPeriod, undefined);
  assert.equal(none.cpuQuota, undefined);
});
