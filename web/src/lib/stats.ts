// docker stats' arithmetic over one Engine API stats sample (cgroup v1 and v2 answers).

export interface StatsSample {
  read?: string;
  cpu_stats?: {
    cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
    system_cpu_usage?: number;
    online_cpus?: number;
  };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
}

export interface Point {
  t: number;
  cpu: number;
  mem: number;
  limit: number;
}

/** CPU % as the CLI computes it: container delta over system delta, times the CPUs. */
export function cpuPercent(s: StatsSample): number {
  const cpu = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const sys = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 1;
  return cpu > 0 && sys > 0 ? (cpu / sys) * cpus * 100 : 0;
}

/** Memory used without the page cache (v2 inactive_file, v1 total_inactive_file), as docker stats shows. */
export function memoryUsed(s: StatsSample): number {
  const m = s.memory_stats;
  if (!m?.usage) return 0;
  const st = m.stats ?? {};
  const cache = st.total_inactive_file ?? st.inactive_file ?? 0;
  return cache < m.usage ? m.usage - cache : m.usage;
}

/** Appends a sample's point, keeping the last `max`. */
export function addPoint(points: Point[], s: StatsSample, max = 120, now = Date.now()): Point[] {
  const t = s.read ? Date.parse(s.read) || now : now;
  const next = [...points, { t, cpu: cpuPercent(s), mem: memoryUsed(s), limit: s.memory_stats?.limit ?? 0 }];
  return next.length > max ? next.slice(next.length - max) : next;
}
