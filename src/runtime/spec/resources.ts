// HostConfig resources → OCI linux.resources, with Docker's defaults and validation texts.
import { invalid } from '../../errdefs.js';
import type { OciDeviceCgroup, OciResources, SpecResources } from './types.js';

/** moby oci/defaults.go: deny all, then the standard nodes; runc appends pts/ptmx/tun itself. */
export const DEFAULT_DEVICE_RULES: readonly OciDeviceCgroup[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, // zero
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, // null
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, // urandom
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' }, // random
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' }, // tty
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }, // console
  { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }, // fuse
];

const MIN_MEMORY = 6 * 1024 * 1024;

/** Docker's daemon-side checks (daemon_unix.go verifyPlatformContainerResources), same texts. */
export function validateResources(r: SpecResources): void {
  const mem = r.memory ?? 0;
  if (mem !== 0 && mem < MIN_MEMORY) throw invalid('Minimum memory limit allowed is 6MB');
  const swap = r.memorySwap ?? 0;
  if (mem === 0 && swap > 0)
    throw invalid('You should always set the Memory limit when using Memoryswap limit, see usage');
  if (mem > 0 && swap > 0 && swap < mem)
    throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (mem > 0 && (r.memoryReservation ?? 0) > mem)
    throw invalid('Minimum memory limit can not be less than memory reservation limit, see usage');
  if (
    r.memorySwappiness !== undefined &&
    r.memorySwappiness !== -1 &&
    (r.memorySwappiness < 0 || r.memorySwappiness > 100)
  ) {
    throw invalid(`Invalid value: ${r.memorySwappiness}, valid memory swappiness range is 0-100`);
  }
  if ((r.nanoCpus ?? 0) > 0 && (r.cpuPeriod ?? 0) > 0)
    throw invalid('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if ((r.nanoCpus ?? 0) > 0 && (r.cpuQuota ?? 0) > 0)
    throw invalid('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (r.cpuPeriod && (r.cpuPeriod < 1000 || r.cpuPeriod > 1000000))
    throw invalid('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  if (r.cpuQuota && r.cpuQuota > 0 && r.cpuQuota < 1000)
    throw invalid('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if (r.blkioWeight && (r.blkioWeight < 10 || r.blkioWeight > 1000))
    throw invalid('Range of blkio weight is from 10 to 1000');
  if ((r.nanoCpus ?? 0) < 0) throw invalid('Range of CPUs is from 0.01 to the number of CPUs available');
}

/** "c 1:3 rwm", "b *:* m", "a" → a cgroup rule (--device-cgroup-rule). */
export function parseDeviceCgroupRule(rule: string): OciDeviceCgroup {
  const m = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/.exec(rule.trim());
  if (!m) throw invalid(`invalid device cgroup format '${rule}'`);
  const out: OciDeviceCgroup = { allow: true, type: m[1] as 'a' | 'c' | 'b', access: m[4] };
  if (m[2] !== '*') out.major = Number(m[2]);
  if (m[3] !== '*') out.minor = Number(m[3]);
  return out;
}

export function toOciResources(r: SpecResources, devices: OciDeviceCgroup[]): OciResources {
  const out: OciResources = { devices };
  const mem: NonNullable<OciResources['memory']> = {};
  if (r.memory) {
    mem.limit = r.memory;
    // Docker: swap 0 with a memory limit means "as much swap as memory" (total = 2x).
    const swap = r.memorySwap ?? 0;
    mem.swap = swap === 0 ? r.memory * 2 : swap;
  } else if (r.memorySwap === -1) {
    mem.swap = -1;
  }
  if (r.memoryReservation) mem.reservation = r.memoryReservation;
  if (r.memorySwappiness !== undefined && r.memorySwappiness >= 0) mem.swappiness = r.memorySwappiness;
  if (r.oomKillDisable) mem.disableOOMKiller = true;
  if (Object.keys(mem).length) out.memory = mem;

  const cpu: NonNullable<OciResources['cpu']> = {};
  if (r.cpuShares) cpu.shares = r.cpuShares;
  if (r.nanoCpus) {
    cpu.period = 100000;
    cpu.quota = Math.round((r.nanoCpus * 100000) / 1e9);
  } else {
    if (r.cpuPeriod) cpu.period = r.cpuPeriod;
    // any negative quota is the kernel's "no limit", which a new cgroup has: left out (crun 1.8
    // cannot write a negative cpu.cfs_quota_us on cgroup v1: ERANGE)
    if (r.cpuQuota && r.cpuQuota > 0) cpu.quota = r.cpuQuota;
  }
  if (r.cpuRealtimePeriod) cpu.realtimePeriod = r.cpuRealtimePeriod;
  if (r.cpuRealtimeRuntime) cpu.realtimeRuntime = r.cpuRealtimeRuntime;
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length) out.cpu = cpu;

  if (r.pidsLimit && r.pidsLimit > 0) out.pids = { limit: r.pidsLimit };

  const bio: NonNullable<OciResources['blockIO']> = {};
  if (r.blkioWeight) bio.weight = r.blkioWeight;
  if (r.blkioWeightDevice?.length) bio.weightDevice = r.blkioWeightDevice.map((d) => ({ ...d }));
  if (r.blkioDeviceReadBps?.length) bio.throttleReadBpsDevice = r.blkioDeviceReadBps.map((d) => ({ ...d }));
  if (r.blkioDeviceWriteBps?.length) bio.throttleWriteBpsDevice = r.blkioDeviceWriteBps.map((d) => ({ ...d }));
  if (r.blkioDeviceReadIOps?.length) bio.throttleReadIOPSDevice = r.blkioDeviceReadIOps.map((d) => ({ ...d }));
  if (r.blkioDeviceWriteIOps?.length) bio.throttleWriteIOPSDevice = r.blkioDeviceWriteIOps.map((d) => ({ ...d }));
  if (Object.keys(bio).length) out.blockIO = bio;
  return out;
}
