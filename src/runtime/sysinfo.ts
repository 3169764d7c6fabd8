// What this host's cgroups and kernel can honour, detected once (moby's pkg/sysinfo): cgroup
// v1/hybrid/v2, which controllers are there and which of their files exist in berthd's own cgroup
// (containers nest under it). Create and `docker update` discard what the host lacks with Docker's
// warnings instead of letting runc fail at start. Every path is read under `root` for tests.
import { access, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseMountinfo } from './cgroups.js';

export type CgroupMode = 'v1' | 'hybrid' | 'v2' | 'none';

export interface SysInfo {
  mode: CgroupMode;
  memoryLimit: boolean;
  swapLimit: boolean;
  memoryReservation: boolean;
  oomKillDisable: boolean;
  memorySwappiness: boolean;
  kernelMemory: boolean;
  kernelMemoryTcp: boolean;
  cpuShares: boolean;
  cpuCfs: boolean;
  cpuRealtime: boolean;
  /** The file a blkio weight goes to (blkio.weight, blkio.bfq.weight, io.bfq.weight, io.weight), null when none. */
  blkioWeightFile: string | null;
  blkioWeightDevice: boolean;
  blkioReadBpsDevice: boolean;
  blkioWriteBpsDevice: boolean;
  blkioReadIOpsDevice: boolean;
  blkioWriteIOpsDevice: boolean;
  cpuset: boolean;
  /** cpuset lists the container may use ('' when unknown). */
  cpus: string;
  mems: string;
  pidsLimit: boolean;
  /** Huge page sizes the hugetlb controller limits ("2MB", "1GB"), empty without it. */
  hugetlbSizes: string[];
  cgroupNamespaces: boolean;
  /** What the host lacks, in moby's words (logged at daemon start). */
  warnings: string[];
}

export interface SysInfoOptions {
  /** Prefix for every absolute path (/proc, /sys), for fixture trees. */
  root?: string;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );
const readText = (p: string) =>
  readFile(p, 'utf8').then(
    (t) => t.trim(),
    () => null,
  );

/** Where a blkio weight goes, in runc's order of preference (BFQ's file first, then CFQ's or iocost's). */
export const V1_WEIGHT_FILES = ['blkio.bfq.weight', 'blkio.weight'] as const;

/** cgroup v1 blkio throttle files, checked in moby's order. */
const V1_THROTTLES = [
  ['blkioReadBpsDevice', 'read_bps_device'],
  ['blkioWriteBpsDevice', 'write_bps_device'],
  ['blkioReadIOpsDevice', 'read_iops_device'],
  ['blkioWriteIOpsDevice', 'write_iops_device'],
] as const satisfies readonly (readonly [keyof SysInfo, string])[];

/** The v1 memory features moby's sysinfo checks, in its order: field, file, moby's warning. */
const V1_MEMORY = [
  ['swapLimit', 'memsw.limit_in_bytes', 'swap memory limit'],
  ['memoryReservation', 'soft_limit_in_bytes', 'memory reservation'],
  ['oomKillDisable', 'oom_control', 'oom control'],
  ['memorySwappiness', 'swappiness', 'memory swappiness'],
  ['kernelMemory', 'kmem.limit_in_bytes', 'kernel memory limit'],
  ['kernelMemoryTcp', 'kmem.tcp.limit_in_bytes', 'kernel memory TCP limit'],
] as const satisfies readonly (readonly [keyof SysInfo, string, string])[];

export const V2_WEIGHT_FILES = ['io.bfq.weight', 'io.weight'] as const;

/** The first of `files` present in `dir`, or null. */
export async function firstExisting(dir: string, files: readonly string[]): Promise<string | null> {
  for (const f of files) if (await exists(path.join(dir, f))) return f;
  return null;
}

interface Groups {
  mode: CgroupMode;
  /** v1: controller → berthd's directory for it (under root); v2: the unified group directory. */
  v1: Record<string, string>;
  unified: string | null;
}

/** Where berthd's cgroups are, from /proc/self/cgroup and mountinfo; a missing group dir falls back to the mount point. */
async function findGroups(under: (p: string) => string): Promise<Groups> {
  const [cg, mi] = await Promise.all([readText(under('/proc/self/cgroup')), readText(under('/proc/self/mountinfo'))]);
  const mounts = parseMountinfo(mi ?? '');
  const v1: Record<string, string> = {};
  let unified: string | null = null;
  const pick = async (mountpoint: string, mountRoot: string, cgPath: string) => {
    const rel = mountRoot === '/' ? cgPath : cgPath.startsWith(mountRoot) ? cgPath.slice(mountRoot.length) : cgPath;
    const own = under(path.join(mountpoint, rel));
    return (await exists(own)) ? own : under(mountpoint);
  };
  for (const line of (cg ?? '').split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, , ctrls, cgPath] = m as unknown as [string, string, string, string];
    if (ctrls === '') {
      const mount = mounts.find((x) => x.fstype === 'cgroup2');
      if (mount) unified = await pick(mount.mountpoint, mount.root, cgPath);
      continue;
    }
    for (const c of ctrls.split(',')) {
      if (c.startsWith('name=')) continue;
      const mount = mounts.find((x) => x.fstype === 'cgroup' && x.options.includes(c));
      if (mount) v1[c] = await pick(mount.mountpoint, mount.root, cgPath);
    }
  }
  const hasV1 = Object.keys(v1).length > 0;
  const mode: CgroupMode = hasV1 ? (unified ? 'hybrid' : 'v1') : unified ? 'v2' : 'none';
  return { mode, v1, unified };
}

function empty(mode: CgroupMode): SysInfo {
  return {
    mode,
    memoryLimit: false,
    swapLimit: false,
    memoryReservation: false,
    oomKillDisable: false,
    memorySwappiness: false,
    kernelMemory: false,
    kernelMemoryTcp: false,
    cpuShares: false,
    cpuCfs: false,
    cpuRealtime: false,
    blkioWeightFile: null,
    blkioWeightDevice: false,
    blkioReadBpsDevice: false,
    blkioWriteBpsDevice: false,
    blkioReadIOpsDevice: false,
    blkioWriteIOpsDevice: false,
    cpuset: false,
    cpus: '',
    mems: '',
    pidsLimit: false,
    hugetlbSizes: [],
    cgroupNamespaces: false,
    warnings: [],
  };
}

/** hugetlb.<size>.limit_in_bytes (v1) or hugetlb.<size>.max (v2) in a directory → the sizes. */
async function hugetlbSizes(dir: string, v2: boolean): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const re = v2 ? /^hugetlb\.([0-9]+[KMG]B)\.max$/ : /^hugetlb\.([0-9]+[KMG]B)\.limit_in_bytes$/;
  return names
    .map((n) => re.exec(n)?.[1])
    .filter((x): x is string => !!x)
    .sort();
}

async function detectV1(s: SysInfo, c: Record<string, string>): Promise<void> {
  const has = (ctrl: string, file: string) => (c[ctrl] ? exists(path.join(c[ctrl]!, file)) : Promise.resolve(false));
  const w = (ok: boolean, msg: string) => {
    if (!ok) s.warnings.push(msg);
    return ok;
  };
  if (w(!!c.memory, 'Your kernel does not support cgroup memory limit')) {
    s.memoryLimit = true;
    for (const [key, file, what] of V1_MEMORY)
      s[key] = w(await has('memory', `memory.${file}`), `Your kernel does not support ${what}`);
  }
  const cpu = c.cpu ? 'cpu' : 'cpuacct';
  if (w(!!c[cpu], 'Unable to find cpu cgroup in mounts')) {
    s.cpuShares = w(await has(cpu, 'cpu.shares'), 'Your kernel does not support CPU shares');
    s.cpuCfs = w(await has(cpu, 'cpu.cfs_quota_us'), 'Your kernel does not support CPU CFS scheduler');
    s.cpuRealtime = w(await has(cpu, 'cpu.rt_period_us'), 'Your kernel does not support CPU realtime scheduler');
  }
  if (w(!!c.blkio, 'Unable to find blkio cgroup in mounts')) {
    // blk-mq kernels have no blkio.weight; with BFQ the weight is blkio.bfq.weight (runc writes either)
    s.blkioWeightFile = await firstExisting(c.blkio!, V1_WEIGHT_FILES);
    w(!!s.blkioWeightFile, 'Your kernel does not support cgroup blkio weight');
    s.blkioWeightDevice = w(
      !!(await firstExisting(c.blkio!, ['blkio.bfq.weight_device', 'blkio.weight_device'])),
      'Your kernel does not support cgroup blkio weight_device',
    );
    for (const [key, file] of V1_THROTTLES) {
      s[key] = w(
        await has('blkio', `blkio.throttle.${file}`),
        `Your kernel does not support cgroup blkio throttle.${file}`,
      );
    }
  }
  if (w(!!c.cpuset, 'Unable to find cpuset cgroup in mounts')) {
    s.cpuset = true;
    s.cpus =
      (await readText(path.join(c.cpuset!, 'cpuset.effective_cpus'))) ||
      ((await readText(path.join(c.cpuset!, 'cpuset.cpus'))) ?? '');
    s.mems =
      (await readText(path.join(c.cpuset!, 'cpuset.effective_mems'))) ||
      ((await readText(path.join(c.cpuset!, 'cpuset.mems'))) ?? '');
  }
  s.pidsLimit = w(!!c.pids, 'Unable to find pids cgroup in mounts');
  if (c.hugetlb) s.hugetlbSizes = await hugetlbSizes(c.hugetlb, false);
}

async function detectV2(s: SysInfo, dir: string): Promise<void> {
  // the controllers berthd's group may hand to its children (moby reads the root group's)
  const ctrls = new Set(((await readText(path.join(dir, 'cgroup.controllers'))) ?? '').split(/\s+/).filter(Boolean));
  const has = (f: string) => exists(path.join(dir, f));
  const w = (ok: boolean, msg: string) => {
    if (!ok) s.warnings.push(msg);
    return ok;
  };
  if (w(ctrls.has('memory'), 'Unable to find memory controller')) {
    s.memoryLimit = true;
    s.memoryReservation = true;
    s.swapLimit = await has('memory.swap.max');
  }
  if (w(ctrls.has('cpu'), 'Unable to find cpu controller')) {
    s.cpuShares = true;
    s.cpuCfs = true;
  }
  if (w(ctrls.has('io'), 'Unable to find io controller')) {
    // io.weight needs the iocost controller, io.bfq.weight the BFQ scheduler; the root group has
    // neither file, so there the controller alone decides (as in moby)
    const isRoot = !(await has('cgroup.type'));
    s.blkioWeightFile = await firstExisting(dir, V2_WEIGHT_FILES);
    if (!s.blkioWeightFile && isRoot) s.blkioWeightFile = 'io.weight';
    w(!!s.blkioWeightFile, 'Your kernel does not support cgroup blkio weight');
    s.blkioWeightDevice =
      s.blkioReadBpsDevice =
      s.blkioWriteBpsDevice =
      s.blkioReadIOpsDevice =
      s.blkioWriteIOpsDevice =
        true;
  }
  if (w(ctrls.has('cpuset'), 'Unable to find cpuset controller')) {
    s.cpuset = true;
    s.cpus = (await readText(path.join(dir, 'cpuset.cpus.effective'))) ?? '';
    s.mems = (await readText(path.join(dir, 'cpuset.mems.effective'))) ?? '';
  }
  s.pidsLimit = w(ctrls.has('pids'), 'Unable to find pids controller');
  if (ctrls.has('hugetlb')) s.hugetlbSizes = await hugetlbSizes(dir, true);
}

/** Detects the host's cgroup support now (no cache). */
export async function detectSysInfo(o: SysInfoOptions = {}): Promise<SysInfo> {
  const under = (p: string) => (o.root ? path.join(o.root, p) : p);
  const g = await findGroups(under);
  const s = empty(g.mode);
  if (g.mode === 'v1' || g.mode === 'hybrid') await detectV1(s, g.v1);
  else if (g.mode === 'v2') await detectV2(s, g.unified!);
  else s.warnings.push('no cgroup mounts found: resource limits are discarded');
  s.cgroupNamespaces = await exists(under('/proc/self/ns/cgroup'));
  if (!s.cpus) s.cpus = (await readText(under('/sys/devices/system/cpu/online'))) ?? '';
  if (!s.mems) s.mems = (await readText(under('/sys/devices/system/node/online'))) ?? '';
  return s;
}

let cached: Promise<SysInfo> | null = null;

/** The host's support, detected once per process (cgroup mounts do not change under a daemon, as moby assumes). */
export function hostSysInfo(): Promise<SysInfo> {
  cached ??= detectSysInfo();
  return cached;
}

/** The cgroup fields of `docker info` and its warnings, as moby's fillPlatformInfo gives them. */
export interface SysInfoSummary {
  MemoryLimit: boolean;
  SwapLimit: boolean;
  KernelMemory: boolean;
  KernelMemoryTCP: boolean;
  CpuCfsPeriod: boolean;
  CpuCfsQuota: boolean;
  CPUShares: boolean;
  CPUSet: boolean;
  PidsLimit: boolean;
  OomKillDisable: boolean;
  CgroupVersion: '1' | '2';
  /** The kernel has cgroup namespaces (docker info's cgroupns security option). */
  CgroupNamespaces?: boolean;
  Warnings: string[];
}

export function infoSummary(s: SysInfo): SysInfoSummary {
  const v2 = s.mode === 'v2';
  const w: string[] = [];
  if (!s.memoryLimit) w.push('WARNING: No memory limit support');
  if (!s.swapLimit) w.push('WARNING: No swap limit support');
  // v2 has no kmem or OOM-kill switch: nothing the user can do, so moby says nothing there
  if (!s.kernelMemoryTcp && !v2) w.push('WARNING: No kernel memory TCP limit support');
  if (!s.oomKillDisable && !v2) w.push('WARNING: No oom kill disable support');
  if (!s.cpuCfs) w.push('WARNING: No cpu cfs quota support', 'WARNING: No cpu cfs period support');
  if (!s.cpuShares) w.push('WARNING: No cpu shares support');
  if (!s.cpuset) w.push('WARNING: No cpuset support');
  if (!s.blkioWeightFile && v2) w.push('WARNING: No io.weight support');
  if (!s.blkioWeightDevice && v2) w.push('WARNING: No io.weight (per device) support');
  const io: Array<[boolean, string, string]> = [
    [s.blkioReadBpsDevice, 'io.max (rbps)', 'blkio throttle.read_bps_device'],
    [s.blkioWriteBpsDevice, 'io.max (wbps)', 'blkio throttle.write_bps_device'],
    [s.blkioReadIOpsDevice, 'io.max (riops)', 'blkio throttle.read_iops_device'],
    [s.blkioWriteIOpsDevice, 'io.max (wiops)', 'blkio throttle.write_iops_device'],
  ];
  for (const [ok, a, b] of io) if (!ok) w.push(`WARNING: No ${v2 ? a : b} support`);
  return {
    MemoryLimit: s.memoryLimit,
    SwapLimit: s.swapLimit,
    KernelMemory: s.kernelMemory,
    KernelMemoryTCP: s.kernelMemoryTcp,
    CpuCfsPeriod: s.cpuCfs,
    CpuCfsQuota: s.cpuCfs,
    CPUShares: s.cpuShares,
    CPUSet: s.cpuset,
    PidsLimit: s.pidsLimit,
    OomKillDisable: s.oomKillDisable,
    CgroupVersion: v2 ? '2' : '1',
    CgroupNamespaces: s.cgroupNamespaces,
    Warnings: w,
  };
}
