// `npm run bench`: the DESIGN performance budget, measured with the real docker CLI.
//   DOCKER_HOST       daemon under test (default unix:///run/berth/berth.sock; when nothing
//                     answers there, a berthd is started on temp roots like the test harness does)
//   BERTHD_PIDFILE    pidfile of that daemon (default /run/berth/berthd.pid)
//   REF_DOCKER_HOST   optional reference daemon (e.g. Docker) measured the same way
//   REF_PIDFILE       its pidfile (default /run/docker-ref.pid, else `pidof dockerd`)
//   REF2_DOCKER_HOST  optional second reference in the same run (Podman's `podman system service`);
//   REF2_PIDFILE      its pidfile (default /run/podman-ref.pid); REF2_NAME its column (default podman).
//                     Podman's RSS is the service process's: its conmons are re-parented to pid 1 and
//                     counted per container, as berth's and Docker's monitors are
//   BENCH_N           repetitions for medians (default 10)
//   BERTHD_LOG        that daemon's log, at debug level: its own split of `run --rm` (a berthd the
//                     bench starts is read directly)
//   BENCH_RUNTIME     OCI runtime of a berthd the bench starts (its --default-runtime: runc, crun).
//                     On a hybrid host whose cgroup2 holds a controller berthd runs crun's create
//                     through its wrapper (runtime/crun-hybrid.ts), which the figures include
import { spawn, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { busyboxTarball, pingOk, startDaemon, type Daemon } from '../test/harness/daemon.js';
import { type Child, formatChildren, traceChildren } from './exec-trace.js';
import { daemonPhases, runBreakdown } from './run-breakdown.js';
import { formatTable, median, parentPid, pssBytes, vmRssBytes, type Row } from './stats.js';

const N = Number(process.env.BENCH_N ?? 10);
const RUN_ID = `bench${Date.now().toString(36)}`;
const LABEL = `berth.bench=${RUN_ID}`;
// Exits promptly on SIGTERM (a plain `sleep` as pid 1 would ignore it and cost the stop timeout).
const IDLE = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1 & wait $!; done'];

interface Target {
  name: string;
  host: string;
  pid: number;
  /** The daemon's log so far (berthd at debug level), for its own split of a run. */
  log?: () => string;
  /** `run --rm` phase → median ms. */
  phases?: Map<string, number>;
  /** The daemon's child processes during one traced `run --rm` (berthd only). */
  children?: Child[] | null;
}
interface Res {
  code: number;
  out: string;
  err: string;
  ms: number;
}

function docker(t: Target, args: string[]): Promise<Res> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const c = spawn('docker', args, {
      env: { ...process.env, DOCKER_HOST: t.host },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '',
      err = '';
    c.stdout.on('data', (b: Buffer) => (out += b));
    c.stderr.on('data', (b: Buffer) => (err += b));
    c.on('error', reject);
    c.on('close', (code) => resolve({ code: code ?? -1, out, err, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
  });
}

async function must(t: Target, args: string[]): Promise<Res> {
  const r = await docker(t, args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} against ${t.name} failed (${r.code}): ${r.err.trim()}`);
  return r;
}

/** Run `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

function rss(pid: number): number {
  try {
    return vmRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return 0;
  }
}

/** RSS of the daemon and its direct children (dockerd's own containerd, for instance). */
function daemonRss(pid: number): number {
  let total = rss(pid);
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (parentPid(readFileSync(`/proc/${p}/status`, 'utf8')) === pid) total += rss(Number(p));
    } catch {
      /* gone */
    }
  }
  return total;
}

/** The per-container monitors (conmon, containerd-shim): processes whose argv names a container id. */
function monitorPids(ids: string[]): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (ids.some((id) => cmd.includes(id))) pids.push(Number(p));
  }
  return pids;
}

function monitorRss(ids: string[]): number {
  return monitorPids(ids).reduce((sum, p) => sum + rss(p), 0);
}

/** Mean PSS of the monitors: RSS counts the shared libc/glib pages once per monitor. */
function monitorPss(ids: string[]): number | null {
  const pids = monitorPids(ids);
  let total = 0;
  for (const p of pids) {
    try {
      total += pssBytes(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
    } catch {
      /* gone */
    }
  }
  return pids.length ? total / pids.length / MiB : null;
}

const MiB = 1024 * 1024;

async function cleanup(t: Target): Promise<void> {
  const r = await docker(t, ['ps', '-aq', '--no-trunc', '--filter', `label=${LABEL}`]);
  const ids = r.out.split('\n').filter(Boolean);
  for (let i = 0; i < ids.length; i += 50) await docker(t, ['rm', '-f', ...ids.slice(i, i + 50)]);
}

async function ensureBusybox(t: Target): Promise<void> {
  if ((await docker(t, ['image', 'inspect', 'busybox:latest'])).code === 0) return;
  await must(t, ['import', '-c', 'CMD ["sh"]', await busyboxTarball(), 'busybox:latest']);
}

async function measure(t: Target): Promise<Map<string, number | null>> {
  const m = new Map<string, number | null>();
  const log = (s: string) => process.stderr.write(`[${t.name}] ${s}\n`);
  await ensureBusybox(t);
  await cleanup(t);
  await sleep(500);
  m.set('rssIdle', t.pid > 0 ? daemonRss(t.pid) / MiB : null);

  log(`run --rm busybox echo ×${N}`);
  await must(t, ['run', '--rm', '--label', LABEL, 'busybox', 'echo', 'warm-up']);
  const runs: number[] = [];
  for (let i = 0; i < N; i++) runs.push((await must(t, ['run', '--rm', '--label', LABEL, 'busybox', 'echo', 'hi'])).ms);
  m.set('run', median(runs));
  log(`run --rm taken apart ×${N}`);
  const logFrom = t.log?.().length ?? 0;
  t.phases = await runBreakdown(t.host.slice('unix://'.length), LABEL, N).catch((e: Error) => {
    log(`no breakdown: ${e.message}`);
    return new Map<string, number>();
  });
  for (const [k, v] of daemonPhases(t.log?.().slice(logFrom) ?? '')) t.phases.set(k, v);
  if (t.pid > 0 && t.name === 'berth')
    t.children = await traceChildren(t.pid, () => must(t, ['run', '--rm', '--label', LABEL, 'busybox', 'echo', 'hi']));

  log(`create/start/stop/rm ×${Math.ceil(N / 2)}`);
  const cycles: number[] = [];
  for (let i = 0; i < Math.ceil(N / 2); i++) {
    const t0 = performance.now();
    const id = (await must(t, ['create', '--label', LABEL, 'busybox', ...IDLE])).out.trim();
    await must(t, ['start', id]);
    await must(t, ['stop', id]);
    await must(t, ['rm', id]);
    cycles.push(performance.now() - t0);
  }
  m.set('cycle', median(cycles));

  log(`exec ×${N}`);
  const box = (await must(t, ['run', '-d', '--label', LABEL, 'busybox', ...IDLE])).out.trim();
  await must(t, ['exec', box, 'true']);
  const execs: number[] = [];
  for (let i = 0; i < N; i++) execs.push((await must(t, ['exec', box, 'true'])).ms);
  m.set('exec', median(execs));
  await must(t, ['rm', '-f', box]);

  await psAndRm(t, m, log);

  log('50 parallel run -d');
  await sleep(500);
  const before = t.pid > 0 ? daemonRss(t.pid) : 0;
  const t0 = performance.now();
  const started = await Promise.all(
    Array.from({ length: 50 }, () => must(t, ['run', '-d', '--label', LABEL, 'busybox', ...IDLE])),
  );
  m.set('parallel', (performance.now() - t0) / 1000);
  await sleep(1000);
  const ids = started.map((r) => r.out.trim());
  const after = t.pid > 0 ? daemonRss(t.pid) : 0;
  m.set('rss50', t.pid > 0 ? after / MiB : null);
  m.set('perContainer', t.pid > 0 ? (after - before + monitorRss(ids)) / 50 / MiB : null);
  m.set('monitorPss', monitorPss(ids));
  log('cleaning up');
  await cleanup(t);
  // back to idle: berthd collects once quiet (daemon/idle-gc.ts, 5 s ticks), V8 then gives pages back (~20 s measured)
  await sleep(30_000);
  m.set('rssAfter', t.pid > 0 ? daemonRss(t.pid) / MiB : null);
  return m;
}

/** ps -a of 200 created containers (CLI and the API alone), then one `docker rm` of the 200 once they ran and exited. */
async function psAndRm(t: Target, m: Map<string, number | null>, log: (s: string) => void): Promise<void> {
  log('ps -a with 200 created containers');
  const ids = new Array<string>(200);
  await pool(
    Array.from({ length: 200 }, (_, i) => i),
    8,
    async (i) => (ids[i] = (await must(t, ['create', '--label', LABEL, 'busybox', 'true'])).out.trim()),
  );
  await must(t, ['ps', '-a']);
  const pss: number[] = [];
  for (let i = 0; i < N; i++) pss.push((await must(t, ['ps', '-a'])).ms);
  m.set('ps', median(pss));
  const sock = t.host.slice('unix://'.length);
  await apiGet(sock, '/containers/json?all=1');
  const apis: number[] = [];
  for (let i = 0; i < N * 5; i++) apis.push(await apiGet(sock, '/containers/json?all=1'));
  m.set('psApi', median(apis));
  log('start the 200 (they exit at once), then one docker rm of them');
  await pool(ids, 8, (id) => must(t, ['start', id]));
  await must(t, ['wait', ...ids]);
  m.set('rm200', (await must(t, ['rm', ...ids])).ms / 1000);
  await cleanup(t);
}

/** ms of one GET on the daemon's socket, body read to the end. */
function apiGet(sock: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    http
      .get({ socketPath: sock, path }, (res) => {
        res.resume();
        res.on('end', () => resolve(performance.now() - t0));
      })
      .on('error', reject);
  });
}

function pidFromFile(f: string): number {
  try {
    return Number(readFileSync(f, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

function pidof(name: string): number {
  try {
    return Number(execFileSync('pidof', ['-s', name], { encoding: 'utf8' }).trim()) || 0;
  } catch {
    return 0;
  }
}

/** The reference daemons measured after berth: REF_DOCKER_HOST (Docker), then REF2_DOCKER_HOST (Podman). */
function references(): Target[] {
  const out: Target[] = [];
  const refHost = process.env.REF_DOCKER_HOST;
  if (refHost) {
    const refPid = pidFromFile(process.env.REF_PIDFILE ?? '/run/docker-ref.pid') || pidof('dockerd');
    out.push({ name: 'reference', host: refHost, pid: refPid });
  }
  const ref2Host = process.env.REF2_DOCKER_HOST;
  if (ref2Host) {
    const ref2Pid = pidFromFile(process.env.REF2_PIDFILE ?? '/run/podman-ref.pid') || pidof('podman');
    out.push({ name: process.env.REF2_NAME || 'podman', host: ref2Host, pid: ref2Pid });
  }
  return out;
}

async function main(): Promise<void> {
  let own: Daemon | null = null;
  let host = process.env.DOCKER_HOST ?? 'unix:///run/berth/berth.sock';
  let pid = pidFromFile(process.env.BERTHD_PIDFILE ?? '/run/berth/berthd.pid');
  if (!host.startsWith('unix://')) throw new Error(`DOCKER_HOST must be a unix socket: ${host}`);
  if (!(await pingOk(host.slice('unix://'.length)))) {
    if (process.env.DOCKER_HOST) throw new Error(`nothing answers /_ping on ${host}`);
    process.env.BERTH_ALLOW_HOST = '1';
    process.stderr.write('no berthd on /run/berth/berth.sock: starting one on temp roots\n');
    const rt = process.env.BENCH_RUNTIME;
    own = await startDaemon({ args: rt ? ['--default-runtime', rt] : [] });
    host = own.env.DOCKER_HOST;
    pid = own.pid;
  }
  const berthLog = process.env.BERTHD_LOG;
  const targets: Target[] = [
    { name: 'berth', host, pid, log: own ? own.log : berthLog ? () => readFileSync(berthLog, 'utf8') : undefined },
  ];
  targets.push(...references());
  const ref2Name = targets.find((t, i) => i > 0 && t.name !== 'reference')?.name;
  const results = new Map<string, Map<string, number | null>>();
  try {
    for (const t of targets) {
      try {
        results.set(t.name, await measure(t));
      } catch (e) {
        await cleanup(t).catch(() => {});
        throw e;
      }
    }
  } finally {
    if (own) {
      const s = await own.stop({ assert: false });
      if (s.leaks.length) process.stderr.write(`berthd leaked:\n  ${s.leaks.join('\n  ')}\n`);
    }
  }

  const b = results.get('berth') ?? new Map<string, number | null>();
  const r = results.get('reference');
  const r2 = ref2Name ? results.get(ref2Name) : undefined;
  const row = (name: string, key: string, unit: Row['unit'], budget?: number): Row => ({
    name,
    unit,
    budget,
    berth: b.get(key) ?? null,
    ref: r?.get(key) ?? null,
    ref2: r2?.get(key) ?? null,
  });
  const rows: Row[] = [
    row('run --rm busybox echo (median)', 'run', 'ms', 150),
    row('create/start/stop/rm cycle (median)', 'cycle', 'ms'),
    row('exec (median)', 'exec', 'ms', 45),
    row('ps -a with 200 containers (median)', 'ps', 'ms', 20),
    row('GET /containers/json?all=1, 200 (median)', 'psApi', 'ms', 3),
    row('one rm of 200 exited containers', 'rm200', 's', 0.3),
    row('50 parallel run -d (wall)', 'parallel', 's', 2.5),
    row('daemon RSS idle', 'rssIdle', 'MiB', 50),
    row('daemon RSS with 50 running', 'rss50', 'MiB', 70),
    row('memory per running container', 'perContainer', 'MiB', 3),
    row('per-container monitor PSS (conmon, shim)', 'monitorPss', 'MiB', 2),
    row('daemon RSS idle again after all that', 'rssAfter', 'MiB'),
  ];
  const runtime = own ? ` (runtime ${process.env.BENCH_RUNTIME || 'default'})` : '';
  const refs = targets.slice(1).map((t) => `   ${t.name}: ${t.host}`);
  console.log(`\nberth: ${targets[0].host}${runtime}${refs.join('')}   N=${N}`);
  console.log(formatTable(rows, !!r, ref2Name));
  console.log(`\none run --rm busybox echo, phase by phase (medians of ${N}; berthd's lines need it at debug level)`);
  console.log(formatTable(phaseRows(targets, ref2Name), !!r, ref2Name));
  const kids = targets[0].children;
  if (kids?.length)
    console.log(`\nberthd's children in one run --rm, traced (strace slows them):\n${formatChildren(kids)}`);
}

function phaseRows(targets: Target[], ref2Name?: string): Row[] {
  const b = targets[0];
  const r = targets.find((t) => t.name === 'reference');
  const r2 = targets.find((t) => t.name === ref2Name);
  const names = [...new Set([b, r, r2].flatMap((t) => [...(t?.phases?.keys() ?? [])]))];
  return names.map((name) => ({
    name,
    unit: 'ms',
    berth: b.phases?.get(name) ?? null,
    ref: r?.phases?.get(name) ?? null,
    ref2: r2?.phases?.get(name) ?? null,
  }));
}

main().catch((e: Error) => {
  console.error(`bench: ${e.message}`);
  process.exit(1);
});
