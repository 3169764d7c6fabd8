// CgroupStats → the JSON of GET /containers/{id}/stats, field for field as moby writes it
// (types.StatsJSON, with Go's omitempty), so `docker stats` computes CPU %, MEM USAGE / LIMIT
// (usage minus total_inactive_file on v1, inactive_file on v2), BLOCK I/O and PIDS unchanged.
import { totalmem } from 'node:os';
import type { StatsFrame } from '../../engine/stats.js';
import type { BlkioEntry, CgroupStats } from '../../runtime/cgroups.js';
import type { NetDev } from '../../runtime/cgroups-sampler.js';
import { ZERO_TIME } from '../../util/time.js';

export interface DockerBlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}
export interface DockerBlkioStats {
  io_service_bytes_recursive: DockerBlkioEntry[] | null;
  io_serviced_recursive: DockerBlkioEntry[] | null;
  io_queue_recursive: DockerBlkioEntry[] | null;
  io_service_time_recursive: DockerBlkioEntry[] | null;
  io_wait_time_recursive: DockerBlkioEntry[] | null;
  io_merged_recursive: DockerBlkioEntry[] | null;
  io_time_recursive: DockerBlkioEntry[] | null;
  sectors_recursive: DockerBlkioEntry[] | null;
}
export interface DockerCpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[]; usage_in_kernelmode: number; usage_in_usermode: number };
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}
export interface DockerMemoryStats {
  usage?: number;
  max_usage?: number;
  stats?: Record<string, number>;
  failcnt?: number;
  limit?: number;
}
/** moby's NetworkStats: the sampler reads /proc/<pid>/net/dev under these names already. */
export type DockerNetworkStats = NetDev;
export interface DockerStats {
  read: string;
  preread: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: DockerBlkioStats;
  num_procs: number;
  storage_stats: Record<string, never>;
  cpu_stats: DockerCpuStats;
  precpu_stats: DockerCpuStats;
  memory_stats: DockerMemoryStats;
  name: string;
  id: string;
  networks?: Record<string, DockerNetworkStats>;
}

export interface StatsMeta {
  id: string;
  name: string; // without the leading "/"
  read: Date;
  preread: Date; // ignored when there is no previous sample
  numCpus: number;
  networks?: Record<string, DockerNetworkStats>;
  memTotal?: number; // host memory; default os.totalmem() (MemTotal)
}

/** Go's zero time.Time, which Docker sends as preread for the first sample. */

function cpuStats(s: CgroupStats | null, numCpus: number): DockerCpuStats {
  if (!s) {
    return {
      cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
      throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
    };
  }
  const out: DockerCpuStats = {
    cpu_usage: { total_usage: s.cpu.total, usage_in_kernelmode: s.cpu.system, usage_in_usermode: s.cpu.user },
    throttling_data: {
      periods: s.cpu.throttling.periods,
      throttled_periods: s.cpu.throttling.throttledPeriods,
      throttled_time: s.cpu.throttling.throttledTime,
    },
  };
  if (s.cpu.percpu.length) out.cpu_usage.percpu_usage = [...s.cpu.percpu];
  if (s.systemUsage) out.system_cpu_usage = s.systemUsage;
  const cpus = numCpus || s.onlineCpus;
  if (cpus) out.online_cpus = cpus;
  return out;
}

const entries = (e: BlkioEntry[]): DockerBlkioEntry[] =>
  e.map((x) => ({ major: x.major, minor: x.minor, op: x.op, value: x.value }));

/** Every list null: a stopped container's, and v2's besides io_service_bytes_recursive. */
const noBlkio = (): DockerBlkioStats => ({
  io_service_bytes_recursive: null,
  io_serviced_recursive: null,
  io_queue_recursive: null,
  io_service_time_recursive: null,
  io_wait_time_recursive: null,
  io_merged_recursive: null,
  io_time_recursive: null,
  sectors_recursive: null,
});

function blkioStats(s: CgroupStats): DockerBlkioStats {
  // moby fills every list on v1 (empty ones as []); on v2 only io_service_bytes_recursive.
  if (s.version === 1) {
    return {
      io_service_bytes_recursive: entries(s.blkio.ioServiceBytes),
      io_serviced_recursive: entries(s.blkio.ioServiced),
      io_queue_recursive: [],
      io_service_time_recursive: [],
      io_wait_time_recursive: [],
      io_merged_recursive: [],
      io_time_recursive: [],
      sectors_recursive: [],
    };
  }
  return {
    ...noBlkio(),
    io_service_bytes_recursive: s.blkio.ioServiceBytes.length ? entries(s.blkio.ioServiceBytes) : null,
  };
}

function memoryStats(s: CgroupStats, memTotal: number): DockerMemoryStats {
  const m = s.memory;
  // No limit (or one above the machine's memory): report the machine's memory, like moby.
  const limit = m.limit === null || (memTotal > 0 && m.limit > memTotal) ? memTotal : m.limit;
  const out: DockerMemoryStats = {};
  if (m.usage) out.usage = m.usage;
  if (m.maxUsage) out.max_usage = m.maxUsage;
  if (Object.keys(m.stats).length) out.stats = { ...m.stats };
  if (m.failcnt) out.failcnt = m.failcnt;
  if (limit) out.limit = limit;
  return out;
}

export function toDockerStats(cur: CgroupStats, prev: CgroupStats | null, meta: StatsMeta): DockerStats {
  const pids: DockerStats['pids_stats'] = {};
  if (cur.pids.current) pids.current = cur.pids.current;
  if (cur.pids.limit) pids.limit = cur.pids.limit;
  const out: DockerStats = {
    read: meta.read.toISOString(),
    preread: prev ? meta.preread.toISOString() : ZERO_TIME,
    pids_stats: pids,
    blkio_stats: blkioStats(cur),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(cur, meta.numCpus),
    precpu_stats: cpuStats(prev, meta.numCpus),
    memory_stats: memoryStats(cur, meta.memTotal ?? totalmem()),
    name: '/' + meta.name.replace(/^\//, ''),
    id: meta.id,
  };
  if (meta.networks && Object.keys(meta.networks).length) out.networks = meta.networks;
  return out;
}

/** A stopped container's stats: Docker sends zeroed cpu/memory with the name and id. */
export function emptyDockerStats(meta: Pick<StatsMeta, 'id' | 'name'>): DockerStats {
  const zero = cpuStats(null, 0);
  return {
    read: ZERO_TIME,
    preread: ZERO_TIME,
    pids_stats: {},
    blkio_stats: noBlkio(),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: zero,
    precpu_stats: cpuStats(null, 0),
    memory_stats: {},
    name: '/' + meta.name.replace(/^\//, ''),
    id: meta.id,
  };
}

/** One frame of engine/stats as the document the client gets. */
export function statsJson(f: StatsFrame, numCpus: number): DockerStats {
  const meta = { id: f.id, name: f.name };
  if (!f.cur) return emptyDockerStats(meta);
  const { cur, prev } = f;
  return toDockerStats(cur.stats, prev?.stats ?? null, {
    ...meta,
    read: cur.at,
    preread: prev?.at ?? cur.at,
    numCpus,
    networks: f.withNetworks ? cur.networks : undefined,
  });
}
