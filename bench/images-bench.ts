// Image throughput (issue 6): load, push, pull and save of a 300 MB image made of 6 layers of 50 MB
// of random (incompressible) data, through Debian's docker-registry on 127.0.0.1, in MB/s of layer
// data (uncompressed tar bytes), for berth and, with REF_DOCKER_HOST, for the reference Docker.
//   node dist/bench/images-bench.js   (re-executes itself in private net/mount/pid namespaces)
//   IMAGES_BENCH_LAYERS / IMAGES_BENCH_LAYER_MB   image shape (default 6 × 50)
//   IMAGES_BENCH_RUNS   runs per daemon, each with fresh random layers (default 2); medians reported
//   REF_DOCKER_HOST     reference daemon, e.g. unix:///run/docker-ref.sock. It lives in netns `ref`:
//                       this process starts a docker-registry for it there (before entering its own
//                       namespaces, which hide /run/netns), unless REF_REGISTRY names one already.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemon, type Daemon } from '../test/harness/daemon.js';
import { reexecIsolated } from './isolated.js';
import { median } from './stats.js';

const LAYERS = Number(process.env.IMAGES_BENCH_LAYERS ?? 6);
const LAYER_MB = Number(process.env.IMAGES_BENCH_LAYER_MB ?? 50);
const RUNS = Math.max(1, Number(process.env.IMAGES_BENCH_RUNS ?? 2));
const REGISTRY = '/usr/bin/docker-registry';
const REF_NETNS = '/var/run/netns/ref';
const OPS = ['load', 'push', 'pull', 'save'] as const;
type Op = (typeof OPS)[number];
const budgets: Record<Op, number> = { load: 200, push: 150, pull: 200, save: 200 };

/** A docker-archive (Docker 25 layout) of `layers` layers, each one file of `mb` MB of random bytes. */
export function makeArchive(dir: string, layers: number, mb: number, tag: string): { tar: string; layerBytes: number } {
  const arch = join(dir, 'arch');
  const blobs = join(arch, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const diffIds: string[] = [];
  let layerBytes = 0;
  for (let i = 0; i < layers; i++) {
    const rootfs = join(dir, `rootfs${i}`);
    mkdirSync(rootfs, { recursive: true });
    execFileSync('sh', ['-c', `head -c ${mb * 1e6} /dev/urandom > ${rootfs}/data${i}`]);
    const t = join(arch, 'layer.tar');
    execFileSync('tar', ['-C', rootfs, '-cf', t, '.']);
    layerBytes += statSync(t).size;
    const hex = execFileSync('sha256sum', [t], { encoding: 'utf8' }).split(' ')[0];
    execFileSync('mv', [t, join(blobs, hex)]);
    diffIds.push(`sha256:${hex}`);
    rmSync(rootfs, { recursive: true, force: true });
  }
  const now = new Date().toISOString();
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: now,
    config: { Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created: now, created_by: 'images-bench' })),
  });
  const cfgHex = createHash('sha256').update(config).digest('hex');
  writeFileSync(join(blobs, cfgHex), config);
  writeFileSync(
    join(arch, 'manifest.json'),
    JSON.stringify([
      { Config: `blobs/sha256/${cfgHex}`, RepoTags: [tag], Layers: diffIds.map((d) => `blobs/sha256/${d.slice(7)}`) },
    ]),
  );
  const tar = join(dir, 'image.tar');
  execFileSync('tar', ['-C', arch, '-cf', tar, 'manifest.json', 'blobs']);
  rmSync(arch, { recursive: true, force: true });
  return { tar, layerBytes };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

function registryConfig(dir: string, port: number): string {
  mkdirSync(join(dir, 'data'), { recursive: true });
  const cfg = join(dir, 'config.yml');
  writeFileSync(
    cfg,
    `version: 0.1\nlog: {level: error}\nstorage:\n  filesystem: {rootdirectory: ${join(dir, 'data')}}\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  return cfg;
}

/** Is 127.0.0.1:port accepting connections (in netns `netns` when given)? */
async function listening(port: number, netns?: string): Promise<boolean> {
  if (netns) {
    const r = spawnSync('nsenter', [`--net=${netns}`, 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`], {
      stdio: 'ignore',
    });
    return r.status === 0;
  }
  return new Promise<boolean>((r) => {
    const c = net.connect(port, '127.0.0.1', () => (c.destroy(), r(true)));
    c.on('error', () => r(false));
  });
}

/** Debian's docker-registry on 127.0.0.1 (inside netns `netns` when given) with a temp config and root. */
async function startRegistry(dir: string, netns?: string): Promise<{ addr: string; proc: ChildProcess }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    // in another netns no probe socket can be bound here: pick a high port and retry on failure
    const port = netns ? 20000 + Math.floor(Math.random() * 30000) : await freePort();
    const cfg = registryConfig(dir, port);
    const argv = [REGISTRY, 'serve', cfg];
    const proc = netns
      ? spawn('nsenter', [`--net=${netns}`, ...argv], { stdio: 'ignore' })
      : spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
    let exited = false;
    proc.on('exit', () => (exited = true));
    for (let i = 0; i < 100 && !exited; i++) {
      if (await listening(port, netns)) return { addr: `127.0.0.1:${port}`, proc };
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill();
  }
  throw new Error('docker-registry did not start');
}

function stopProc(p: ChildProcess | null): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    p.once('exit', () => r());
    p.kill('SIGTERM');
    setTimeout(() => p.kill('SIGKILL'), 3000).unref();
  });
}

function docker(args: string[], env: NodeJS.ProcessEnv): void {
  const r = spawnSync('docker', args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
}

/** Seconds of one docker command; dirty pages of the previous step are flushed first (untimed). */
function timed(args: string[], env: NodeJS.ProcessEnv): number {
  spawnSync('sync');
  const t0 = performance.now();
  docker(args, env);
  return (performance.now() - t0) / 1000;
}

/** Seconds for load, push, pull, save (push/pull only with a registry). Leaves no image behind. */
function measure(host: string, tar: string, registry: string | null, work: string, run: number): Map<Op, number> {
  const env = { ...process.env, DOCKER_HOST: host };
  const tag = 'berth-bench/images:1';
  const remote = registry ? `${registry}/bench/images${run}:${process.pid}` : '';
  const out = new Map<Op, number>();
  const saved = join(work, `saved-${process.pid}.tar`);
  spawnSync('docker', ['rmi', '-f', tag], { env, stdio: 'ignore' });
  try {
    out.set('load', timed(['load', '-i', tar], env));
    if (registry) {
      docker(['tag', tag, remote], env);
      out.set('push', timed(['push', remote], env));
      docker(['rmi', '-f', remote, tag], env);
      out.set('pull', timed(['pull', remote], env));
      docker(['tag', remote, tag], env);
    }
    out.set('save', timed(['save', '-o', saved, tag], env));
  } finally {
    rmSync(saved, { force: true });
    spawnSync('docker', ['rmi', '-f', tag, ...(remote ? [remote] : [])], { env, stdio: 'ignore' });
  }
  return out;
}

function table(mb: number, berth: Map<Op, number[]>, ref: Map<Op, number[]> | null, label: string): string {
  const rate = (m: Map<Op, number[]> | null, k: Op) => (m?.get(k)?.length ? mb / median(m.get(k)!) : null);
  const f = (v: number | null) => (v === null ? '-' : `${v.toFixed(0)} MB/s`);
  const head = ['metric', 'berth', ...(ref ? ['reference', 'ratio'] : []), 'budget', ''];
  const rows = OPS.map((k) => {
    const b = rate(berth, k);
    const rr = rate(ref, k);
    return [
      `docker ${k} (${label})`,
      f(b),
      ...(ref ? [f(rr), b && rr ? `${(b / rr).toFixed(2)}x` : '-'] : []),
      `≥ ${budgets[k]} MB/s`,
      b === null ? '' : b >= budgets[k] ? 'ok' : 'UNDER',
    ];
  });
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  if (!existsSync(REGISTRY)) throw new Error(`${REGISTRY} is not installed (apt-get install docker-registry)`);
  const work = mkdtempSync(join(tmpdir(), 'images-bench-'));
  let own: Daemon | null = null;
  let reg: ChildProcess | null = null;
  const refHost = process.env.REF_DOCKER_HOST;
  const refRegistry = process.env.REF_REGISTRY ?? null;
  const berth = new Map<Op, number[]>();
  const ref = refHost ? new Map<Op, number[]>() : null;
  const push = (m: Map<Op, number[]>, r: Map<Op, number>) => r.forEach((v, k) => m.set(k, [...(m.get(k) ?? []), v]));
  try {
    const r = await startRegistry(join(work, 'registry'));
    reg = r.proc;
    own = await startDaemon({ busybox: false });
    let mb = 0;
    for (let run = 0; run < RUNS; run++) {
      // fresh random layers each run: a registry that has the blobs would make push a no-op
      const { tar, layerBytes } = makeArchive(join(work, `run${run}`), LAYERS, LAYER_MB, 'berth-bench/images:1');
      mb = layerBytes / 1e6;
      push(berth, measure(own.env.DOCKER_HOST, tar, r.addr, work, run));
      if (refHost && ref) push(ref, measure(refHost, tar, refRegistry, work, run));
      rmSync(join(work, `run${run}`), { recursive: true, force: true });
    }
    const label = `${LAYERS}×${LAYER_MB} MB`;
    console.log(
      `\nberth in a private namespace, registry ${r.addr}${refHost ? `; reference ${refHost}, registry ${refRegistry ?? 'none (load/save only)'}` : ''}`,
    );
    console.log(
      `median of ${RUNS} run(s), MB/s of uncompressed layer data (${mb.toFixed(0)} MB); ratio = berth / reference`,
    );
    console.log(table(mb, berth, ref, label));
    const raw = (m: Map<Op, number[]>) =>
      OPS.filter((k) => m.has(k))
        .map(
          (k) =>
            `${k} ${m
              .get(k)!
              .map((s) => (mb / s).toFixed(0))
              .join('/')}`,
        )
        .join(', ');
    console.log(`runs (MB/s): berth ${raw(berth)}${ref ? `; reference ${raw(ref)}` : ''}`);
  } finally {
    if (own) await own.stop({ assert: false });
    await stopProc(reg);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Outside the namespaces: give the reference daemon a registry in its netns, then run isolated. */
async function outer(self: string): Promise<number> {
  const refHost = process.env.REF_DOCKER_HOST;
  if (!refHost || process.env.REF_REGISTRY || !existsSync(REF_NETNS) || !existsSync(REGISTRY))
    return reexecIsolated(self);
  const dir = mkdtempSync(join(tmpdir(), 'images-bench-ref-'));
  let reg: ChildProcess | null = null;
  try {
    const r = await startRegistry(dir, REF_NETNS);
    reg = r.proc;
    // the child blocks this process: spawn (not spawnSync) keeps the event loop free for stopProc
    return await new Promise<number>((resolve) => {
      const c = spawn(process.execPath, [self], { stdio: 'inherit', env: { ...process.env, REF_REGISTRY: r.addr } });
      c.on('exit', (code) => resolve(code ?? 1));
    });
  } finally {
    await stopProc(reg);
    rmSync(dir, { recursive: true, force: true });
  }
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] === self) {
  const run =
    process.env.BERTH_ISOLATED === '1'
      ? main().then(() => 0)
      : process.env.REF_REGISTRY
        ? Promise.resolve(reexecIsolated(self))
        : outer(self);
  run.then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(`images-bench: ${e.message}`);
      process.exit(1);
    },
  );
}
