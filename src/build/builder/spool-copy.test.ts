import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { receiveContext } from './context.js';
import { FsWorker } from './fs-pool.js';
import { copyFromSpool } from './spool-copy.js';

const tmp = mkdtempSync(join(tmpdir(), 'berth-spool-'));
const worker = new FsWorker();
after(async () => {
  await worker.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function context(name: string) {
  const src = join(tmp, name + '-src');
  mkdirSync(join(src, 'dir/sub'), { recursive: true });
  writeFileSync(join(src, 'dir/a.txt'), 'aaa');
  writeFileSync(join(src, 'dir/sub/run.sh'), '#!/bin/sh\n');
  chmodSync(join(src, 'dir/sub/run.sh'), 0o775); // not subject to the umask
  writeFileSync(join(src, 'big'), Buffer.alloc(3 << 20, 1));
  symlinkSync('a.txt', join(src, 'dir/link'));
  utimesSync(join(src, 'dir/a.txt'), 1_000_000_000, 1_000_000_000);
  utimesSync(join(src, 'dir/sub'), 1_100_000_000, 1_100_000_000);
  const tar = execFileSync('tar', ['-c', '-C', src, '.'], { maxBuffer: 64 << 20 });
  return receiveContext(Readable.from([tar]), join(tmp, name + '-ctx'), 'Dockerfile');
}

test("a directory's contents from the spool: data, modes, mtimes (dirs too), symlinks", async () => {
  const ctx = await context('c1');
  const to = join(tmp, 'root1');
  mkdirSync(to);
  copyFromSpool(await ctx.copyPlan('dir', to, { owner: { uid: 0, gid: 0 } }));
  assert.equal(readFileSync(join(to, 'a.txt'), 'utf8'), 'aaa');
  assert.equal(statSync(join(to, 'sub/run.sh')).mode & 0o7777, 0o775);
  assert.equal(statSync(join(to, 'a.txt')).mtimeMs, 1_000_000_000_000);
  assert.equal(statSync(join(to, 'sub')).mtimeMs, 1_100_000_000_000); // set after its contents
  assert.equal(readlinkSync(join(to, 'link')), 'a.txt');
  assert.equal(existsIn(to), 'a.txt link sub');
});

test('the whole context (rel ""), --chmod, and a single big file', async () => {
  const ctx = await context('c2');
  const to = join(tmp, 'root2');
  mkdirSync(to);
  copyFromSpool(await ctx.copyPlan('', to, { owner: { uid: 0, gid: 0 }, mode: 0o640 }));
  assert.equal(statSync(join(to, 'dir/sub/run.sh')).mode & 0o7777, 0o640);
  assert.equal(statSync(join(to, 'dir')).mode & 0o7777, 0o640);
  copyFromSpool(await ctx.copyPlan('big', join(tmp, 'big.copy'), { owner: { uid: 0, gid: 0 } }));
  assert.deepEqual(readFileSync(join(tmp, 'big.copy')), Buffer.alloc(3 << 20, 1));
});

test('what is in the way is replaced, never written through (a symlink to outside, a file where a dir goes)', async () => {
  const ctx = await context('c3');
  const outside = join(tmp, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'a.txt'), 'keep me');
  const to = join(tmp, 'root3');
  mkdirSync(to);
  symlinkSync(join(outside, 'a.txt'), join(to, 'a.txt')); // file name → symlink to outside
  symlinkSync(outside, join(to, 'sub')); // directory name → symlink to outside
  copyFromSpool(await ctx.copyPlan('dir', to, { owner: { uid: 0, gid: 0 } }));
  assert.equal(readFileSync(join(outside, 'a.txt'), 'utf8'), 'keep me');
  assert.ok(!lstatSync(join(to, 'a.txt')).isSymbolicLink());
  assert.ok(lstatSync(join(to, 'sub')).isDirectory());
  assert.equal(readFileSync(join(to, 'sub/run.sh'), 'utf8'), '#!/bin/sh\n');
  // and a file in place of a directory
  const to2 = join(tmp, 'root3b');
  mkdirSync(to2);
  writeFileSync(join(to2, 'sub'), 'a file');
  copyFromSpool(await ctx.copyPlan('dir', to2, { owner: { uid: 0, gid: 0 } }));
  assert.ok(statSync(join(to2, 'sub')).isDirectory());
});

test('--chown owners every entry', { skip: process.getuid?.() !== 0 && 'chown needs root' }, async () => {
  const ctx = await context('c4');
  const to = join(tmp, 'root4');
  mkdirSync(to);
  copyFromSpool(await ctx.copyPlan('dir', to, { owner: { uid: 1234, gid: 4321 } }));
  for (const p of ['a.txt', 'sub', 'sub/run.sh', 'link']) {
    const s = lstatSync(join(to, p));
    assert.deepEqual([p, s.uid, s.gid], [p, 1234, 4321]);
  }
});

test('the fs worker runs jobs and reports errors with their code', async () => {
  const ctx = await context('c5');
  const to = join(tmp, 'root5');
  mkdirSync(to);
  await worker.copyFromSpool(await ctx.copyPlan('dir', to, { owner: { uid: 0, gid: 0 } }));
  assert.equal(readFileSync(join(to, 'a.txt'), 'utf8'), 'aaa');
  await assert.rejects(
    worker.copyFromSpool(await ctx.copyPlan('dir', join(tmp, 'missing/x'), { owner: { uid: 0, gid: 0 } })),
    { code: 'ENOENT' },
  );
  const r = await worker.layerTar(to, join(tmp, 'l.tar'), []);
  assert.match(r.digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(r.size, 3 + 10);
});

function existsIn(d: string): string {
  return execFileSync('ls', [d], { encoding: 'utf8' }).trim().split('\n').join(' ');
}
