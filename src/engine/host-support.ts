// Docker's verifyPlatformContainerResources, the host half: a limit this host's cgroups cannot
// honour is discarded from the HostConfig with Docker's warning (so runc never fails on a missing
// cgroup file at start), or refused with Docker's error where Docker refuses. Range checks that do
// not depend on the host stay in resources.ts / create-config.ts.
import { invalid } from '../errdefs.js';
import { hostSysInfo, type SysInfo } from '../runtime/sysinfo.js';
import type { HostConfig } from './types.js';

type Fields = Partial<
  Pick<
    HostConfig,
    | 'Memory'
    | 'MemorySwap'
    | 'MemoryReservation'
    | 'MemorySwappiness'
    | 'OomKillDisable'
    | 'PidsLimit'
    | 'NanoCpus'
    | 'CpuShares'
    | 'CpuPeriod'
    | 'CpuQuota'
    | 'CpusetCpus'
    | 'CpusetMems'
    | 'BlkioWeight'
    | 'BlkioWeightDevice'
    | 'BlkioDeviceReadBps'
    | 'BlkioDeviceWriteBps'
    | 'BlkioDeviceReadIOps'
    | 'BlkioDeviceWriteIOps'
  >
> & { KernelMemory?: number; KernelMemoryTCP?: number };

/**
 * Drops from `h` (in place, like moby) what `s` says the host lacks; returns Docker's warnings in
 * Docker's order. Throws Docker's error for NanoCpus without CFS (Docker refuses that one).
 */
export function discardUnsupported(h: Fields, s: SysInfo): string[] {
  const w: string[] = [];
  discardMemory(h, s, w);
  discardCpu(h, s, w);
  discardBlkio(h, s, w);
  return w;
}

function discardMemory(h: Fields, s: SysInfo, w: string[]): void {
  if ((h.Memory ?? 0) > 0 && !s.memoryLimit) {
    w.push(
      'Your kernel does not support memory limit capabilities or the cgroup is not mounted. Limitation discarded.',
    );
    h.Memory = 0;
    h.MemorySwap = -1;
  }
  if ((h.Memory ?? 0) > 0 && h.MemorySwap !== -1 && !s.swapLimit) {
    w.push(
      'Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.',
    );
    h.MemorySwap = -1;
  }
  // -1 is the API's "unset" for swappiness (fixMemorySwappiness)
  if (
    h.MemorySwappiness !== undefined &&
    h.MemorySwappiness !== null &&
    h.MemorySwappiness !== -1 &&
    !s.memorySwappiness
  ) {
    w.push(
      'Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.',
    );
    h.MemorySwappiness = null;
  }
  if ((h.MemoryReservation ?? 0) > 0 && !s.memoryReservation) {
    w.push(
      'Your kernel does not support memory soft limit capabilities or the cgroup is not mounted. Limitation discarded.',
    );
    h.MemoryReservation = 0;
  }
  if ((h.KernelMemory ?? 0) > 0 && !s.kernelMemory) {
    w.push(
      'Your kernel does not support kernel memory limit capabilities or the cgroup is not mounted. Limitation discarded.',
    );
    h.KernelMemory = 0;
  }
  if ((h.KernelMemoryTCP ?? 0) > 0 && !s.kernelMemoryTcp) {
    w.push(
      'Your kernel does not support kernel memory TCP limit capabilities or the cgroup is not mounted. Limitation discarded.',
    );
    h.KernelMemoryTCP = 0;
  }
  if (h.OomKillDisable !== undefined && h.OomKillDisable !== null && !s.oomKillDisable) {
    // moby warns only when the caller wanted the OOM killer off
    if (h.OomKillDisable) w.push('Your kernel does not support OomKillDisable. OomKillDisable discarded.');
    h.OomKillDisable = null;
  }
  if (h.PidsLimit !== undefined && h.PidsLimit !== null && !s.pidsLimit) {
    if (h.PidsLimit > 0)
      w.push(
        'Your kernel does not support PIDs limit capabilities or the cgroup is not mounted. PIDs limit discarded.',
      );
    h.PidsLimit = null;
  }
}

function discardCpu(h: Fields, s: SysInfo, w: string[]): void {
  if ((h.NanoCpus ?? 0) > 0 && !s.cpuCfs) {
    throw invalid(
      'NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler or the cgroup is not mounted',
    );
  }
  if ((h.CpuShares ?? 0) > 0 && !s.cpuShares) {
    w.push('Your kernel does not support CPU shares or the cgroup is not mounted. Shares discarded.');
    h.CpuShares = 0;
  }
  if ((h.CpuPeriod || h.CpuQuota) && !s.cpuCfs) {
    w.push('Your kernel does not support CPU CFS scheduler. CPU period/quota discarded.');
    h.CpuPeriod = 0;
    h.CpuQuota = 0;
  }
  if ((h.CpusetCpus || h.CpusetMems) && !s.cpuset) {
    w.push('Your kernel does not support cpuset or the cgroup is not mounted. Cpuset discarded.');
    h.CpusetCpus = '';
    h.CpusetMems = '';
  }
}

function discardBlkio(h: Fields, s: SysInfo, w: string[]): void {
  if ((h.BlkioWeight ?? 0) > 0 && !s.blkioWeightFile) {
    w.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
    h.BlkioWeight = 0;
  }
  const lists = [
    [
      'BlkioWeightDevice',
      s.blkioWeightDevice,
      'Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.',
    ],
    [
      'BlkioDeviceReadBps',
      s.blkioReadBpsDevice,
      'Your kernel does not support BPS Block I/O read limit or the cgroup is not mounted. Block I/O BPS read limit discarded.',
    ],
    [
      'BlkioDeviceWriteBps',
      s.blkioWriteBpsDevice,
      'Your kernel does not support BPS Block I/O write limit or the cgroup is not mounted. Block I/O BPS write limit discarded.',
    ],
    [
      'BlkioDeviceReadIOps',
      s.blkioReadIOpsDevice,
      'Your kernel does not support IOPS Block read limit or the cgroup is not mounted. Block I/O IOPS read limit discarded.',
    ],
    [
      'BlkioDeviceWriteIOps',
      s.blkioWriteIOpsDevice,
      'Your kernel does not support IOPS Block write limit or the cgroup is not mounted. Block I/O IOPS write limit discarded.',
    ],
  ] as const;
  for (const [k, ok, text] of lists) {
    if ((h[k]?.length ?? 0) > 0 && !ok) {
      w.push(text);
      h[k] = [];
    }
  }
}

/** discardUnsupported against this host (detected once per process). */
export async function adaptToHost(h: Fields): Promise<string[]> {
  return discardUnsupported(h, await hostSysInfo());
}
