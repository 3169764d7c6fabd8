// Compose benchmark (issue 10): `docker-compose up -d` and `down -v` of a 5-service project (busybox
// services on a project network, one named volume), median of ROUNDS, against a berthd started in
// private namespaces, and against REF_DOCKER_HOST (the reference daemon) when it is set.
//   node dist/bench/compose-bench.js   (re-executes itself in private net/mount/pid namespaces)
//   COMPOSE_BENCH_ROUNDS  rounds (default 5)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemon, type Daemon } from '../test/harness/daemon.js';
import { reexecIsolated } from './isolated.js';

const ROUNDS = Number(process.env.COMPOSE_BENCH_ROUNDS ?? 5);
const SERVICES = 5;

// sh as pid 1 ignores SIGTERM: the trap makes `down` stop each service at once, on both daemons
const service = (i: number) => `  s${i}:
    image: busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    networks: [app]
${i === 0 ? '    volumes: ["data:/data"]\n' : ''}`;
const project = `version: "3.7"
services:
${Array.from({ length: SERVICES }, (_, i) => service(i)).join('')}networks:
  app: {}
volumes:
  data: {}
`;

function timed(args: string[], cwd: string, host: string): number {
  const t0 = performance.now();
  const r = spawnSync('docker-compose', args, {
    cwd,
    env: { ...process.env, DOCKER_HOST: host },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`docker-compose ${args.join(' ')} (${host}): ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(host: string, dir: string): { up: number; down: number } {
  const ups: number[] = [];
  const downs: number[] = [];
  timed(['down', '-v'], dir, host); // leftovers of an interrupted run
  try {
    for (let i = 0; i < ROUNDS; i++) {
      ups.push(timed(['up', '-d'], dir, host));
      downs.push(timed(['down', '-v'], dir, host));
    }
  } catch (e) {
    spawnSync('docker-compose', ['down', '-v'], {
      cwd: dir,
      env: { ...process.env, DOCKER_HOST: host },
      stdio: 'ignore',
    });
    throw e;
  }
  return { up: median(ups), down: median(downs) };
}

async function main(): Promise<void> {
  if (!existsSync('/usr/bin/docker-compose'))
    throw new Error('docker-compose is not installed (apt-get install docker-compose)');
  const dir = mkdtempSync(join(tmpdir(), 'compose-bench-'));
  // the project name comes from the directory: one fixed name, so leftovers are found again
  const proj = join(dir, 'berthcomposebench');
  spawnSync('mkdir', [proj]);
  writeFileSync(join(proj, 'docker-compose.yml'), project);
  let own: Daemon | null = null;
  try {
    own = await startDaemon();
    const b = measure(own.env.DOCKER_HOST, proj);
    const refHost = process.env.REF_DOCKER_HOST;
    let r: { up: number; down: number } | null = null;
    if (refHost) {
      const have = spawnSync('docker', ['image', 'inspect', 'busybox:latest'], {
        env: { ...process.env, DOCKER_HOST: refHost },
        stdio: 'ignore',
      });
      if (have.status === 0) r = measure(refHost, proj);
      else process.stderr.write(`reference daemon has no busybox:latest: berth-only figures\n`);
    }
    const f = (s: number | undefined) => (s === undefined ? '-' : `${(s * 1000).toFixed(0)} ms`);
    const rows = (['up', 'down'] as const).map((k) => [
      `docker-compose ${k === 'up' ? 'up -d' : 'down -v'} (${SERVICES} services, median)`,
      f(b[k]),
      ...(r ? [f(r[k]), `${(r[k] / b[k]).toFixed(2)}`] : []),
    ]);
    const head = ['metric', 'berth', ...(r ? ['reference', 'speedup'] : [])];
    const widths = head.map((_, i) => Math.max(...[head, ...rows].map((x) => x[i].length)));
    const line = (cells: string[]) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log(`\nberth (in a private namespace)${r ? `   reference: ${refHost}` : ''}   rounds=${ROUNDS}`);
    console.log(line(head));
    for (const row of rows) console.log(line(row));
  } finally {
    if (own) await own.stop({ assert: false });
    rmSync(dir, { recursive: true, force: true });
  }
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] === self) {
  if (process.env.BERTH_ISOLATED !== '1') process.exit(reexecIsolated(self));
  main().catch((e: Error) => {
    console.error(`compose-bench: ${e.message}`);
    process.exit(1);
  });
}
