// Live limit changes (`docker update`) written straight into a running container's cgroup, on v1
// and v2, with runc's own conversions and write order, so an update costs a few writes instead of
// a `runc update` process. runc still sets the limits at create from the OCI spec; these are the
// same files it writes there (libcontainer/cgroups/fs and fs2).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CgroupPaths } from './cgroups.js';
import { firstExisting, V1_WEIGHT_FILES, V2_WEIGHT_FILES } from './sysinfo.js';

/** Docker's values (HostConfig units): bytes, shares, µs; memorySwap is memory+swap, -1 = unlimited. */
export interface CgroupLimits {
  memory?: number;
  memorySwap?: number;
  memoryReservation?: number;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  blkioWeight?: number;
  /** > 0 a limit, 0 or -1 unlimited, undefined unchanged. */
  pidsLimit?: number;
}

/** One write: the file's directory (a v1 controller's or the v2 group's), its name, the value. */
export interface LimitWrite {
  dir: string;
  file: string;
  value: string;
}

/** runc's ConvertCPUSharesToCgroupV2Value: shares 2..262144 onto cpu.weight 1..10000. */
export function sharesToWeight(shares: number): number {
  return shares === 0 ? 0 : 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/** runc's ConvertBlkIOToIOWeightValue: blkio weight 10..1000 onto io.weight 1..10000. */
export function blkioToIoWeight(w: number): number {
  return w === 0 ? 0 : 1 + Math.floor(((w - 10) * 9999) / 990);
}

/** runc's ConvertMemorySwapToCgroupV2Value: v2 limits swap alone, Docker gives memory+swap. */
export function swapToV2(memorySwap: number, memory: number): string | null {
  if (memorySwap === -1) return 'max';
  if (!memorySwap) return null;
  if (!memory || memory === -1) throw new Error('unable to set swap limit without memory limit');
  if (memorySwap < memory)
    throw new Error(`memory+swap limit (${memorySwap}) should be greater than memory limit (${memory})`);
  return String(memorySwap - memory);
}

/**
 * The writes for these limits, in the order they must happen. `curMemory` is the v1 memory limit
 * now in force: raising memory above the current memory+swap needs swap written first, lowering
 * needs memory first (the kernel keeps memsw ≥ memory at every step), as runc does.
 */
export async function limitWrites(paths: CgroupPaths, l: CgroupLimits, curMemory?: number): Promise<LimitWrite[]> {
  const out: LimitWrite[] = [];
  const w = (dir: string | undefined, file: string, value: string | number) => {
    if (dir) out.push({ dir, file, value: String(value) });
  };
  const mem = l.memory ?? 0;
  const swap = l.memorySwap ?? 0;
  const pids = l.pidsLimit === undefined ? undefined : l.pidsLimit > 0 ? String(l.pidsLimit) : 'max';
  if (paths.version === 2) {
    const d = paths.path;
    const s = swapToV2(swap, mem);
    if (s !== null) w(d, 'memory.swap.max', s);
    if (mem) w(d, 'memory.max', mem === -1 ? 'max' : mem);
    if (l.memoryReservation) w(d, 'memory.low', l.memoryReservation);
    if (l.cpuShares) w(d, 'cpu.weight', sharesToWeight(l.cpuShares));
    if (l.cpuQuota || l.cpuPeriod)
      w(d, 'cpu.max', `${l.cpuQuota && l.cpuQuota > 0 ? l.cpuQuota : 'max'}${l.cpuPeriod ? ` ${l.cpuPeriod}` : ''}`);
    if (l.cpusetCpus) w(d, 'cpuset.cpus', l.cpusetCpus);
    if (l.cpusetMems) w(d, 'cpuset.mems', l.cpusetMems);
    if (l.blkioWeight) {
      // no weight file (no iocost, no BFQ): create/update discarded the weight with Docker's warning
      const f = await firstExisting(d, V2_WEIGHT_FILES);
      if (f) w(d, f, f === 'io.weight' ? blkioToIoWeight(l.blkioWeight) : l.blkioWeight);
    }
    if (pids !== undefined) w(d, 'pids.max', pids);
    return out;
  }
  const c = paths.controllers;
  const m = c.memory;
  const swapFirst = mem !== 0 && swap !== 0 && (swap === -1 || (curMemory ?? 0) < swap);
  if (swapFirst && swap) w(m, 'memory.memsw.limit_in_bytes', swap);
  if (mem) w(m, 'memory.limit_in_bytes', mem);
  if (!swapFirst && swap) w(m, 'memory.memsw.limit_in_bytes', swap);
  if (l.memoryReservation) w(m, 'memory.soft_limit_in_bytes', l.memoryReservation);
  const cpu = c.cpu ?? c.cpuacct;
  if (l.cpuShares) w(cpu, 'cpu.shares', l.cpuShares);
  if (l.cpuPeriod) w(cpu, 'cpu.cfs_period_us', l.cpuPeriod);
  if (l.cpuQuota) w(cpu, 'cpu.cfs_quota_us', l.cpuQuota);
  if (l.cpusetCpus) w(c.cpuset, 'cpuset.cpus', l.cpusetCpus);
  if (l.cpusetMems) w(c.cpuset, 'cpuset.mems', l.cpusetMems);
  if (l.blkioWeight && c.blkio) {
    // blk-mq kernels have only the BFQ file, or none with mq-deadline (then the weight was discarded)
    const f = await firstExisting(c.blkio, V1_WEIGHT_FILES);
    if (f) w(c.blkio, f, l.blkioWeight);
  }
  if (pids !== undefined) w(c.pids, 'pids.max', pids);
  return out;
}

/** Applies the limits to a live cgroup; the first refused write stops it with the kernel's reason. */
export async function writeLimits(paths: CgroupPaths, l: CgroupLimits): Promise<void> {
  let cur: number | undefined;
  if (paths.version === 1 && paths.controllers.memory) {
    const t = await readFile(path.join(paths.controllers.memory, 'memory.limit_in_bytes'), 'utf8').catch(() => '');
    cur = Number(t.trim()) || undefined;
  }
  for (const x of await limitWrites(paths, l, cur)) {
    const p = path.join(x.dir, x.file);
    try {
      await writeFile(p, x.value);
    } catch (e) {
      throw new Error(
        `failed to write "${x.value}": write ${p}: ${(e as NodeJS.ErrnoException).code === 'EINVAL' ? 'invalid argument' : (e as Error).message}`,
        { cause: e },
      );
    }
  }
}
