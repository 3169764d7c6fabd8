// Log throughput (issue 9): a container writes LOGS_BENCH_MB of LOGS_BENCH_LINE-byte lines with the
// default json-file driver; measured with the docker CLI:
//   write   MB/s from `docker run -d` until the container has exited and the log holds the last line (`docker logs --tail 1`)
//   read    MB/s of `docker logs c > /dev/null` on that log (median of 3)
//   tail    latency of `docker logs --tail 10 c` on that log (median of 5)
//   since   latency of `docker logs --since <time of the last line> c` (median of 5)
// plus berthd's peak RSS while the log is written. With REF_DOCKER_HOST the same runs against the
// reference Docker, with ratios (berth / reference for MB/s, reference / berth for latency).
//   node dist/bench/logs-bench.js   (re-executes itself in private namespaces with a harness berthd)
//   LOGS_BENCH_MB (default 200), LOGS_BENCH_LINE (default 1000; 100 shows the per-line costs)
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startDaemon } from '../test/harness/daemon.js';
import { reexecIsolated } from './isolated.js';

const MB = Number(process.env.LOGS_BENCH_MB ?? 200);
const LINE = Number(process.env.LOGS_BENCH_LINE ?? 1000);
const budgets: Record<string, string> = {
  write: '≥ 100 MB/s',
  read: '≥ 300 MB/s',
  tail: 'independent of size',
  since: 'independent of size',
};

interface Result {
  write: number;
  read: number;
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

async function measure(env: NodeJS.ProcessEnv, label: string, pid?: number): Promise<Result> {
  const name = `logsbench${process.pid}`;
  const bytes = MB * 1_000_000;
  spawnSync('sh', ['-c', `docker rm -f ${name}`], { env, stdio: 'ignore' });
  // LINE-byte lines (LINE-1 x's and a newline), then a marker line to know the log is complete
  const cmd = `yes $(head -c ${LINE - 1} /dev/zero | tr '\\0' x) | head -c ${bytes}; echo logs-bench-end`;
  let peak = 0;
  const sampler = pid ? setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 100) : undefined;
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
  const write = MB / ((performance.now() - t0) / 1000);
  clearInterval(sampler);
  process.stderr.write(`[${label}] write ${write.toFixed(0)} MB/s\n`);
  const reads: number[] = [];
  for (let i = 0; i < 3; i++) reads.push(MB / sh(`docker logs ${name} >/dev/null 2>&1`, env).sec);
  process.stderr.write(`[${label}] read ${reads.map((x) => x.toFixed(0)).join(', ')} MB/s\n`);
  const tails: number[] = [];
  for (let i = 0; i < 5; i++) tails.push(sh(`docker logs --tail 10 ${name} >/dev/null 2>&1`, env).sec * 1000);
  const lastTime = sh(`docker logs -t --tail 1 ${name}`, env).out.split(' ')[0]!;
  const sinces: number[] = [];
  for (let i = 0; i < 5; i++)
    sinces.push(sh(`docker logs --since ${lastTime} ${name} >/dev/null 2>&1`, env).sec * 1000);
  spawnSync('sh', ['-c', `docker rm -f ${name}`], { env, stdio: 'ignore' });
  return {
    write,
    read: median(reads),
    tail: median(tails),
    since: median(sinces),
    rssMiB: pid ? peak / 1024 : undefined,
  };
}

function table(b: Result, r: Result | null): string {
  const rows: string[][] = [['metric', 'berth', ...(r ? ['reference', 'ratio'] : []), 'budget']];
  const add = (k: keyof Result, unit: string, higherBetter: boolean) => {
    const bv = b[k]!;
    const rv = r?.[k];
    const ratio = rv === undefined ? '' : (higherBetter ? bv / rv : rv / bv).toFixed(2) + '×';
    rows.push([
      `${k} (${unit})`,
      bv.toFixed(unit === 'ms' ? 1 : 0),
      ...(r ? [rv === undefined ? '-' : rv.toFixed(unit === 'ms' ? 1 : 0), ratio] : []),
      budgets[k] ?? '',
    ]);
  };
  add('write', 'MB/s', true);
  add('read', 'MB/s', true);
  add('tail', 'ms', false);
  add('since', 'ms', false);
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
