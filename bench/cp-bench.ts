// `docker cp` throughput (issue 5): a 200 MB directory of mixed files copied into a container and
// back out, as MB/s and as a ratio to `tar -c | tar -x` of the same data on the same disk.
//   node dist/bench/cp-bench.js      (DOCKER_HOST: daemon under test; else a temp berthd is started)
//   CP_BENCH_MB  size of the tree (default 200)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../test/harness/daemon.js';

const MB = Number(process.env.CP_BENCH_MB ?? 200);

/** Mixed tree: 60% in 1–4 MiB files, 30% in 16–64 KiB files, 10% in ≤4 KiB files, nested dirs. */
export function makeTree(dir: string, totalBytes: number): number {
  let written = 0;
  let n = 0;
  const chunk = Buffer.alloc(4 << 20);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  const put = (size: number) => {
    const d = join(dir, `d${n % 17}`, `s${n % 5}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `f${n++}`), chunk.subarray(0, size));
    written += size;
  };
  while (written < totalBytes * 0.6) put((1 << 20) + ((n * 7919) % (3 << 20)));
  while (written < totalBytes * 0.9) put((16 << 10) + ((n * 131) % (48 << 10)));
  while (written < totalBytes) put(1 + ((n * 97) % 4096));
  return written;
}

function timed(cmd: string, env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', cmd], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  let own: Daemon | null = null;
  const env = { ...process.env };
  if (!env.DOCKER_HOST) {
    own = await startDaemon();
    env.DOCKER_HOST = own.env.DOCKER_HOST;
  }
  const work = mkdtempSync(join(tmpdir(), 'cp-bench-'));
  try {
    const src = join(work, 'src');
    const bytes = makeTree(src, MB * 1e6);
    spawnSync('sync');
    const mb = bytes / 1e6;
    const tarSec = timed(`mkdir ${work}/tar && tar -C ${src} -cf - . | tar -C ${work}/tar -xf -`, env);
    const name = `cpbench${process.pid}`;
    timed(`docker run -d --name ${name} busybox sleep 3600`, env);
    const inSec = timed(`docker cp ${src} ${name}:/tmp/`, env);
    const outSec = timed(`docker cp ${name}:/tmp/src ${work}/out`, env);
    timed(`docker rm -f ${name}`, env);
    const row = (what: string, s: number) =>
      `${what.padEnd(28)} ${(mb / s).toFixed(0).padStart(6)} MB/s  ${s.toFixed(2).padStart(6)} s  ratio to tar|tar ${(tarSec / s).toFixed(2)}`;
    console.log(`docker cp of ${mb.toFixed(0)} MB (mixed files) against ${env.DOCKER_HOST}`);
    console.log(row('tar -c | tar -x (baseline)', tarSec));
    console.log(row('docker cp host → container', inSec));
    console.log(row('docker cp container → host', outSec));
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (own) await own.stop({ assert: false });
  }
}

if (process.argv[1]?.endsWith('cp-bench.js')) {
  main().catch((e: Error) => {
    console.error(`cp-bench: ${e.message}`);
    process.exit(1);
  });
}
