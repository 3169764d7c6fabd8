// Crash safety of image transfers (issue 6, part 5): berthd is killed with SIGKILL in the middle of
// a `docker pull` and of a `docker load` of a large image, then restarted on the same roots. No
// partial image may be visible, content/ingest/ must hold no stray files, every blob in the store
// must match its digest, and a retried pull (or load) must succeed.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon } from '../../harness/daemon.js';
import { makeRandomArchive } from '../../harness/image-archive.js';
import { DOCKER_REGISTRY, startDockerRegistry, type TestRegistry } from '../../harness/registry.js';

const skip = daemonUnavailable() ?? (existsSync(DOCKER_REGISTRY) ? null : 'docker-registry is not installed');
const LAYERS = 3;
const LAYER_MB = 60;
const tmp = mkdtempSync(join(tmpdir(), 'berth-imgcrash-'));
let reg: TestRegistry | null = null;
let R = '';
let archive = '';
const live: Daemon[] = [];

const makeArchive = (dir: string, tag: string) =>
  makeRandomArchive(dir, { tag, layers: LAYERS, layerMb: LAYER_MB }).archive;

async function startRegistry(): Promise<string> {
  reg = await startDockerRegistry(tmp);
  return reg.addr;
}

const ok = async (d: Daemon, args: string[]) => {
  const r = await d.docker(args, { timeoutMs: 180_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

/** Runs `docker args` and SIGKILLs berthd as soon as `when(outputSoFar)` holds (or after maxMs). */
async function killDuring(d: Daemon, args: string[], when: (out: string) => boolean, maxMs: number): Promise<string> {
  const p = spawn('docker', args, { env: { ...process.env, ...d.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let fired = false;
  const done = new Promise<void>((r) => p.on('close', () => r()));
  await new Promise<void>((resolve) => {
    const fire = () => {
      if (fired) return;
      fired = true;
      clearTimeout(timer);
      clearInterval(poll);
      resolve();
    };
    const timer = setTimeout(fire, maxMs);
    const poll = setInterval(() => {
      if (when(out)) fire();
    }, 5);
    p.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (when(out)) fire();
    });
    p.stderr!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    p.on('close', fire);
  });
  await d.kill('SIGKILL');
  await done;
  return out;
}

/** Is a blob of more than 1 MB being written into content/ingest/? */
const hasIngest = (ingest: string) =>
  existsSync(ingest) &&
  readdirSync(ingest).some((f) => {
    try {
      return statSync(join(ingest, f)).size > 1e6;
    } catch {
      return false;
    }
  });

/** No stray ingest files, and every blob in the content store hashes to its name. */
async function assertStoreClean(d: Daemon): Promise<void> {
  const ingest = join(d.dataRoot, 'content', 'ingest');
  assert.deepEqual(existsSync(ingest) ? readdirSync(ingest) : [], [], 'stray files in content/ingest');
  const blobs = join(d.dataRoot, 'content', 'blobs', 'sha256');
  for (const hex of existsSync(blobs) ? readdirSync(blobs) : []) {
    const h = createHash('sha256');
    for await (const c of createReadStream(join(blobs, hex))) h.update(c as Buffer);
    assert.equal(
      h.digest('hex'),
      hex,
      `blob ${hex} does not match its digest (${statSync(join(blobs, hex)).size} bytes)`,
    );
  }
}

async function assertAbsent(d: Daemon, ref: string): Promise<void> {
  const r = await d.docker(['image', 'inspect', ref]);
  assert.notEqual(r.code, 0, `a partial image is visible after the crash: ${r.stdout}`);
  assert.match(r.stderr, /No such image/);
  assert.doesNotMatch(
    await ok(d, ['images', '-a', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']),
    /crash\/big|<none>/,
  );
}

/** The image is whole: three layers, and a container made from it holds the three files. */
async function assertWhole(d: Daemon, ref: string): Promise<void> {
  assert.equal(await ok(d, ['image', 'inspect', '--format', '{{len .RootFS.Layers}}', ref]), String(LAYERS));
  const id = await ok(d, ['create', ref]);
  const files = execFileSync('sh', ['-c', `docker export ${id} | tar -t`], {
    env: { ...process.env, ...d.env },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  for (let i = 0; i < LAYERS; i++) assert.match(files, new RegExp(`^(\\./)?data${i}$`, 'm'));
  await ok(d, ['rm', id]);
}

before(async () => {
  if (skip) return;
  archive = makeArchive(tmp, 'crash/big:1');
  R = await startRegistry();
});
after(async () => {
  reg?.stop();
  for (const d of live) await d.stop({ assert: false }).catch(() => {});
  rmSync(tmp, { recursive: true, force: true });
});

test('kill -9 during a pull: no partial image, no stray ingest, the retried pull succeeds', {
  skip: skip ?? false,
  timeout: 240_000,
}, async () => {
  // another daemon puts the image into the registry, so the one that pulls starts with nothing
  const d0 = await startDaemon({ busybox: false });
  const ref = `${R}/crash/big:1`;
  await ok(d0, ['load', '-i', archive]);
  await ok(d0, ['tag', 'crash/big:1', ref]);
  await ok(d0, ['push', ref]);
  assert.deepEqual((await d0.stop()).leaks, []);
  // first crash: in the middle of a download, while a layer is being written into content/ingest/
  const d0b = await startDaemon({ busybox: false });
  const ingest = join(d0b.dataRoot, 'content', 'ingest');
  const early = await killDuring(d0b, ['pull', ref], () => hasIngest(ingest), 60_000);
  assert.doesNotMatch(early, /Status: Downloaded newer image/, `the pull finished before the kill:\n${early}`);
  const strayBefore = existsSync(ingest) ? readdirSync(ingest).length : 0;
  const d1 = await startDaemon({ root: d0b.root, busybox: false });
  await assertAbsent(d1, ref);
  await assertStoreClean(d1);
  console.log(`# pull crash mid-download: ${strayBefore} ingest file(s) left, removed on restart`);

  // second crash: once the first layer is complete while the others are still on their way
  const out = await killDuring(d1, ['pull', ref], (o) => /Pull complete/.test(o), 60_000);
  assert.doesNotMatch(out, /Status: Downloaded newer image/, `the pull finished before the kill:\n${out}`);

  const d2 = await startDaemon({ root: d1.root, busybox: false });
  live.push(d2);
  await assertAbsent(d2, ref);
  await assertStoreClean(d2);
  const retry = await ok(d2, ['pull', ref]);
  assert.match(retry, /Status: Downloaded newer image/);
  // what was complete before the crash is reused, not fetched again
  const reused = (retry.match(/Already exists/g) ?? []).length;
  const completedBefore = (out.match(/Pull complete/g) ?? []).length;
  // (downloads run ahead of extraction, so layers fully downloaded but not yet extracted count too)
  const downloaded = (out.match(/Download complete/g) ?? []).length;
  assert.ok(
    reused >= completedBefore,
    `reused ${reused} layers after ${completedBefore} completed:\n${out}\n---\n${retry}`,
  );
  console.log(
    `# pull crash: at the kill ${completedBefore} layer(s) pulled, ${downloaded} downloaded; the retry reported ${reused} "Already exists"`,
  );
  await assertWhole(d2, ref);
  await assertStoreClean(d2);
  live.splice(live.indexOf(d2), 1);
  assert.deepEqual((await d2.stop()).leaks, []);
});

test('kill -9 during a load: no partial image, no stray ingest, the retried load succeeds', {
  skip: skip ?? false,
  timeout: 240_000,
}, async () => {
  const d1 = await startDaemon({ busybox: false });
  const ingest = join(d1.dataRoot, 'content', 'ingest');
  // kill while a layer is being written into content/ingest/
  await killDuring(d1, ['load', '-i', archive], () => hasIngest(ingest), 60_000);
  const strayBefore = existsSync(ingest) ? readdirSync(ingest).length : 0;

  const d2 = await startDaemon({ root: d1.root, busybox: false });
  live.push(d2);
  await assertAbsent(d2, 'crash/big:1');
  await assertStoreClean(d2);
  console.log(`# load crash: ${strayBefore} ingest file(s) left by the killed daemon, removed on restart`);
  assert.match(await ok(d2, ['load', '-i', archive]), /Loaded image: crash\/big:1/);
  await assertWhole(d2, 'crash/big:1');
  await assertStoreClean(d2);
  live.splice(live.indexOf(d2), 1);
  assert.deepEqual((await d2.stop()).leaks, []);
});
