// Resource limits: Docker's checks against what the host offers (CPUs, memory nodes), shared by
// create and `docker update`.
import fs from 'node:fs';
import os from 'node:os';
import { conflict, invalid } from '../errdefs.js';
import type { HostConfig } from './types.js';

export interface HostResources {
  numCpus: number;
  /** cpuset lists, e.g. "0-1". */
  cpus: string;
  mems: string;
}

function readFirst(paths: string[]): string | null {
  for (const p of paths) {
    try {
      const v = fs.readFileSync(p, 'utf8').trim();
      if (v) return v;
    } catch {
      /* next */
    }
  }
  return null;
}

export function hostResources(): HostResources {
  const numCpus = os.cpus().length;
  return {
    numCpus,
    cpus: readFirst(['/sys/fs/cgroup/cpuset/cpuset.effective_cpus', '/sys/fs/cgroup/cpuset/cpuset.cpus', '/sys/fs/cgroup/cpuset.cpus.effective', '/sys/devices/system/cpu/online']) ?? `0-${numCpus - 1}`,
    mems: readFirst(['/sys/fs/cgroup/cpuset/cpuset.effective_mems', '/sys/fs/cgroup/cpuset/cpuset.mems', '/sys/fs/cgroup/cpuset.mems.effective', '/sys/devices/system/node/online']) ?? '0',
  };
}

/** Parses a cpuset list ("0-2,4") into its members; null when malformed. */
export function parseCpuset(s: string): Set<number> | null {
  const out = new Set<number>();
  if (s.trim() === '') return out;
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) return null;
    for (let i = a; i <= b; i++) out.add(i);
  }
  return out;
}

type Limits = Pick<
  HostConfig,
  'Memory' | 'MemorySwap' | 'MemoryReservation' | 'NanoCpus' | 'CpuPeriod' | 'CpuQuota' | 'CpusetCpus' | 'CpusetMems' | 'CpuShares' | 'BlkioWeight'
>;

/** Docker's verifyPlatformContainerResources checks that depend on the host. */
export function validateResources(h: Partial<Limits>, host: HostResources = hostResources()): void {
  const nc = h.NanoCpus ?? 0;
  if (nc < 0 || nc > host.numCpus * 1e9)
    throw invalid(`Range of CPUs is from 0.01 to ${host.numCpus}.00, as there are only ${host.numCpus} CPUs available`);
  if (nc > 0 && nc < 1e7) throw invalid(`Range of CPUs is from 0.01 to ${host.numCpus}.00, as there are only ${host.numCpus} CPUs available`);
  if (h.MemoryReservation && h.MemoryReservation > 0 && h.MemoryReservation < 6 * 1024 * 1024)
    throw invalid('Minimum memory reservation allowed is 6MB');
  if (h.Memory && h.MemoryReservation && h.Memory > 0 && h.MemoryReservation > h.Memory)
    throw invalid('Minimum memory limit can not be less than memory reservation limit, see usage');
  if (h.BlkioWeight && (h.BlkioWeight < 10 || h.BlkioWeight > 1000)) throw invalid('Range of blkio weight is from 10 to 1000');
  for (const [val, avail, what, word] of [
    [h.CpusetCpus, host.cpus, 'CPUs', 'cpus'],
    [h.CpusetMems, host.mems, 'memory nodes', 'mems'],
  ] as const) {
    if (!val) continue;
    const want = parseCpuset(val);
    if (want === null) throw invalid(`Invalid value ${val} for cpuset ${word}`);
    const have = parseCpuset(avail) ?? new Set<number>();
    for (const c of want) if (!have.has(c)) throw invalid(`Requested ${what} are not available - requested ${val}, available: ${avail}`);
  }
}

/** The fields `docker update` may change (POST /containers/{id}/update). */
export interface UpdateRequest extends Partial<Limits> {
  PidsLimit?: number | null;
  KernelMemory?: number;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
}

/**
 * Docker's update rules: zero means "unchanged"; returns the new HostConfig values to store.
 * Throws Docker's texts for conflicts with what is already set.
 */
export function applyUpdate(cur: HostConfig, u: UpdateRequest, running: boolean): HostConfig {
  const n: HostConfig = { ...cur };
  if (u.NanoCpus && u.NanoCpus > 0) {
    if (cur.CpuPeriod > 0 && !u.CpuPeriod) throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
    if (cur.CpuQuota > 0 && !u.CpuQuota) throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
    n.NanoCpus = u.NanoCpus;
  }
  if (u.CpuPeriod && u.CpuPeriod > 0) {
    if (cur.NanoCpus > 0 && !u.NanoCpus) throw conflict('Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
    n.CpuPeriod = u.CpuPeriod;
  }
  if (u.CpuQuota && u.CpuQuota !== 0) {
    if (cur.NanoCpus > 0 && !u.NanoCpus) throw conflict('Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
    n.CpuQuota = u.CpuQuota;
  }
  if (u.NanoCpus && (u.CpuPeriod || u.CpuQuota)) throw invalid('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (u.CpuShares) n.CpuShares = u.CpuShares;
  if (u.CpusetCpus) n.CpusetCpus = u.CpusetCpus;
  if (u.CpusetMems) n.CpusetMems = u.CpusetMems;
  if (u.BlkioWeight) n.BlkioWeight = u.BlkioWeight;
  if (u.MemoryReservation) n.MemoryReservation = u.MemoryReservation;
  if (u.Memory) {
    if (u.Memory < 6 * 1024 * 1024) throw invalid('Minimum memory limit allowed is 6MB');
    if (cur.MemorySwap > 0 && u.Memory > cur.MemorySwap && !u.MemorySwap)
      throw conflict('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    n.Memory = u.Memory;
  }
  if (u.MemorySwap) {
    if (u.MemorySwap > 0 && n.Memory > 0 && u.MemorySwap < n.Memory)
      throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
    if (u.MemorySwap > 0 && !n.Memory) throw invalid('You should always set the Memory limit when using Memoryswap limit, see usage');
    n.MemorySwap = u.MemorySwap;
  }
  if (u.PidsLimit !== undefined && u.PidsLimit !== null) n.PidsLimit = u.PidsLimit <= 0 ? 0 : u.PidsLimit;
  if (u.RestartPolicy && u.RestartPolicy.Name) {
    if (cur.AutoRemove && u.RestartPolicy.Name !== 'no')
      throw invalid('Restart policy cannot be updated because AutoRemove is enabled for the container');
    n.RestartPolicy = { Name: u.RestartPolicy.Name as HostConfig['RestartPolicy']['Name'], MaximumRetryCount: u.RestartPolicy.MaximumRetryCount ?? 0 };
  }
  if (u.KernelMemory) throw invalid('kernel memory limits are not supported by this daemon');
  if (n.Memory > 0 && n.MemoryReservation > n.Memory) throw invalid('Minimum memory limit can not be less than memory reservation limit, see usage');
  void running;
  validateResources(n);
  return n;
}

/** `runc update` flags for the live container (cgroup v1 and v2 alike). */
export function runcUpdateArgs(h: HostConfig): string[] {
  const a: string[] = [];
  if (h.Memory) a.push('--memory', String(h.Memory));
  if (h.MemorySwap) a.push('--memory-swap', String(h.MemorySwap));
  if (h.MemoryReservation) a.push('--memory-reservation', String(h.MemoryReservation));
  if (h.CpuShares) a.push('--cpu-share', String(h.CpuShares));
  if (h.NanoCpus) a.push('--cpu-period', '100000', '--cpu-quota', String(Math.round((h.NanoCpus * 100000) / 1e9)));
  else {
    if (h.CpuPeriod) a.push('--cpu-period', String(h.CpuPeriod));
    if (h.CpuQuota) a.push('--cpu-quota', String(h.CpuQuota));
  }
  if (h.CpusetCpus) a.push('--cpuset-cpus', h.CpusetCpus);
  if (h.CpusetMems) a.push('--cpuset-mems', h.CpusetMems);
  if (h.BlkioWeight) a.push('--blkio-weight', String(h.BlkioWeight));
  if (h.PidsLimit !== null && h.PidsLimit !== undefined) a.push('--pids-limit', String(h.PidsLimit > 0 ? h.PidsLimit : -1));
  return a;
}
