// `docker update`: change resource limits and the restart policy, live when the container runs.
import { EngineError, isKind } from '../errdefs.js';
import { cgroupPaths } from '../runtime/cgroups.js';
import { writeLimits, type CgroupLimits } from '../runtime/cgroups-limits.js';
import { isRunningish } from './states.js';
import { adaptToHost } from './host-support.js';
import { applyUpdate, resourceWarnings, runcUpdateArgs, type UpdateRequest } from './resources.js';
import type { ContainerService } from './service.js';
import type { HostConfig } from './types.js';

/** Applies `runc update <args>` to a running container (when its cgroup cannot be found). */
export type LiveUpdate = (id: string, args: string[]) => Promise<void>;

/** The HostConfig's limits that map one to one onto cgroup values (0 and null: not set). */
export function plainLimitsOf(h: HostConfig): Omit<CgroupLimits, 'cpuPeriod' | 'cpuQuota'> {
  return {
    memory: h.Memory || undefined,
    memorySwap: h.MemorySwap || undefined,
    memoryReservation: h.MemoryReservation || undefined,
    cpuShares: h.CpuShares || undefined,
    cpusetCpus: h.CpusetCpus || undefined,
    cpusetMems: h.CpusetMems || undefined,
    blkioWeight: h.BlkioWeight || undefined,
    pidsLimit: h.PidsLimit ?? undefined,
  };
}

/** The HostConfig's limits as cgroup values (--cpus is a quota over a 100 ms period, like Docker). */
export function cgroupLimitsOf(h: HostConfig): CgroupLimits {
  const l: CgroupLimits = plainLimitsOf(h);
  if (h.NanoCpus) {
    l.cpuPeriod = 100000;
    l.cpuQuota = Math.round((h.NanoCpus * 100000) / 1e9);
  } else {
    l.cpuPeriod = h.CpuPeriod || undefined;
    l.cpuQuota = h.CpuQuota || undefined;
  }
  return l;
}

export async function updateContainer(
  svc: ContainerService,
  ref: string,
  u: UpdateRequest,
  live: LiveUpdate,
): Promise<{ warnings: string[] }> {
  const rec = svc.find(ref);
  // like moby, what fails against the container's current state (or in the runtime) is
  // "Cannot update container <id>: …"; a bad request alone keeps its plain text
  const cannot = (e: unknown, kind: 'conflict' | 'invalid' | 'internal') =>
    new EngineError(kind, `Cannot update container ${rec.id}: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  const hostWarnings = await adaptToHost(u); // like create: what the host cannot honour is discarded with Docker's warning
  // in the container's queue: a start or stop cannot slip between the check and the cgroup write
  await svc.updateRecord(rec.id, async (cur) => {
    const running = isRunningish(cur.state.status) && cur.state.status !== 'restarting';
    let next;
    try {
      next = applyUpdate(cur.hostConfig, u, running);
    } catch (e) {
      throw isKind(e, 'conflict') ? cannot(e, 'conflict') : e;
    }
    if (running) {
      // straight into the cgroup files (v1 or v2), no runc process; runc update if they are not found
      const paths = cur.state.pid ? await cgroupPaths(cur.state.pid).catch(() => null) : null;
      const args = runcUpdateArgs(next);
      const apply = paths
        ? writeLimits(paths, cgroupLimitsOf(next))
        : args.length > 0
          ? live(cur.id, args)
          : Promise.resolve();
      // the kernel refusing a value (EINVAL from a cgroup file) is the request's fault: 400, not 500
      await apply.catch((e) =>
        Promise.reject(
          cannot(e, /invalid argument|EINVAL/i.test(String((e as Error)?.message)) ? 'invalid' : 'internal'),
        ),
      );
    }
    cur.hostConfig = next;
  });
  svc.emit(rec, 'update');
  return { warnings: [...hostWarnings, ...resourceWarnings({ KernelMemory: u.KernelMemory })] };
}
