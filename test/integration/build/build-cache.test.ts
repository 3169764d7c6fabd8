// docker build's RUN --mount=type=cache sharing modes, `docker system df` / `docker builder prune`
// of cache mounts, and crash safety: berthd killed with SIGKILL in the middle of a build (while a
// COPY layer is being written, and while a RUN runs) leaves nothing half-written after a restart.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon } from '../../harness/daemon.js';

const skip = daemonUnavailable() ?? false;
const dir = mkdtempSync(join(tmpdir(), 'berth-buildcache-'));
const live: Daemon[] = [];
/** Daemons to kill -9 mid-test: stopped in after() unless the test killed them (a failed assertion must not leave one running). */
const crashing = new Set<Daemon>();
after(async () => {
  for (const d of crashing) await d.stop({ assert: false }).catch(() => {});
  for (const d of live) assert.deepEqual((await d.stop()).leaks, []);
  rmSync(dir, { recursive: true, force: true });
});

function ctx(name: string, files: Record<string, string | Buffer>): string {
  const c = join(dir, name);
  for (const [p, v] of Object.entries(files)) {
    mkdirSync(join(c, p, '..'), { recursive: true });
    writeFileSync(join(c, p), v);
  }
  return c;
}

const ok = async (d: Daemon, args: string[]) => {
  const r = await d.docker(args, { timeoutMs: 120_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
};

test('cache mount sharing: shared runs together, locked takes turns, private gets its own directory', {
  skip,
  timeout: 120_000,
}, async () => {
  const d = await startDaemon();
  live.push(d);
  // each build appends "start N" and "end N" around a pause to the cache's log
  const c = ctx('sharing', {
    Dockerfile: [
      'FROM busybox',
      'ARG S',
      'ARG N',
      'ARG ID',
      'RUN --mount=type=cache,target=/c,id=${ID},sharing=${S} sh -c "echo start $N >> /c/log; sleep 1; echo end $N >> /c/log"',
    ].join('\n'),
  });
  const pair = (s: string, id: string) =>
    Promise.all(
      ['1', '2'].map((n) =>
        ok(d, ['build', '--no-cache', '--build-arg', `S=${s}`, '--build-arg', `N=${n}`, '--build-arg', `ID=${id}`, c]),
      ),
    );
  const log = async (id: string, s = 'shared') => {
    const r = await d.docker(['build', '--no-cache', '-'], {
      input: `FROM busybox\nRUN --mount=type=cache,target=/c,id=${id},sharing=${s} cat /c/log\n`,
    });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n').filter((l) => /^(start|end) \d$/.test(l));
  };
  await pair('locked', 'lk');
  const locked = await log('lk');
  assert.deepEqual(
    locked.map((l) => l.split(' ')[0]),
    ['start', 'end', 'start', 'end'],
    `locked: ${locked}`,
  );
  await pair('shared', 'sh');
  const shared = await log('sh');
  assert.deepEqual(
    shared.map((l) => l.split(' ')[0]),
    ['start', 'start', 'end', 'end'],
    `shared: ${shared}`,
  );
  await pair('private', 'pv');
  const df = await ok(d, ['system', 'df', '-v', '--format', '{{json .}}']);
  const cache = (
    JSON.parse(df) as { BuildCache: { ID: string; CacheType: string; InUse: string; Description: string }[] }
  ).BuildCache;
  assert.ok(
    cache.every(
      (r) =>
        r.CacheType === 'exec.cachemount' &&
        r.InUse === 'false' &&
        r.Description.startsWith('cached mount /c from exec /bin/sh -c'),
    ),
    df,
  );
  // lk and sh: one directory each; pv: two (both builds ran at once, each in its own)
  assert.equal(cache.length, 4, df);
});

test('docker builder prune removes unused cache mounts (until keeps recent ones); system df counts them', {
  skip,
  timeout: 120_000,
}, async () => {
  const d = await startDaemon();
  live.push(d);
  const r = await d.docker(['build', '-t', 'cm:1', '-'], {
    input:
      'FROM busybox\nRUN --mount=type=cache,target=/c,id=p1 dd if=/dev/zero of=/c/blob bs=1k count=512 2>/dev/null\n',
  });
  assert.equal(r.code, 0, r.stderr);
  const df = await ok(d, ['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Size}}']);
  assert.match(df, /^Build Cache 1 5\d\d\.\d+kB$/m, df);
  const keep = await ok(d, ['builder', 'prune', '-f', '--filter', 'until=1h']);
  assert.match(keep, /Total reclaimed space: 0B/, 'used within the hour: kept');
  const bad = await d.docker(['builder', 'prune', '-f', '--filter', 'until=1d']);
  assert.notEqual(bad.code, 0);
  assert.match(
    bad.stderr,
    /"until" filter expects a duration \(e\.g\., '24h'\): time: unknown unit "d" in duration "1d"/,
  );
  const gone = await ok(d, ['builder', 'prune', '-af']);
  assert.match(gone, /Deleted build cache objects:\n[0-9a-f]{64}\n/);
  assert.match(gone, /Total reclaimed space: 5\d\d\.\d+kB/);
  assert.match(await ok(d, ['system', 'df', '--format', '{{.Type}} {{.TotalCount}}']), /^Build Cache 0$/m);
  assert.deepEqual(readdirSync(join(d.dataRoot, 'build-cache-mounts')), []);
  // the image built with it is untouched, and the next build starts with an empty cache
  assert.equal(
    (await ok(d, ['run', '--rm', 'cm:1', 'sh', '-c', 'test -e /c && echo yes || echo no'])).trim(),
    'no',
    'the mount never reached the image',
  );
  const again = await d.docker(['build', '--no-cache', '-'], {
    input: 'FROM busybox\nRUN --mount=type=cache,target=/c,id=p1 ls /c | wc -l\n',
  });
  assert.match(again.stdout, /^0$/m);
  assert.match(await ok(d, ['system', 'prune', '-f']), /Total reclaimed space/);
});

/** Runs `docker args` and SIGKILLs berthd as soon as `when(outputSoFar)` holds. */
async function killDuring(d: Daemon, args: string[], when: (out: string) => boolean, maxMs: number): Promise<string> {
  const p = spawn('docker', args, {
    env: { ...process.env, ...d.env, DOCKER_BUILDKIT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const done = new Promise<void>((r) => p.on('close', () => r()));
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, maxMs);
    const poll = setInterval(() => when(out) && (clearInterval(poll), clearTimeout(timer), resolve()), 2);
    p.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    p.on('close', () => (clearInterval(poll), clearTimeout(timer), resolve()));
  });
  await d.kill('SIGKILL');
  crashing.delete(d);
  await done;
  return out;
}

/** Nothing of an unfinished build is left: no build snapshot or scratch dir, no ingest file, whole blobs and images. */
async function assertClean(d: Daemon): Promise<void> {
  const ingest = join(d.dataRoot, 'content', 'ingest');
  assert.deepEqual(existsSync(ingest) ? readdirSync(ingest) : [], [], 'stray files in content/ingest');
  const meta = JSON.parse(readFileSync(join(d.dataRoot, 'snapshots', 'metadata.json'), 'utf8')) as {
    snapshots: Record<string, unknown>;
  };
  assert.deepEqual(
    Object.keys(meta.snapshots).filter((k) => k.startsWith('build-')),
    [],
    'build snapshots left',
  );
  // the builder's start-up cleanup runs in the background: give it a moment
  const tmpd = join(d.dataRoot, 'tmp');
  const scratch = () => (existsSync(tmpd) ? readdirSync(tmpd) : []).filter((n) => n.startsWith('build-'));
  for (let i = 0; i < 100 && scratch().length; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(scratch(), [], 'build scratch dirs left');
  const blobs = join(d.dataRoot, 'content', 'blobs', 'sha256');
  for (const hex of readdirSync(blobs)) {
    const h = createHash('sha256');
    for await (const c of createReadStream(join(blobs, hex))) h.update(c as Buffer);
    assert.equal(
      h.digest('hex'),
      hex,
      `blob ${hex} does not match its digest (${statSync(join(blobs, hex)).size} bytes)`,
    );
  }
  // every image that survived is whole: a container can be made from it and exported
  for (const id of (await ok(d, ['images', '-aq', '--no-trunc'])).split('\n').filter(Boolean)) {
    const cid = (await ok(d, ['create', id, 'true'])).trim();
    const tar = await new Promise<number>((res, rej) => {
      const p = spawn('docker', ['export', cid], { env: { ...process.env, ...d.env } });
      let n = 0;
      p.stdout.on('data', (c: Buffer) => (n += c.length));
      p.on('close', (code) => (code === 0 ? res(n) : rej(new Error(`export of ${id} failed`))));
    });
    assert.ok(tar > 0);
    await ok(d, ['rm', cid]);
  }
}

test('kill -9 mid-build (writing a COPY layer; during a RUN): nothing half-written after restart, the rebuild works', {
  skip,
  timeout: 240_000,
}, async () => {
  const big = Buffer.alloc(48 << 20);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
  const c = ctx('crash', { big, Dockerfile: 'FROM busybox\nCOPY big /big\nRUN sleep 30\nCMD ["true"]\n' });
  const d0 = await startDaemon();
  crashing.add(d0);
  const ingest = join(d0.dataRoot, 'content', 'ingest');
  // 1. while the COPY step's layer tar is going into content/ingest
  const writing = () =>
    existsSync(ingest) &&
    readdirSync(ingest).some((f) => {
      try {
        return statSync(join(ingest, f)).size > 1 << 20;
      } catch {
        return false;
      }
    });
  const out1 = await killDuring(d0, ['build', '-t', 'crash:1', c], writing, 60_000);
  assert.doesNotMatch(out1, /Successfully built/, out1);
  const d1 = await startDaemon({ root: d0.root, busybox: false });
  crashing.add(d1);
  await assertClean(d1);
  assert.notEqual((await d1.docker(['image', 'inspect', 'crash:1'])).code, 0);
  // 2. while the RUN step runs (the COPY layer is committed by then)
  const out2 = await killDuring(d1, ['build', '-t', 'crash:1', c], (o) => /Running in/.test(o), 120_000);
  assert.match(out2, /Step 3\/4 : RUN sleep 30/, out2);
  const d2 = await startDaemon({ root: d1.root, busybox: false });
  live.push(d2);
  await assertClean(d2);
  // 3. the rebuild reuses the committed COPY step and completes
  const fixed = join(c, 'Dockerfile');
  writeFileSync(fixed, 'FROM busybox\nCOPY big /big\nRUN true\nCMD ["true"]\n');
  const b = await ok(d2, ['build', '-t', 'crash:1', c]);
  assert.equal((b.match(/Using cache/g) ?? []).length, 1, b);
  assert.equal((await ok(d2, ['run', '--rm', 'crash:1', 'sh', '-c', 'wc -c < /big'])).trim(), String(big.length));
});

test("a RUN layer is the container's own snapshot with --rm (default); --rm=false keeps the container whole", {
  skip,
  timeout: 120_000,
}, async () => {
  const d = live[live.length - 1] ?? (await startDaemon());
  if (!live.includes(d)) live.push(d);
  const df =
    'FROM busybox\nRUN mkdir -p /out && echo hello > /out/f && rm /etc/group && rm -rf /usr && mkdir /usr && echo u > /usr/only\n';
  const a = await d.docker(['build', '--no-cache', '-t', 'runlayer:1', '-'], { input: df });
  assert.equal(a.code, 0, a.stderr);
  // the layer holds the file and the deletion (a whiteout), and nothing of the mount points
  assert.equal(
    (
      await ok(d, [
        'run',
        '--rm',
        'runlayer:1',
        'sh',
        '-c',
        'cat /out/f; test -e /etc/group && echo group || echo no-group',
      ])
    ).trim(),
    'hello\nno-group',
  );
  // the RUN's layer blob, straight from the content store
  const layers = JSON.parse(
    await ok(d, ['image', 'inspect', '-f', '{{json .RootFS.Layers}}', 'runlayer:1']),
  ) as string[];
  const blob = join(d.dataRoot, 'content', 'blobs', 'sha256', layers[layers.length - 1].slice(7));
  const saved = execFileSync('tar', ['-tf', blob], { encoding: 'utf8' });
  assert.match(saved, /^etc\/\.wh\.group$/m, saved);
  assert.match(saved, /^usr\/\.wh\.\.wh\.\.opq$/m, 'a directory made anew hides the lower one: opaque');
  assert.equal((await ok(d, ['run', '--rm', 'runlayer:1', 'ls', '/usr'])).trim(), 'only');
  assert.doesNotMatch(saved, /^etc\/hosts$|^\.dockerenv$/m, saved);
  const before = (await ok(d, ['ps', '-aq'])).trim();
  const b = await d.docker(['build', '--no-cache', '--rm=false', '-t', 'runlayer:2', '-'], { input: df });
  assert.equal(b.code, 0, b.stderr);
  const kept = (await ok(d, ['ps', '-aq', '--no-trunc']))
    .split('\n')
    .filter((x) => x && !before.includes(x.slice(0, 12)));
  assert.equal(kept.length, 1, 'the intermediate container stays');
  const files = await new Promise<string>((res) => {
    const p = spawn('sh', ['-c', `docker export ${kept[0]} | tar -t`], { env: { ...process.env, ...d.env } });
    let o = '';
    p.stdout.on('data', (c: Buffer) => (o += c.toString()));
    p.on('close', () => res(o));
  });
  assert.match(files, /^(\.\/)?out\/f$/m);
  await ok(d, ['rm', kept[0]]);
  assert.equal((await ok(d, ['run', '--rm', 'runlayer:2', 'cat', '/out/f'])).trim(), 'hello');
});

test('a cached rebuild follows the most recent matching chain (after a --no-cache build), as Docker does', {
  skip,
  timeout: 120_000,
}, async () => {
  const d = live[live.length - 1];
  const c = ctx('newest', {
    'f.txt': 'x\n',
    Dockerfile: 'FROM busybox\nCOPY f.txt /f.txt\nRUN cat /f.txt > /g\nCMD ["cat", "/g"]\n',
  });
  const id = async (ref: string) => (await ok(d, ['image', 'inspect', '-f', '{{.Id}}', ref])).trim();
  await ok(d, ['build', '-t', 'newest:1', c]);
  await ok(d, ['build', '--no-cache', '-t', 'newest:2', c]);
  assert.notEqual(await id('newest:1'), await id('newest:2'));
  const out = await ok(d, ['build', '-t', 'newest:3', c]);
  assert.equal((out.match(/Using cache/g) ?? []).length, 3, out);
  assert.equal(await id('newest:3'), await id('newest:2'));
});
