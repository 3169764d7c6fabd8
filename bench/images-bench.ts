// Image throughput (issue 6): load, push, pull and save of an image with one ~200 MB layer of
// incompressible data, through Debian's docker-registry on 127.0.0.1, in MB/s of layer data.
//   node dist/bench/images-bench.js   (re-executes itself in private net/mount/pid namespaces)
//   IMAGES_BENCH_MB   layer size (default 200)
//   REF_DOCKER_HOST   reference daemon: load and save measured against it too; push/pull only when
//                     REF_REGISTRY names a registry that daemon can reach (it lives in another netns).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemon, type Daemon } from '../test/harness/daemon.js';

const MB = Number(process.env.IMAGES_BENCH_MB ?? 200);
const REGISTRY = '/usr/bin/docker-registry';
const budgets: Record<string, number> = { load: 200, push: 150, pull: 200, save: 200 };

/** Re-runs this file inside the same namespaces test/harness/run-isolated.sh makes. */
export function reexecIsolated(file: string): number {
  const script = 'mount --make-rprivate / && ip link set lo up && mkdir -p /run/netns && ' +
    'mount -t tmpfs -o mode=0755 tmpfs /run/netns && exec "$0" "$1"';
  const r = spawnSync('unshare', ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private',
    '--kill-child', 'env', 'BERTH_ISOLATED=1', 'bash', '-c', script, process.execPath, file], { stdio: 'inherit' });
  return r.status ?? 1;
}

/** A docker-archive with one layer holding `mb` MB of random bytes, tagged `tag`. */
function makeArchive(dir: string, mb: number, tag: string): { tar: string; layerBytes: number } {
  const rootfs = join(dir, 'rootfs');
  mkdirSync(rootfs, { recursive: true });
  execFileSync('sh', ['-c', `head -c ${mb * 1e6} /dev/urandom > ${rootfs}/data`]);
  const arch = join(dir, 'arch');
  // Docker 25's layout (blobs/sha256/…): berth's load misses a top-level <hex>.json config (20.10's layout)
  const blobs = join(arch, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  execFileSync('tar', ['-C', rootfs, '-cf', join(arch, 'layer.tar'), '.']);
  const layerBytes = statSync(join(arch, 'layer.tar')).size;
  const diffId = execFileSync('sha256sum', [join(arch, 'layer.tar')], { encoding: 'utf8' }).split(' ')[0];
  execFileSync('mv', [join(arch, 'layer.tar'), join(blobs, diffId)]);
  const config = JSON.stringify({
    architecture: 'amd64', os: 'linux', created: new Date().toISOString(),
    config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
    history: [{ created: new Date().toISOString(), created_by: 'images-bench' }],
  });
  const cfgHex = createHash('sha256').update(config).digest('hex');
  writeFileSync(join(blobs, cfgHex), config);
  writeFileSync(join(arch, 'manifest.json'), JSON.stringify([{ Config: `blobs/sha256/${cfgHex}`, RepoTags: [tag], Layers: [`blobs/sha256/${diffId}`] }]));
  const tar = join(dir, 'image.tar');
  execFileSync('tar', ['-C', arch, '-cf', tar, 'manifest.json', 'blobs']);
  rmSync(rootfs, { recursive: true, force: true });
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

/** Debian's docker-registry on 127.0.0.1 with a temp config and root dir. */
async function startRegistry(dir: string): Promise<{ addr: string; proc: ChildProcess }> {
  const port = await freePort();
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog: {level: error}\nstorage:\n  filesystem: {rootdirectory: ${join(dir, 'data')}}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const proc = spawn(REGISTRY, ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => (c.destroy(), r(true)));
      c.on('error', () => r(false));
    });
    if (up) return { addr: `127.0.0.1:${port}`, proc };
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill();
  throw new Error('docker-registry did not start');
}

function timed(args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync('docker', args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

/** Seconds for load, push, pull, save (push/pull only with a registry). */
function measure(host: string, tar: string, registry: string | null, work: string): Map<string, number> {
  const env = { ...process.env, DOCKER_HOST: host };
  const tag = 'berth-bench/images:1';
  const out = new Map<string, number>();
  spawnSync('docker', ['rmi', '-f', tag], { env, stdio: 'ignore' });
  out.set('load', timed(['load', '-i', tar], env));
  if (registry) {
    const remote = `${registry}/bench/images:${process.pid}`;
    timed(['tag', tag, remote], env);
    out.set('push', timed(['push', remote], env));
    timed(['rmi', '-f', remote, tag], env);
    out.set('pull', timed(['pull', remote], env));
    timed(['tag', remote, tag], env);
    spawnSync('docker', ['rmi', remote], { env, stdio: 'ignore' });
  }
  const saved = join(work, `saved-${process.pid}.tar`);
  out.set('save', timed(['save', '-o', saved, tag], env));
  rmSync(saved, { force: true });
  spawnSync('docker', ['rmi', '-f', tag], { env, stdio: 'ignore' });
  return out;
}

async function main(): Promise<void> {
  if (!existsSync(REGISTRY)) throw new Error(`${REGISTRY} is not installed (apt-get install docker-registry)`);
  const work = mkdtempSync(join(tmpdir(), 'images-bench-'));
  let own: Daemon | null = null;
  let reg: ChildProcess | null = null;
  try {
    const { tar, layerBytes } = makeArchive(work, MB, 'berth-bench/images:1');
    spawnSync('sync');
    const r = await startRegistry(join(work, 'registry'));
    reg = r.proc;
    own = await startDaemon({ busybox: false });
    const berth = measure(own.env.DOCKER_HOST, tar, r.addr, work);
    const refHost = process.env.REF_DOCKER_HOST;
    const ref = refHost ? measure(refHost, tar, process.env.REF_REGISTRY ?? null, work) : null;
    const mb = layerBytes / 1e6;
    const rate = (m: Map<string, number> | null, k: string) => (m?.has(k) ? mb / m.get(k)! : null);
    const f = (v: number | null) => (v === null ? '-' : `${v.toFixed(0)} MB/s`);
    const head = ['metric', 'berth', ...(ref ? ['reference', 'ratio'] : []), 'budget', ''];
    const rows = ['load', 'push', 'pull', 'save'].map((k) => {
      const b = rate(berth, k);
      const rr = rate(ref, k);
      return [`docker ${k} (${mb.toFixed(0)} MB layer)`, f(b), ...(ref ? [f(rr), b && rr ? (b / rr).toFixed(2) : '-'] : []),
        `≥ ${budgets[k]} MB/s`, b === null ? '' : b >= budgets[k] ? 'ok' : 'UNDER'];
    });
    const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log(`\nberth (in a private namespace, registry ${r.addr})${refHost ? `   reference: ${refHost}${process.env.REF_REGISTRY ? '' : ' (no registry reachable: load/save only)'}` : ''}`);
    console.log(line(head));
    for (const row of rows) console.log(line(row));
  } finally {
    if (own) await own.stop({ assert: false });
    reg?.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] === self) {
  if (process.env.BERTH_ISOLATED !== '1') process.exit(reexecIsolated(self));
  main().catch((e: Error) => {
    console.error(`images-bench: ${e.message}`);
    process.exit(1);
  });
}
