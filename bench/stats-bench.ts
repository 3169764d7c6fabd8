// Stats cost benchmark (issue 9): the daemon's CPU time while `docker stats` (streaming, no
// --no-stream) follows N running containers for WINDOW seconds, as a share of one core; budget
// < 5 %. The idle cost of the same N containers (no client) is shown beside it.
//   node dist/bench/stats-bench.js   (berthd runs in private namespaces; the reference daemon, when
//   REF_DOCKER_HOST is set, is measured first from the host's pid namespace, where its processes are)
//   STATS_BENCH_N (default 50), STATS_BENCH_WINDOW seconds (default 30)
// Docker's figure counts dockerd + containerd + the containers' shims: in 20.10 a stats request
// goes dockerd → containerd → shim, which reads the cgroup. berth's is berthd alone (conmon takes
// no part in stats); children's CPU (cutime/cstime) is counted for both, so spawned helpers show.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startDaemon, type Daemon } from '../test/harness/daemon.js';
import { reexecIsolated } from './isolated.js';

const N = Number(process.env.STATS_BENCH_N ?? 50);
const WINDOW = Number(process.env.STATS_BENCH_WINDOW ?? 30);
const IDLE_WINDOW = Math.min(WINDOW, 15);
const TICK = 100; // USER_HZ

export interface Figures {
  idlePct: number;
  statsPct: number /** times the CLI redrew the last container's row */;
  frames: number;
  label: string;
}

/** utime+stime+cutime+cstime in seconds from the text of /proc/<pid>/stat. */
export function cpuSeconds(stat: string): number {
  // comm may hold spaces and parentheses: fields start after the last ')'
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): utime is field 14 → f[11]
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICK;
}

function cpuOf(pids: number[]): number {
  let s = 0;
  for (const p of pids) {
    try {
      s += cpuSeconds(readFileSync(`/proc/${p}/stat`, 'utf8'));
    } catch {
      /* gone */
    }
  }
  return s;
}

const cmdline = (p: string) => {
  try {
    return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
};

/** The reference dockerd serving `host`, its containerd and the shims of that containerd. */
function refPids(host: string): number[] {
  const sock = host.replace(/^unix:\/\//, '');
  const procs = readdirSync('/proc').filter((x) => /^\d+$/.test(x));
  const dockerd = procs.find((p) => {
    const a = cmdline(p);
    return a[0]?.endsWith('dockerd') && a.some((x) => x === host || x === sock || x.endsWith(sock));
  });
  if (!dockerd) throw new Error(`no dockerd process serving ${host} is visible`);
  const out = [Number(dockerd)];
  for (const p of procs) {
    const a = cmdline(p);
    if (!a[0]?.endsWith('containerd')) continue;
    let status = '';
    try {
      status = readFileSync(`/proc/${p}/status`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0) === Number(dockerd)) out.push(Number(p));
  }
  const execRoot = cmdline(dockerd).find((_, i, a) => a[i - 1] === '--exec-root') ?? '/var/run/docker';
  for (const p of procs) {
    const a = cmdline(p);
    if (a[0]?.includes('containerd-shim') && a.some((x) => x.startsWith(execRoot))) out.push(Number(p));
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(host: string, label: string, pids: () => number[]): Promise<Figures> {
  const names = Array.from({ length: N }, (_, i) => `statsbench${i}`);
  spawnSync('docker', ['rm', '-f', ...names], { env: { ...process.env, DOCKER_HOST: host }, stdio: 'ignore' });
  try {
    // 10 at a time: quick on both daemons without overloading the reference
    for (let i = 0; i < N; i += 10) {
      await Promise.all(
        names.slice(i, i + 10).map(
          (n) =>
            new Promise<void>((resolve, reject) => {
              const c = spawn('docker', ['run', '-d', '--name', n, 'busybox:latest', 'sleep', '3600'], {
                env: { ...process.env, DOCKER_HOST: host },
                stdio: 'ignore',
              });
              c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker run ${n} exited ${code}`))));
            }),
        ),
      );
    }
    await sleep(3000);
    const ps = pids();
    const i0 = cpuOf(ps);
    await sleep(IDLE_WINDOW * 1000);
    const idle = cpuOf(ps) - i0;
    const client = spawn('docker', ['stats', ...names], {
      env: { ...process.env, DOCKER_HOST: host },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    client.stdout.on('data', (b: Buffer) => {
      out += b.toString('latin1');
      if (out.length > 4 << 20) out = out.slice(-(1 << 20));
    });
    await sleep(5000); // the CLI opens its N streams and gets the first samples
    const frames0 = out.split(names[N - 1]).length;
    const allPids = pids(); // shims of the reference may have appeared; none should on berth
    const s0 = cpuOf(allPids);
    await sleep(WINDOW * 1000);
    const s1 = cpuOf(allPids);
    const frames = out.split(names[N - 1]).length - frames0;
    // the CLI ignores SIGTERM while streaming
    client.kill('SIGKILL');
    client.stdout.destroy();
    if (frames === 0) throw new Error(`docker stats showed nothing for ${names[N - 1]} on ${host}`);
    return { label, idlePct: (idle / IDLE_WINDOW) * 100, statsPct: ((s1 - s0) / WINDOW) * 100, frames };
  } finally {
    spawnSync('docker', ['rm', '-f', ...names], {
      env: { ...process.env, DOCKER_HOST: host },
      stdio: 'ignore',
      timeout: 300_000,
    });
  }
}

function print(b: Figures, r: Figures | null): void {
  const pct = (v: number) => `${v.toFixed(2)} %`;
  const rows: string[][] = [
    ['metric', 'berth', ...(r ? ['reference', 'ratio'] : []), 'budget'],
    [
      `daemon CPU, docker stats streaming ${N} containers (${WINDOW} s)`,
      pct(b.statsPct),
      ...(r ? [pct(r.statsPct), (b.statsPct / r.statsPct).toFixed(3)] : []),
      '< 5 %',
    ],
    [
      `daemon CPU, same ${N} containers, no client (${IDLE_WINDOW} s)`,
      pct(b.idlePct),
      ...(r ? [pct(r.idlePct), r.idlePct ? (b.idlePct / r.idlePct).toFixed(3) : '-'] : []),
      '',
    ],
  ];
  const w = rows[0].map((_, i) => Math.max(...rows.map((x) => x[i].length)));
  for (const row of rows) console.log(row.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  '));
  if (r)
    console.log(`(reference = ${r.label}; % of one core; ratio = berth / reference, below 1 means berth is cheaper)`);
}

async function main(): Promise<void> {
  const refHost = process.env.REF_DOCKER_HOST;
  if (process.env.BERTH_ISOLATED !== '1') {
    // the reference's processes are only visible from the host's pid namespace: measure it here
    if (refHost) {
      try {
        const r = await measure(refHost, 'dockerd+containerd+shims', () => refPids(refHost));
        process.env.STATS_BENCH_REF = JSON.stringify(r);
      } catch (e) {
        process.stderr.write(`stats-bench: reference not measured: ${(e as Error).message}\n`);
      }
    }
    process.exit(reexecIsolated(self));
  }
  let own: Daemon | null = null;
  try {
    own = await startDaemon();
    const d = own;
    const b = await measure(d.env.DOCKER_HOST, 'berthd', () => [d.pid]);
    const ref = process.env.STATS_BENCH_REF ? (JSON.parse(process.env.STATS_BENCH_REF) as Figures) : null;
    console.log(`\nberth (in a private namespace)${ref ? `   reference: ${refHost}` : ''}   containers=${N}`);
    print(b, ref);
  } finally {
    if (own) await own.stop({ assert: false });
  }
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] === self) {
  main().catch((e: Error) => {
    console.error(`stats-bench: ${e.message}`);
    process.exit(1);
  });
}
