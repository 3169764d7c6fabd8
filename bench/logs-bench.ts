// Log throughput (issues 9 and 18): a container writes LOGS_BENCH_MB of LOGS_BENCH_LINE-byte lines
// with the default json-file driver; measured:
//   write    MB/s from `docker run -d` until the container has exited and the log holds the last line (`docker logs --tail 1`)
//   write100 the same with 100-byte lines (`yes`-like: the per-line costs), on a second container
//   read     MB/s of `docker logs c > /dev/null` on the first log (median of 3; the docker CLI's demux bounds it)
//   api      MB/s of GET /containers/c/logs?stdout=1&stderr=1 read by curl over the socket, no demux (median of 3)
//   berth    MB/s of `berth logs c > /dev/null` (the berth CLI's demux; median of 3), and less the
//            CLI's start (the median time of `berth logs --tail 0 c`): the copy alone
//   tail     latency of `docker logs --tail 10 c` on that log (median of 5)
//   since    latency of `docker logs --since <time of the last line> c` (median of 5)
// plus berthd's peak RSS while the log is written. With REF_DOCKER_HOST the same runs against the
// reference Docker, with ratios (berth / reference for MB/s, reference / berth for latency).
//   node dist/bench/logs-bench.js   (re-executes itself in private namespaces with a harness berthd)
//   LOGS_BENCH_MB (default 200), LOGS_BENCH_LINE (default 1000), LOGS_BENCH_BERTH (the berth CLI, default bin/berth)
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, startDaemon } from '../test/harness/daemon.js';
import { reexecIsolated } from './isolated.js';

const MB = Number(process.env.LOGS_BENCH_MB ?? 200);
const LINE = Number(process.env.LOGS_BENCH_LINE ?? 1000);
const BERTH_CLI = process.env.LOGS_BENCH_BERTH ?? join(repoRoot, 'bin/berth');
const budgets: Record<string, string> = {
  write: '≥ 100 MB/s',
  write100: '≥ 150 MB/s',
  read: '≥ 300 MB/s (docker CLI: ~55)',
  api: '≥ 1000 MB/s',
  berth: '≥ 300 MB/s',
  berthCopy: '(the copy alone)',
  tail: 'independent of size',
  since: 'independent of size',
};

interface Result {
  write: number;
  write100: number;
  read: number;
  api: number;
  berth: number;
  berthCopy: number;
  tail: number;
  since: number;
  rssMiB?: number;
}

function sh(cmd: string, env: NodeJS.ProcessEnv): { out: string; sec: number } {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', cmd], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sec = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return { out: r.stdout, sec };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Runs a container writing MB of `line`-byte lines; MB/s until its log holds the last line. */
async function writeLog(env: NodeJS.ProcessEnv, name: string, line: number): Promise<number> {
  spawnSync('sh', ['-c', `docker rm -f ${name}`], { env, stdio: 'ignore' });
  // line-1 x's and a newline, then a marker line to know the log is complete
  const cmd = `yes $(head -c ${line - 1} /dev/zero | tr '\\0' x) | head -c ${MB * 1_000_000}; echo logs-bench-end`;
  const t0 = performance.now();
  sh(`docker run -d --name ${name} busybox sh -c "${cmd}"`, env);
  // one blocking `docker wait` (a docker CLI spawned every 50 ms would take CPU from the writer on 2 cores),
  // then poll until the log holds the marker (a daemon may still be writing it), without blocking the sampler's timer
  await new Promise<void>((res) => spawn('docker', ['wait', name], { env, stdio: 'ignore' }).on('exit', () => res()));
  for (;;) {
    const r = spawnSync('sh', ['-c', `docker logs --tail 1 ${name}`], { env, encoding: 'utf8' });
    if (r.stdout.includes('logs-bench-end')) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  return MB / ((performance.now() - t0) / 1000);
}

/** MB/s of the logs endpoint alone: curl reads the body (stdcopy frames, no demux) over the socket. */
function apiRead(env: NodeJS.ProcessEnv, name: string): number {
  const sock = (env.DOCKER_HOST ?? '').replace(/^unix:\/\//, '');
  const url = `http://d/containers/${name}/logs?stdout=1&stderr=1`;
  const r = sh(`curl -sS --fail --unix-socket ${sock} -o /dev/null -w '%{size_download}' '${url}'`, env);
  // the frames add 8 bytes a line: the body must hold at least the log itself
  if (Number(r.out) < MB * 1_000_000) throw new Error(`api read: ${r.out} bytes, expected ≥ ${MB} MB`);
  return MB / r.sec;
}

/** Median MB/s of three runs of `read`; each run's figures on stderr. */
function medianOf(label: string, row: string, read: () => number): number {
  const xs = [read(), read(), read()];
  process.stderr.write(`[${label}] ${row} ${xs.map((x) => x.toFixed(0)).join(', ')} MB/s\n`);
  return median(xs);
}

async function measure(env: NodeJS.ProcessEnv, label: string, pid?: number): Promise<Result> {
  const name = `logsbench${process.pid}`;
  let peak = 0;
  const sampler = pid ? setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 100) : undefined;
  const write = await writeLog(env, name, LINE);
  clearInterval(sampler);
  process.stderr.write(`[${label}] write ${write.toFixed(0)} MB/s\n`);
  const read = medianOf(label, 'read', () => MB / sh(`docker logs ${name} >/dev/null 2>&1`, env).sec);
  const api = medianOf(label, 'api', () => apiRead(env, name));
  const berthRun = (args: string) => sh(`${BERTH_CLI} logs ${args} ${name} >/dev/null 2>&1`, env).sec;
  const berth = medianOf(label, 'berth', () => MB / berthRun(''));
  // the CLI's own start (node, its modules, the inspect call): `logs --tail 0` does all of it but the copy
  const start = median([berthRun('--tail 0'), berthRun('--tail 0'), berthRun('--tail 0')]);
  const berthCopy = MB / Math.max(1e-3, MB / berth - start);
  process.stderr.write(`[${label}] berth start ${(start * 1000).toFixed(0)} ms, copy ${berthCopy.toFixed(0)} MB/s\n`);
  const tails: number[] = [];
  for (let i = 0; i < 5; i++) tails.push(sh(`docker logs --tail 10 ${name} >/dev/null 2>&1`, env).sec * 1000);
  const lastTime = sh(`docker logs -t --tail 1 ${name}`, env).out.split(' ')[0]!;
  const sinces: number[] = [];
  for (let i = 0; i < 5; i++)
    sinces.push(sh(`docker logs --since ${lastTime} ${name} >/dev/null 2>&1`, env).sec * 1000);
  spawnSync('sh', ['-c', `docker rm -f ${name}`], { env, stdio: 'ignore' });
  const write100 = LINE === 100 ? write : await writeLog(env, name, 100);
  process.stderr.write(`[${label}] write100 ${write100.toFixed(0)} MB/s\n`);
  spawnSync('sh', ['-c', `docker rm -f ${name}`], { env, stdio: 'ignore' });
  return {
    write,
    write100,
    read,
    api,
    berth,
    berthCopy,
    tail: median(tails),
    since: median(sinces),
    rssMiB: pid ? peak / 1024 : undefined,
  };
}

function table(b: Result, r: Result | null): string {
  const rows: string[][] = [['metric', 'berth', ...(r ? ['reference', 'ratio'] : []), 'budget']];
  const add = (k: keyof Result, unit: string, higherBetter: boolean, what: string = k) => {
    const bv = b[k]!;
    const rv = r?.[k];
    const ratio = rv === undefined ? '' : (higherBetter ? bv / rv : rv / bv).toFixed(2) + '×';
    rows.push([
      `${what} (${unit})`,
      bv.toFixed(unit === 'ms' ? 1 : 0),
      ...(r ? [rv === undefined ? '-' : rv.toFixed(unit === 'ms' ? 1 : 0), ratio] : []),
      budgets[k] ?? '',
    ]);
  };
  add('write', 'MB/s', true, `write ${LINE}-byte lines`);
  add('write100', 'MB/s', true, 'write 100-byte lines');
  add('read', 'MB/s', true, 'docker logs > /dev/null');
  add('api', 'MB/s', true, 'GET /logs alone (curl)');
  add('berth', 'MB/s', true, 'berth logs > /dev/null');
  add('berthCopy', 'MB/s', true, 'berth logs, less its start');
  add('tail', 'ms', false, 'docker logs --tail 10');
  add('since', 'ms', false, 'docker logs --since last');
  if (b.rssMiB !== undefined)
    rows.push(['berthd peak RSS while writing (MiB)', b.rssMiB.toFixed(0), ...(r ? ['-', ''] : []), 'bounded']);
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((c, i) => c.padEnd(w[i]!)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const d = await startDaemon();
  try {
    const berth = await measure({ ...process.env, ...d.env }, 'berth', d.pid);
    const refHost = process.env.REF_DOCKER_HOST;
    let ref: Result | null = null;
    if (refHost)
      ref = await measure({ ...process.env, DOCKER_HOST: refHost }, 'reference').catch(
        (e: Error) => (console.error(`reference: ${e.message}`), null),
      );
    console.log(
      `\ndocker logs / log writing, json-file, ${MB} MB of ${LINE}-byte lines; berth in a private namespace${refHost ? `; reference ${refHost}` : ''}`,
    );
    console.log(table(berth, ref));
  } finally {
    await d.stop({ assert: false });
  }
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] === self) {
  const run = process.env.BERTH_ISOLATED === '1' ? main().then(() => 0) : Promise.resolve(reexecIsolated(self));
  run.then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(`logs-bench: ${e.message}`);
      process.exit(1);
    },
  );
}
