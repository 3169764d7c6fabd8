// Crash safety of layer extraction and of commit (issue 6, part 5): berthd is SIGKILLed while a
// large layer is being applied (docker load: extracted while stored; docker import: extracted from
// the stored blob) and while `docker commit` turns a big upper dir into a layer. After a restart on
// the same roots: no partial image (images, image inspect), no leftover extraction snapshots or
// snapshot directories, no stray ingest files, what existed before is intact, and the same
// operation succeeds when retried.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon } from '../../harness/daemon.js';
import { makeRandomArchive } from '../../harness/image-archive.js';

const skip = daemonUnavailable();
const LAYERS = 2;
const LAYER_MB = 80;
const tmp = mkdtempSync(join(tmpdir(), 'berth-imgcrash2-'));
let archive = '';
let rootfsTar = '';
const live: Daemon[] = [];

/** Two files of random data: a docker-archive of LAYERS layers, and one plain rootfs tar. */
function makeInputs(dir: string): void {
  const r = makeRandomArchive(dir, { tag: 'crash/ex:1', layers: LAYERS, layerMb: LAYER_MB, keepFirstLayer: true });
  archive = r.archive;
  rootfsTar = r.firstLayerTar!;
}

const ok = async (d: Daemon, args: string[]) => {
  const r = await d.docker(args, { timeoutMs: 180_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

interface SnapMeta {
  snapshots: Record<string, { id: number; kind: string; parent: string | null }>;
}
const snapMeta = (d: Daemon): SnapMeta => {
  const p = join(d.dataRoot, 'snapshots', 'metadata.json');
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as SnapMeta;
  } catch {
    return { snapshots: {} };
  }
};

/** Bytes in the top directory of the extraction snapshots in flight ("extract-…" keys). */
function extracting(d: Daemon): number {
  let n = 0;
  for (const [k, s] of Object.entries(snapMeta(d).snapshots)) {
    if (!k.startsWith('extract-')) continue;
    const fs = join(d.dataRoot, 'snapshots', String(s.id), 'fs');
    try {
      for (const f of readdirSync(fs)) n += statSync(join(fs, f)).size;
    } catch {
      /* just removed */
    }
  }
  return n;
}

/** Runs `docker args` and SIGKILLs berthd as soon as `when()` holds; fails if the command ended first. */
async function killDuring(d: Daemon, args: string[], when: () => boolean, what: string): Promise<void> {
  const p = spawn('docker', args, { env: { ...process.env, ...d.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  p.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const closed = new Promise<void>((r) => p.on('close', () => r()));
  let ended = false;
  void closed.then(() => (ended = true));
  const t0 = Date.now();
  while (!ended && !when() && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 2));
  assert.equal(ended, false, `docker ${args.join(' ')} ended before ${what}:\n${out}`);
  assert.ok(when(), `${what} never happened`);
  await d.kill('SIGKILL');
  await closed;
}

/** No stray ingest files or extraction snapshots; every snapshot dir has metadata; blobs hash right. */
async function assertClean(d: Daemon): Promise<void> {
  const ingest = join(d.dataRoot, 'content', 'ingest');
  assert.deepEqual(existsSync(ingest) ? readdirSync(ingest) : [], [], 'stray files in content/ingest');
  const meta = snapMeta(d);
  assert.deepEqual(
    Object.keys(meta.snapshots).filter((k) => k.startsWith('extract-')),
    [],
    'extraction snapshots left',
  );
  const ids = new Set(Object.values(meta.snapshots).map((s) => String(s.id)));
  const dirs = readdirSync(join(d.dataRoot, 'snapshots')).filter((n) => /^\d+$/.test(n));
  assert.deepEqual(
    dirs.filter((n) => !ids.has(n)),
    [],
    'snapshot directories without metadata',
  );
  const blobs = join(d.dataRoot, 'content', 'blobs', 'sha256');
  for (const hex of existsSync(blobs) ? readdirSync(blobs) : []) {
    const h = createHash('sha256');
    for await (const c of createReadStream(join(blobs, hex))) h.update(c as Buffer);
    assert.equal(h.digest('hex'), hex, `blob ${hex} does not match its digest`);
  }
}

/** Only busybox is there (intact: it runs), and `ref` is not visible in any form. */
async function assertOnlyBusybox(d: Daemon, ref: string): Promise<void> {
  const r = await d.docker(['image', 'inspect', ref]);
  assert.notEqual(r.code, 0, `a partial image is visible after the crash: ${r.stdout}`);
  assert.match(r.stderr, /No such image/);
  assert.deepEqual((await ok(d, ['images', '-a', '--format', '{{.Repository}}:{{.Tag}}'])).split('\n'), [
    'busybox:latest',
  ]);
  assert.equal(await ok(d, ['run', '--rm', 'busybox', 'echo', 'intact']), 'intact');
  // committed layer snapshots: busybox's one only (nothing half-registered counts as an image)
  assert.equal(Object.values(snapMeta(d).snapshots).filter((s) => s.kind === 'committed').length, 1);
}

before(() => {
  if (!skip) makeInputs(tmp);
});
after(async () => {
  for (const d of live) await d.stop({ assert: false }).catch(() => {});
  rmSync(tmp, { recursive: true, force: true });
});

test('kill -9 while a large layer is extracted (load and import), then the retry succeeds', {
  skip: skip ?? false,
  timeout: 240_000,
}, async () => {
  const d1 = await startDaemon();
  // load: layers are extracted while they stream into the content store
  await killDuring(d1, ['load', '-i', archive], () => extracting(d1) > 10e6, 'a layer was being extracted');
  const d2 = await startDaemon({ root: d1.root, busybox: false });
  live.push(d2);
  await assertOnlyBusybox(d2, 'crash/ex:1');
  await assertClean(d2);
  assert.match(await ok(d2, ['load', '-i', archive]), /Loaded image: crash\/ex:1/);
  // whole: the container made from it holds both files at full size (the image has no shell)
  const cid = await ok(d2, ['create', 'crash/ex:1']);
  const list = execFileSync('sh', ['-c', `docker export ${cid} | tar -tv`], {
    env: { ...process.env, ...d2.env },
    encoding: 'utf8',
  });
  for (let i = 0; i < LAYERS; i++) assert.match(list, new RegExp(` ${LAYER_MB * 1e6} .* (\\./)?data${i}$`, 'm'));
  await ok(d2, ['rm', cid]);
  await ok(d2, ['rmi', 'crash/ex:1']);

  // import: the blob is stored first, then extracted from the store (the classic apply)
  const blobs = join(d2.dataRoot, 'content', 'blobs', 'sha256');
  const stored = () =>
    existsSync(blobs) &&
    readdirSync(blobs).some((h) => {
      try {
        return statSync(join(blobs, h)).size > LAYER_MB * 1e6;
      } catch {
        return false;
      }
    });
  await killDuring(
    d2,
    ['import', rootfsTar, 'crash/imp:1'],
    () => stored() && extracting(d2) > 10e6,
    'the imported layer was being extracted',
  );
  live.splice(live.indexOf(d2), 1);
  const d3 = await startDaemon({ root: d2.root, busybox: false });
  live.push(d3);
  await assertOnlyBusybox(d3, 'crash/imp:1');
  await assertClean(d3);
  await ok(d3, ['import', rootfsTar, 'crash/imp:1']);
  assert.equal(await ok(d3, ['image', 'inspect', '--format', '{{len .RootFS.Layers}}', 'crash/imp:1']), '1');
  await ok(d3, ['rmi', 'crash/imp:1']);
  await assertClean(d3);
  live.splice(live.indexOf(d3), 1);
  assert.deepEqual((await d3.stop()).leaks, []);
});

test('kill -9 during docker commit of a big upper dir, then the retry succeeds', {
  skip: skip ?? false,
  timeout: 240_000,
}, async () => {
  const d1 = await startDaemon();
  const MB = 120;
  await ok(d1, [
    'run',
    '-d',
    '--name',
    'big',
    'busybox',
    'sh',
    '-c',
    `head -c ${MB * 1000000} /dev/urandom > /big.tmp && mv /big.tmp /big && sleep 600`,
  ]);
  for (let i = 0; i < 600; i++) {
    if ((await d1.docker(['exec', 'big', 'test', '-f', '/big'])).code === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const ingest = join(d1.dataRoot, 'content', 'ingest');
  const busy = () =>
    extracting(d1) > 10e6 ||
    (existsSync(ingest) &&
      readdirSync(ingest).some((f) => {
        try {
          return statSync(join(ingest, f)).size > 10e6;
        } catch {
          return false;
        }
      }));
  await killDuring(d1, ['commit', '-m', 'crash', 'big', 'crash/commit:1'], busy, 'the layer was being stored');
  const d2 = await startDaemon({ root: d1.root, busybox: false });
  live.push(d2);
  await assertOnlyBusybox(d2, 'crash/commit:1');
  await assertClean(d2);
  // the container survived the daemon (conmon) and can be committed again
  assert.match(await ok(d2, ['inspect', '--format', '{{.State.Status}}', 'big']), /^(running|paused)$/);
  const id = await ok(d2, ['commit', '-m', 'retry', 'big', 'crash/commit:1']);
  assert.match(id, /^sha256:[a-f0-9]{64}$/);
  assert.equal(await ok(d2, ['run', '--rm', 'crash/commit:1', 'wc', '-c', '/big']), `${MB * 1000000} /big`);
  assert.equal(await ok(d2, ['image', 'inspect', '--format', '{{.Comment}}', 'crash/commit:1']), 'retry');
  await ok(d2, ['rm', '-f', 'big']);
  await ok(d2, ['rmi', 'crash/commit:1']);
  await assertClean(d2);
  live.splice(live.indexOf(d2), 1);
  assert.deepEqual((await d2.stop()).leaks, []);
});
