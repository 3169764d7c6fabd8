// Reading container cgroups, v1/hybrid and v2: where a process's cgroups are, its resource
// counters (for `docker stats`) and its pids (for `docker top`). Writing limits is runc's job.
// Every absolute path is read under `root` so tests can run against fixture trees.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

export interface CgroupOptions {
  root?: string;
}

export type CgroupPaths =
  | { version: 1; controllers: Record<string, string> } // controller → directory
  | { version: 2; path: string };

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface CgroupStats {
  version: 1 | 2;
  memory: {
    usage: number;
    maxUsage?: number; // v1 only
    failcnt?: number; // v1 only
    limit: number | null; // null = unlimited
    stats: Record<string, number>; // memory.stat verbatim
  };
  cpu: {
    total: number; // ns
    percpu: number[]; // ns, v1 only (empty on v2)
    user: number; // ns
    system: number; // ns
    throttling: { periods: number; throttledPeriods: number; throttledTime: number };
  };
  /** Host CPU time in ns from /proc/stat, and online CPUs (Docker's system_cpu_usage, online_cpus). */
  systemUsage: number;
  onlineCpus: number;
  pids: { current: number; limit: number | null };
  blkio: { ioServiceBytes: BlkioEntry[]; ioServiced: BlkioEntry[] };
}

const CLOCK_TICKS = 100; // USER_HZ on every Linux arch Node supports
const UNLIMITED = 2 ** 62; // v1 writes PAGE_COUNTER_MAX-ish values (9223372036854771712) for "no limit"

const under = (o: CgroupOptions | undefined, p: string) => (o?.root ? path.join(o.root, p) : p);

async function readText(p: string): Promise<string | null> {
  try {
    return await readFile(p, 'utf8');
  } catch {
    return null;
  }
}
function parseKeyed(t: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (t ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^-?\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

const unescapeMount = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

interface CgroupMount {
  mountpoint: string;
  root: string;
  fstype: string;
  options: string[];
}

export function parseMountinfo(text: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const pre = line.slice(0, dash).split(' ');
    const [fstype, , superOpts] = line.slice(dash + 3).split(' ');
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    out.push({
      mountpoint: unescapeMount(pre[4]),
      root: unescapeMount(pre[3]),
      fstype,
      options: (superOpts ?? '').split(','),
    });
  }
  return out;
}

function joinMount(m: CgroupMount, cgPath: string): string {
  const rel = m.root === '/' ? cgPath : cgPath.startsWith(m.root) ? cgPath.slice(m.root.length) : cgPath;
  return path.join(m.mountpoint, rel);
}

/** Resolves /proc/<pid>/cgroup against the mount table; v1 controllers win on hybrid hosts. */
export async function cgroupPaths(pid: number | 'self', o?: CgroupOptions): Promise<CgroupPaths> {
  const [cg, mi] = await Promise.all([
    readFile(under(o, `/proc/${pid}/cgroup`), 'utf8'),
    readFile(under(o, '/proc/self/mountinfo'), 'utf8'),
  ]);
  const mounts = parseMountinfo(mi);
  const controllers: Record<string, string> = {};
  let unified: string | null = null;
  for (const line of cg.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, , ctrls, cgPath] = m;
    if (ctrls === '') {
      const mount = mounts.find((x) => x.fstype === 'cgroup2');
      if (mount) unified = joinMount(mount, cgPath);
      continue;
    }
    for (const c of ctrls.split(',')) {
      const mount = mounts.find((x) => x.fstype === 'cgroup' && x.options.includes(c));
      if (mount) controllers[c.startsWith('name=') ? c.slice(5) : c] = joinMount(mount, cgPath);
    }
  }
  if (Object.keys(controllers).some((c) => c !== 'systemd')) return { version: 1, controllers };
  if (unified) return { version: 2, path: unified };
  throw new Error(`no cgroup mounts found for pid ${pid}`);
}

/** True on a pure cgroup v2 host (no v1 controllers mounted). */
export async function isCgroupV2(o?: CgroupOptions): Promise<boolean> {
  return (await cgroupPaths('self', o)).version === 2;
}

/** Host CPU time (ns) as Docker computes system_cpu_usage, and the number of online CPUs. */
export async function systemCpu(o?: CgroupOptions): Promise<{ usage: number; onlineCpus: number }> {
  return parseProcStat((await readText(under(o, '/proc/stat'))) ?? '');
}

function parseBlkioV1(t: string | null): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of (t ?? '').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 3) continue; // skips the "Total N" line
    const [maj, min] = f[0].split(':').map(Number);
    out.push({ major: maj, minor: min, op: f[1], value: Number(f[2]) });
  }
  return out;
}

function parseIoStatV2(t: string | null): { bytes: BlkioEntry[]; ios: BlkioEntry[] } {
  const bytes: BlkioEntry[] = [],
    ios: BlkioEntry[] = [];
  for (const line of (t ?? '').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 2) continue;
    const [major, minor] = f[0].split(':').map(Number);
    const kv = Object.fromEntries(
      f
        .slice(1)
        .map((x) => x.split('='))
        .map(([k, v]) => [k, Number(v)]),
    );
    bytes.push(
      { major, minor, op: 'read', value: kv.rbytes ?? 0 },
      { major, minor, op: 'write', value: kv.wbytes ?? 0 },
    );
    ios.push({ major, minor, op: 'read', value: kv.rios ?? 0 }, { major, minor, op: 'write', value: kv.wios ?? 0 });
  }
  return { bytes, ios };
}

/** The files a stats sample reads, by key, for a container's cgroup (absent controllers: no entry). */
export function statsFiles(paths: CgroupPaths): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (dir: string | undefined, names: string[]) => {
    if (dir) for (const n of names) out[n] = path.join(dir, n);
  };
  if (paths.version === 2) {
    add(paths.path, ['memory.current', 'memory.max', 'memory.stat', 'cpu.stat', 'pids.current', 'pids.max', 'io.stat']);
    return out;
  }
  const c = paths.controllers;
  add(c.memory, [
    'memory.usage_in_bytes',
    'memory.max_usage_in_bytes',
    'memory.failcnt',
    'memory.limit_in_bytes',
    'memory.stat',
  ]);
  add(c.cpuacct ?? c.cpu, ['cpuacct.usage', 'cpuacct.usage_percpu', 'cpuacct.stat']);
  add(c.cpu ?? c.cpuacct, ['cpu.stat']);
  add(c.pids, ['pids.current', 'pids.max']);
  add(c.blkio, [
    'blkio.io_service_bytes_recursive',
    'blkio.throttle.io_service_bytes_recursive',
    'blkio.io_serviced_recursive',
    'blkio.throttle.io_serviced_recursive',
  ]);
  return out;
}

/** Contents of one stats file by key, null when missing or unreadable. */
export type StatsText = (key: string) => string | null;

function num(t: string | null): number | null {
  if (t === null) return null;
  const v = t.trim();
  if (v === 'max') return Infinity;
  const n = Number(v);
  return v !== '' && Number.isFinite(n) ? n : null;
}

/** Parses /proc/stat into Docker's system_cpu_usage (ns) and the online CPU count. */
export function parseProcStat(text: string): { usage: number; onlineCpus: number } {
  let usage = 0,
    onlineCpus = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      const ticks = line
        .trim()
        .split(/\s+/)
        .slice(1, 8)
        .reduce((a, v) => a + Number(v), 0);
      usage = (ticks * 1e9) / CLOCK_TICKS;
    } else if (/^cpu\d+ /.test(line)) onlineCpus++;
  }
  return { usage, onlineCpus };
}

/** Builds a stats snapshot from the texts of statsFiles() and the host CPU figures. */
export function buildStats(version: 1 | 2, t: StatsText, sys: { usage: number; onlineCpus: number }): CgroupStats {
  const pidsCur = num(t('pids.current')),
    pidsMax = num(t('pids.max'));
  const pids = { current: pidsCur ?? 0, limit: pidsMax === null || pidsMax === Infinity ? null : pidsMax };
  if (version === 2) {
    const cpu = parseKeyed(t('cpu.stat'));
    const { bytes, ios } = parseIoStatV2(t('io.stat'));
    const limit = num(t('memory.max'));
    return {
      version: 2,
      memory: {
        usage: num(t('memory.current')) ?? 0,
        limit: limit === null || limit === Infinity ? null : limit,
        stats: parseKeyed(t('memory.stat')),
      },
      cpu: {
        total: (cpu.usage_usec ?? 0) * 1000,
        percpu: [],
        user: (cpu.user_usec ?? 0) * 1000,
        system: (cpu.system_usec ?? 0) * 1000,
        throttling: {
          periods: cpu.nr_periods ?? 0,
          throttledPeriods: cpu.nr_throttled ?? 0,
          throttledTime: (cpu.throttled_usec ?? 0) * 1000,
        },
      },
      systemUsage: sys.usage,
      onlineCpus: sys.onlineCpus,
      pids,
      blkio: { ioServiceBytes: bytes, ioServiced: ios },
    };
  }
  const acctKV = parseKeyed(t('cpuacct.stat'));
  const cpuKV = parseKeyed(t('cpu.stat'));
  const limit = num(t('memory.limit_in_bytes'));
  // The CFQ files are empty on blk-mq kernels; the throttle files then carry the numbers.
  const bytes = parseBlkioV1(t('blkio.io_service_bytes_recursive'));
  const ios = parseBlkioV1(t('blkio.io_serviced_recursive'));
  return {
    version: 1,
    memory: {
      usage: num(t('memory.usage_in_bytes')) ?? 0,
      maxUsage: num(t('memory.max_usage_in_bytes')) ?? 0,
      failcnt: num(t('memory.failcnt')) ?? 0,
      limit: limit === null || limit >= UNLIMITED ? null : limit,
      stats: parseKeyed(t('memory.stat')),
    },
    cpu: {
      total: num(t('cpuacct.usage')) ?? 0,
      percpu: (t('cpuacct.usage_percpu') ?? '')
        .trim()
        .split(/\s+/)
        .filter((x) => x !== '')
        .map(Number),
      user: ((acctKV.user ?? 0) * 1e9) / CLOCK_TICKS,
      system: ((acctKV.system ?? 0) * 1e9) / CLOCK_TICKS,
      throttling: {
        periods: cpuKV.nr_periods ?? 0,
        throttledPeriods: cpuKV.nr_throttled ?? 0,
        throttledTime: cpuKV.throttled_time ?? 0,
      },
    },
    systemUsage: sys.usage,
    onlineCpus: sys.onlineCpus,
    pids,
    blkio: {
      ioServiceBytes: bytes.length ? bytes : parseBlkioV1(t('blkio.throttle.io_service_bytes_recursive')),
      ioServiced: ios.length ? ios : parseBlkioV1(t('blkio.throttle.io_serviced_recursive')),
    },
  };
}

/** A snapshot of the counters; missing controllers read as zero rather than failing `docker stats`. */
export async function readStats(paths: CgroupPaths, o?: CgroupOptions): Promise<CgroupStats> {
  const files = Object.entries(statsFiles(paths));
  const [texts, sys] = await Promise.all([Promise.all(files.map(([, p]) => readText(p))), systemCpu(o)]);
  const byKey = new Map(files.map(([k], i) => [k, texts[i]]));
  return buildStats(paths.version, (k) => byKey.get(k) ?? null, sys);
}

async function procsRecursive(dir: string, out: Set<number>): Promise<void> {
  const t = await readText(path.join(dir, 'cgroup.procs'));
  for (const l of (t ?? '').split('\n')) if (/^\d+$/.test(l.trim())) out.add(Number(l));
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => procsRecursive(path.join(dir, e.name), out)));
}

/** Every pid in the container's cgroup and its sub-cgroups (for `docker top`), ascending. */
export async function listPids(paths: CgroupPaths): Promise<number[]> {
  let dir: string | undefined;
  if (paths.version === 2) dir = paths.path;
  else {
    const c = paths.controllers;
    dir = c.pids ?? c.memory ?? c.cpu ?? c.freezer ?? c.systemd ?? Object.values(c)[0];
  }
  const out = new Set<number>();
  if (dir) await procsRecursive(dir, out);
  return [...out].sort((a, b) => a - b);
}
