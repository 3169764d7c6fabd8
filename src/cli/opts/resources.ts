// run/create's CFS and block-IO flags (--cpu-period, --cpu-quota, --blkio-weight, --cpuset-mems,
// --device-{read,write}-{bps,iops}) → their HostConfig fields.
import { get, type FlagSpec, type Parsed } from '../flags/parser.js';
import { flagTable } from '../flags/table.js';
import { ramInBytes } from '../format/units.js';

/** `PATH:RATE` (a byte size for bps, a count for iops), checked as the flag is parsed. */
function throttle(iops: boolean): Partial<FlagSpec> {
  return {
    check: (v) => {
      const i = v.lastIndexOf(':');
      if (i <= 0) throw new Error(`bad format: ${v}`);
      const rate = v.slice(i + 1);
      if (iops ? !/^\d+$/.test(rate) : Number.isNaN(ramInBytes(rate))) throw new Error(`invalid rate for device: ${v}`);
    },
  };
}

export const resourceFlags: FlagSpec[] = flagTable(
  `
  blkio-weight        int     Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)
  cpu-period          int     Limit CPU CFS (Completely Fair Scheduler) period
  cpu-quota           int     Limit CPU CFS (Completely Fair Scheduler) quota
  cpuset-mems         string  MEMs in which to allow execution (0-3, 0,1)
  device-read-bps     list    Limit read rate (bytes per second) from a device
  device-read-iops    list    Limit read rate (IO per second) from a device
  device-write-bps    list    Limit write rate (bytes per second) to a device
  device-write-iops   list    Limit write rate (IO per second) to a device
  `,
  {
    'device-read-bps': throttle(false),
    'device-write-bps': throttle(false),
    'device-read-iops': throttle(true),
    'device-write-iops': throttle(true),
  },
);

const devices = (p: Parsed, name: string, iops: boolean) =>
  get.list(p, name).map((v) => {
    const i = v.lastIndexOf(':');
    const rate = v.slice(i + 1);
    return { Path: v.slice(0, i), Rate: iops ? Number(rate) : ramInBytes(rate) };
  });

/** The HostConfig fields these flags set (only those given). */
export function resourcesOf(p: Parsed): Record<string, unknown> {
  const hc: Record<string, unknown> = {};
  if (p.set.has('blkio-weight')) hc.BlkioWeight = get.int(p, 'blkio-weight');
  if (p.set.has('cpu-period')) hc.CpuPeriod = get.int(p, 'cpu-period');
  if (p.set.has('cpu-quota')) hc.CpuQuota = get.int(p, 'cpu-quota');
  if (p.set.has('cpuset-mems')) hc.CpusetMems = get.str(p, 'cpuset-mems');
  const throttles: Array<[string, string, boolean]> = [
    ['BlkioDeviceReadBps', 'device-read-bps', false],
    ['BlkioDeviceWriteBps', 'device-write-bps', false],
    ['BlkioDeviceReadIOps', 'device-read-iops', true],
    ['BlkioDeviceWriteIOps', 'device-write-iops', true],
  ];
  for (const [field, flag, iops] of throttles) if (p.set.has(flag)) hc[field] = devices(p, flag, iops);
  return hc;
}

/** A byte-size flag (opts.MemBytes), `-1` kept where the flag allows it; 0 when not given. */
export function bytesOf(p: Parsed, name: string, minusOne = false): number {
  const v = get.str(p, name);
  if (!v) return 0;
  return minusOne && v === '-1' ? -1 : ramInBytes(v);
}

/** `--cpus` → NanoCpus (0 when not given); `fail` makes the caller's kind of usage error. */
export function nanoCpusOf(p: Parsed, fail: (message: string) => Error): number {
  const v = get.str(p, 'cpus');
  if (!v) return 0;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw fail(`invalid argument "${v}" for "--cpus" flag: failed to parse ${v} as a rational number`);
  return Math.round(n * 1e9);
}
