// Registry benchmark: `berth registry serve` against Debian's docker-registry in the same run.
//   node dist/test/integration/registry/bench.js [SIZE_MB=300] [PARALLEL=50]
// push: skopeo copy dir:→docker:// of a one-layer image of SIZE_MB; pull: docker://→dir:;
// parallel: PARALLEL concurrent pulls (manifest + blobs over HTTP, bodies discarded) of a 32 MB image.
// Prints seconds for each and berth's speed as a ratio to docker-registry (>1 = berth faster).
import { createHash, randomBytes } from 'node:crypto';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistryProcess, type RegistryProcess } from './serve.js';

const sizeMb = Number(process.argv[2] ?? 300);
const parallel = Number(process.argv[3] ?? 50);
const tmp = mkdtempSync(join(tmpdir(), 'berth-regbench-'));

async function makeDirImage(dir: string, mb: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const h = createHash('sha256');
  const layerTmp = join(dir, 'layer.tmp');
  const out = createWriteStream(layerTmp);
  const chunk = randomBytes(1 << 20);
  for (let i = 0; i < mb; i++) {
    chunk.writeUInt32LE(i, 0);
    h.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  const layer = h.digest('hex');
  execFileSync('mv', [layerTmp, join(dir, layer)]);
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [`sha256:${layer}`] } }),
  );
  const cd = createHash('sha256').update(config).digest('hex');
  writeFileSync(join(dir, cd), config);
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        digest: `sha256:${cd}`,
        size: config.length,
      },
      layers: [
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar', digest: `sha256:${layer}`, size: mb << 20 },
      ],
    }),
  );
  writeFileSync(join(dir, 'version'), 'Directory Transport Version: 1.1\n');
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: ${err}`))));
  });
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

async function pullHttp(addr: string, repo: string): Promise<void> {
  const m = await fetch(`http://${addr}/v2/${repo}/manifests/1`, {
    headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  const man = (await m.json()) as { config: { digest: string }; layers: { digest: string }[] };
  for (const d of [man.config.digest, ...man.layers.map((l) => l.digest)]) {
    const r = await fetch(`http://${addr}/v2/${repo}/blobs/${d}`);
    for await (const _ of r.body!) void _;
  }
}

async function startDistribution(root: string, port: number): Promise<{ addr: string; stop(): void }> {
  const cfg = join(root, 'config.yml');
  mkdirSync(root, { recursive: true });
  writeFileSync(
    cfg,
    `version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage:\n  filesystem: {rootdirectory: ${root}/data}\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const p = spawn('docker-registry', ['serve', cfg], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/v2/`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { addr: `127.0.0.1:${port}`, stop: () => p.kill() };
}

async function bench(name: string, addr: string, big: string, small: string) {
  const sk = ['--insecure-policy', 'copy', '--src-tls-verify=false', '--dest-tls-verify=false'];
  const push = await timed(() => run('skopeo', [...sk, `dir:${big}`, `docker://${addr}/bench/big:1`]));
  const out = join(tmp, `${name}-pulled`);
  const pull = await timed(() => run('skopeo', [...sk, `docker://${addr}/bench/big:1`, `dir:${out}`]));
  rmSync(out, { recursive: true, force: true });
  await run('skopeo', [...sk, `dir:${small}`, `docker://${addr}/bench/small:1`]);
  const par = await timed(() =>
    Promise.all(Array.from({ length: parallel }, () => pullHttp(addr, 'bench/small'))).then(() => undefined),
  );
  return { push, pull, par };
}

async function main() {
  const big = join(tmp, 'big');
  const small = join(tmp, 'small');
  await makeDirImage(big, sizeMb);
  await makeDirImage(small, 32);
  let berth: RegistryProcess | undefined;
  const dist = await startDistribution(join(tmp, 'dist'), 20000 + (process.pid % 20000));
  try {
    berth = await startRegistryProcess(['--addr', '127.0.0.1:0', '--root', join(tmp, 'berth'), '--log-level', 'error']);
    const d = await bench('dist', dist.addr, big, small);
    const b = await bench('berth', berth.addr, big, small);
    const row = (k: 'push' | 'pull' | 'par', label: string) =>
      `${label.padEnd(28)} berth ${b[k].toFixed(2)}s  docker-registry ${d[k].toFixed(2)}s  ratio ${(d[k] / b[k]).toFixed(2)}x`;
    console.log(row('push', `push ${sizeMb} MB`));
    console.log(row('pull', `pull ${sizeMb} MB`));
    console.log(row('par', `${parallel} parallel pulls (32 MB)`));
  } finally {
    await berth?.stop();
    dist.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
