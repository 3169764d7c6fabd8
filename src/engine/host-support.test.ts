import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SysInfo } from '../runtime/sysinfo.js';
import { discardUnsupported } from './host-support.js';

const all: SysInfo = {
  mode: 'v1',
  memoryLimit: true,
  swapLimit: true,
  memoryReservation: true,
  oomKillDisable: true,
  memorySwappiness: true,
  kernelMemory: true,
  kernelMemoryTcp: true,
  cpuShares: true,
  cpuCfs: true,
  cpuRealtime: true,
  blkioWeightFile: 'blkio.weight',
  blkioWeightDevice: true,
  blkioReadBpsDevice: true,
  blkioWriteBpsDevice: true,
  blkioReadIOpsDevice: true,
  blkioWriteIOpsDevice: true,
  cpuset: true,
  cpus: '0-1',
  mems: '0',
  pidsLimit: true,
  hugetlbSizes: [],
  cgroupNamespaces: true,
  warnings: [],
};
const dev = [{ Path: '/dev/sda', Rate: 1 }];

test('a host that has everything keeps every limit and warns nothing', () => {
  const h = {
    Memory: 64 << 20,
    MemorySwap: 128 << 20,
    BlkioWeight: 300,
    PidsLimit: 40,
    CpuShares: 512,
    OomKillDisable: true,
    BlkioDeviceReadBps: dev,
  };
  const before = structuredClone(h);
  assert.deepEqual(discardUnsupported(h, all), []);
  assert.deepEqual(h, before);
});

test("mq-deadline v1 host: the blkio weight is discarded with Docker's warning, the rest kept", () => {
  const h = { BlkioWeight: 300, CpuShares: 512, BlkioDeviceReadBps: dev };
  assert.deepEqual(discardUnsupported(h, { ...all, blkioWeightFile: null }), [
    'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.',
  ]);
  assert.deepEqual(h, { BlkioWeight: 0, CpuShares: 512, BlkioDeviceReadBps: dev });
});

test('v2-like host: OomKillDisable and swappiness discarded; a false OomKillDisable is dropped silently', () => {
  const v2 = { ...all, oomKillDisable: false, memorySwappiness: false, kernelMemory: false };
  const h: { OomKillDisable: boolean | null; MemorySwappiness: number | null; Memory: number } = {
    OomKillDisable: true,
    MemorySwappiness: 10,
    Memory: 0,
  };
  assert.deepEqual(discardUnsupported(h, v2), [
    'Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.',
    'Your kernel does not support OomKillDisable. OomKillDisable discarded.',
  ]);
  assert.deepEqual(h, { OomKillDisable: null, MemorySwappiness: null, Memory: 0 });
  const off = { OomKillDisable: false as boolean | null, MemorySwappiness: -1 };
  assert.deepEqual(discardUnsupported(off, v2), [], '-1 is "unset" and false needs no warning');
  assert.equal(off.OomKillDisable, null);
});

test('no swap accounting: memory limited without swap (MemorySwap -1)', () => {
  const h = { Memory: 64 << 20, MemorySwap: 128 << 20 };
  assert.deepEqual(discardUnsupported(h, { ...all, swapLimit: false }), [
    'Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.',
  ]);
  assert.equal(h.MemorySwap, -1);
});

test('no memory controller: the limit goes, and swap with it (no second warning)', () => {
  const h = { Memory: 64 << 20, MemorySwap: 0, MemoryReservation: 32 << 20 };
  const w = discardUnsupported(h, { ...all, memoryLimit: false, swapLimit: false, memoryReservation: false });
  assert.deepEqual(w, [
    'Your kernel does not support memory limit capabilities or the cgroup is not mounted. Limitation discarded.',
    'Your kernel does not support memory soft limit capabilities or the cgroup is not mounted. Limitation discarded.',
  ]);
  assert.deepEqual(h, { Memory: 0, MemorySwap: -1, MemoryReservation: 0 });
});

test('no pids, cpu or cpuset controllers; device throttles without their files', () => {
  const h = {
    PidsLimit: 40 as number | null,
    CpuShares: 2,
    CpuPeriod: 50000,
    CpuQuota: 25000,
    CpusetCpus: '0',
    CpusetMems: '0',
    BlkioDeviceWriteIOps: dev,
    BlkioWeightDevice: [{ Path: '/dev/sda', Weight: 10 }],
  };
  const w = discardUnsupported(h, {
    ...all,
    pidsLimit: false,
    cpuShares: false,
    cpuCfs: false,
    cpuset: false,
    blkioWriteIOpsDevice: false,
    blkioWeightDevice: false,
  });
  assert.deepEqual(w, [
    'Your kernel does not support PIDs limit capabilities or the cgroup is not mounted. PIDs limit discarded.',
    'Your kernel does not support CPU shares or the cgroup is not mounted. Shares discarded.',
    'Your kernel does not support CPU CFS scheduler. CPU period/quota discarded.',
    'Your kernel does not support cpuset or the cgroup is not mounted. Cpuset discarded.',
    'Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.',
    'Your kernel does not support IOPS Block write limit or the cgroup is not mounted. Block I/O IOPS write limit discarded.',
  ]);
  assert.deepEqual(h, {
    PidsLimit: null,
    CpuShares: 0,
    CpuPeriod: 0,
    CpuQuota: 0,
    CpusetCpus: '',
    CpusetMems: '',
    BlkioDeviceWriteIOps: [],
    BlkioWeightDevice: [],
  });
});

test("--cpus without CFS is refused with Docker's error", () => {
  assert.throws(() => discardUnsupported({ NanoCpus: 5e8 }, { ...all, cpuCfs: false }), {
    message: 'NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler or the cgroup is not mounted',
  });
});

test('kernel memory without kmem files is discarded', () => {
  const h = { KernelMemory: 8 << 20 };
  assert.deepEqual(discardUnsupported(h, { ...all, kernelMemory: false }), [
    'Your kernel does not support kernel memory limit capabilities or the cgroup is not mounted. Limitation discarded.',
  ]);
  assert.equal(h.KernelMemory, 0);
});
