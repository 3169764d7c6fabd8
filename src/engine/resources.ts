// Resource limits: Docker's checks against what the host offers (CPUs, memory nodes), shared by
// create and `docker update`.
import fs from 'node:fs';
import os from 'node:os';
import { conflict, invalid } from '../errdefs.js';
import { daemonLimits, type LimitEntry } from '../runtime/spec/rlimits.js';
import { ULIMIT_NAMES } from '../util/go-units.js';
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
    cpus:
      readFirst([
        '/sys/fs/cgroup/cpuset/cpuset.effective_cpus',
        '/sys/fs/cgroup/cpuset/cpuset.cpus',
        '/sys/fs/cgroup/cpuset.cpus.effective',
        '/sys/devices/system/cpu/online',
      ]) ?? `0-${numCpus - 1}`,
    mems:
      readFirst([
        '/sys/fs/cgroup/cpuset/cpuset.effective_mems',
        '/sys/fs/cgroup/cpuset/cpuset.mems',
        '/sys/fs/cgroup/cpuset.mems.effective',
        '/sys/devices/system/node/online',
      ]) ?? '0',
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
  | 'Memory'
  | 'MemorySwap'
  | 'MemoryReservation'
  | 'NanoCpus'
  | 'CpuPeriod'
  | 'CpuQuota'
  | 'CpusetCpus'
  | 'CpusetMems'
  | 'CpuShares'
  | 'BlkioWeight'
>;

/**
 * --ulimit values: Docker's texts for unknown names and soft > hard; and never above the daemon's
 * own hard limit: raising it needs CAP_SYS_RESOURCE, which berthd may lack, and runc would fail
 * at start with "error setting rlimit type 7: operation not permitted" (Docker 20.10 does, here).
 */
export function validateUlimits(
  ulimits: HostConfig['Ulimits'] | undefined,
  caps: readonly LimitEntry[] = daemonLimits(),
): void {
  for (const u of ulimits ?? []) {
    if (!ULIMIT_NAMES.has(u.Name)) throw invalid(`invalid ulimit type: ${u.Name ?? ''}`);
    if (u.Soft > u.Hard)
      throw invalid(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
    const cap = caps.find((l) => l.type === `RLIMIT_${u.Name.toUpperCase()}`)?.hard ?? Infinity;
    // -1 asks for "unlimited"
    const hard = u.Hard < 0 ? Infinity : u.Hard;
    if (hard > cap)
      throw invalid(
        `ulimit ${u.Name}=${u.Soft}:${u.Hard} is above the daemon's own hard limit (${cap}); a container cannot be given more than berthd has`,
      );
  }
}

/** Docker's verifyPlatformContainerResources checks that depend on the host (and --ulimit). */
export function validateResources(
  h: Partial<Limits> & { Ulimits?: HostConfig['Ulimits'] },
  host: HostResources = hostResources(),
): void {
  validateUlimits(h.Ulimits);
  const nc = h.NanoCpus ?? 0;
  if (nc < 0 || nc > host.numCpus * 1e9)
    throw invalid(`Range of CPUs is from 0.01 to ${host.numCpus}.00, as there are only ${host.numCpus} CPUs available`);
  if (nc > 0 && nc < 1e7)
    throw invalid(`Range of CPUs is from 0.01 to ${host.numCpus}.00, as there are only ${host.numCpus} CPUs available`);
  // negative too: runc fails writing it at start (moby only checks > 0)
  if (h.MemoryReservation && h.MemoryReservation < 6 * 1024 * 1024)
    throw invalid('Minimum memory reservation allowed is 6MB');
  if (h.Memory && h.MemoryReservation && h.Memory > 0 && h.MemoryReservation > h.Memory)
    throw invalid('Minimum memory limit can not be less than memory reservation limit, see usage');
  if (h.BlkioWeight && (h.BlkioWeight < 10 || h.BlkioWeight > 1000))
    throw invalid('Range of blkio weight is from 10 to 1000');
  for (const [val, avail, what, word] of [
    [h.CpusetCpus, host.cpus, 'CPUs', 'cpus'],
    [h.CpusetMems, host.mems, 'memory nodes', 'mems'],
  ] as const) {
    if (!val) continue;
    const want = parseCpuset(val);
    if (want === null) throw invalid(`Invalid value ${val} for cpuset ${word}: invalid format: ${val}`);
    const have = parseCpuset(avail) ?? new Set<number>();
    for (const c of want)
      if (!have.has(c)) throw invalid(`Requested ${what} are not available - requested ${val}, available: ${avail}`);
  }
}

/** The fields `docker update` may change (POST /containers/{id}/update). */
export interface UpdateRequest extends Partial<Limits> {
  PidsLimit?: number | null;
  KernelMemory?: number;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
}

const MIB = 1024 * 1024;

/**
 * Docker's update, in its two phases: first the request's own values are verified (moby's
 * verifyContainerSettings with update=true: `invalid`, 400), then they are merged into the current
 * HostConfig (container.UpdateContainer: conflicts with what is set, `conflict`, 409, which the
 * caller prefixes with "Cannot update container <id>: " like moby). Zero means "unchanged".
 */
export function applyUpdate(cur: HostConfig, u: UpdateRequest, running: boolean): HostConfig {
  void running;
  // phase 1: the request alone
  if (u.Memory && u.Memory < 6 * MIB) throw invalid('Minimum memory limit allowed is 6MB');
  if (u.Memory && u.Memory > 0 && u.MemorySwap && u.MemorySwap > 0 && u.MemorySwap < u.Memory)
    throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
  // -1 is "unlimited"; below it the cgroup write fails (EINVAL), which must not be a 500
  if (u.MemorySwap && u.MemorySwap < -1)
    throw invalid(`invalid memory swap limit ${u.MemorySwap}: use -1 for unlimited swap or a positive limit`);
  if (u.KernelMemory && u.KernelMemory > 0 && u.KernelMemory < 4 * MIB)
    throw invalid('Minimum kernel memory limit allowed is 4MB');
  if (u.NanoCpus && u.CpuPeriod) throw invalid('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (u.NanoCpus && u.CpuQuota) throw invalid('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (u.CpuPeriod && (u.CpuPeriod < 1000 || u.CpuPeriod > 1000000))
    throw invalid('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  if (u.CpuQuota && u.CpuQuota > 0 && u.CpuQuota < 1000)
    throw invalid('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  validateResources(u);
  // phase 2: against what is set
  const n: HostConfig = { ...cur };
  if (u.NanoCpus && u.NanoCpus > 0 && cur.CpuPeriod > 0)
    throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if (u.NanoCpus && u.NanoCpus > 0 && cur.CpuQuota > 0)
    throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if (u.CpuPeriod && u.CpuPeriod > 0 && cur.NanoCpus > 0)
    throw conflict('Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if (u.CpuQuota && u.CpuQuota > 0 && cur.NanoCpus > 0)
    throw conflict('Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  if (u.BlkioWeight) n.BlkioWeight = u.BlkioWeight;
  if (u.CpuShares) n.CpuShares = u.CpuShares;
  if (u.NanoCpus) n.NanoCpus = u.NanoCpus;
  if (u.CpuPeriod) n.CpuPeriod = u.CpuPeriod;
  if (u.CpuQuota) n.CpuQuota = u.CpuQuota;
  if (u.CpusetCpus) n.CpusetCpus = u.CpusetCpus;
  if (u.CpusetMems) n.CpusetMems = u.CpusetMems;
  if (u.Memory) {
    // moby refuses any memory above a set swap limit unless swap changes too; with no swap limit
    // (0: the container was created without -m) it refuses as well, which we do not copy: raising
    // or setting a limit on an unlimited container is what users ask update for (docs/decisions.md)
    if (cur.MemorySwap > 0 && u.Memory > cur.MemorySwap && !u.MemorySwap)
      throw conflict(
        'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time',
      );
    n.Memory = u.Memory;
  }
  if (u.MemorySwap) n.MemorySwap = u.MemorySwap;
  if (u.MemoryReservation) n.MemoryReservation = u.MemoryReservation;
  if (u.KernelMemory) (n as HostConfig & { KernelMemory?: number }).KernelMemory = u.KernelMemory;
  if (u.PidsLimit !== undefined && u.PidsLimit !== null) n.PidsLimit = Math.max(u.PidsLimit, 0);
  if (u.RestartPolicy?.Name) {
    if (cur.AutoRemove && u.RestartPolicy.Name !== 'no')
      throw conflict('Restart policy cannot be updated because AutoRemove is enabled for the container');
    n.RestartPolicy = {
      Name: u.RestartPolicy.Name as HostConfig['RestartPolicy']['Name'],
      MaximumRetryCount: u.RestartPolicy.MaximumRetryCount ?? 0,
    };
  }
  // the merged result must still hold together (runc would refuse it half-applied)
  if (n.MemorySwap > 0 && n.Memory > 0 && n.MemorySwap < n.Memory)
    throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (n.MemorySwap > 0 && !n.Memory)
    throw invalid('You should always set the Memory limit when using Memoryswap limit, see usage');
  if (n.Memory > 0 && n.MemoryReservation > n.Memory)
    throw invalid('Minimum memory limit can not be less than memory reservation limit, see usage');
  validateResources(n);
  return n;
}

/** Docker's warnings for a create or update request (shown by the CLI, the request still succeeds). */
export function resourceWarnings(h: Partial<HostConfig> & { KernelMemory?: number }): string[] {
  const w: string[] = [];
  if (h.KernelMemory && h.KernelMemory > 0)
    w.push('Specifying a kernel memory limit is deprecated and will be removed in a future release.');
  if (h.OomKillDisable && !h.Memory)
    w.push(
      'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
    );
  return w;
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
  if (h.PidsLimit !== null && h.PidsLimit !== undefined)
    a.push('--pids-limit', String(h.PidsLimit > 0 ? h.PidsLimit : -1));
  return a;
}
