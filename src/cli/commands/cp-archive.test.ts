import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import tar from 'tar-stream';
import { copyTarget, extractInto, rebaseName, splitDirEntry, tarLocal } from './cp-archive.js';
import { testDir } from '../../util/test-dirs.js';

const dir = await testDir('berth-cp-');

test('copyTarget follows moby PrepareArchiveCopy: into a dir, renamed, or refused', () => {
  const file = { path: '/s/f', exists: true, isDir: false };
  const folder = { path: '/s/d', exists: true, isDir: true };
  assert.deepEqual(copyTarget(file, { path: '/t', exists: true, isDir: true }), { dir: '/t' });
  assert.deepEqual(copyTarget(file, { path: '/t/new', exists: false, isDir: false }), { dir: '/t', rename: 'new' });
  assert.deepEqual(copyTarget(folder, { path: '/t/new', exists: false, isDir: false }), { dir: '/t', rename: 'new' });
  assert.throws(() => copyTarget(folder, { path: '/t/f', exists: true, isDir: false }), /cannot copy directory/);
  assert.throws(() => copyTarget(file, { path: '/t/nodir/', exists: false, isDir: false }), /no such directory/);
  assert.deepEqual(splitDirEntry('/a/b/.'), { dir: '/a/b', base: '.' });
  assert.deepEqual(splitDirEntry('/a/b/'), { dir: '/a', base: 'b' });
});

test('rebaseName swaps only the first element', () => {
  assert.equal(rebaseName('d/x/y', 'd', 'e'), 'e/x/y');
  assert.equal(rebaseName('d', 'd', 'e'), 'e');
  assert.equal(rebaseName('dd/x', 'd', 'e'), 'dd/x');
  assert.equal(rebaseName('./f', '.', 'c'), 'c/f');
  assert.equal(rebaseName('./', '.', 'c'), 'c');
  assert.equal(rebaseName('d/x', 'd', undefined), 'd/x');
});

test('tarLocal then extractInto round-trips a tree under a new name, links kept', async () => {
  const src = join(dir, 'src');
  mkdirSync(join(src, 'sub'), { recursive: true });
  writeFileSync(join(src, 'sub', 'f'), 'data');
  symlinkSync('sub/f', join(src, 'l'));
  const out = join(dir, 'out');
  mkdirSync(out);
  await extractInto(await tarLocal(src, 'copy', false), out, 'copy', 'renamed');
  assert.equal(readFileSync(join(out, 'renamed', 'sub', 'f'), 'utf8'), 'data');
  assert.equal(readlinkSync(join(out, 'renamed', 'l')), 'sub/f');
});

test('extractInto keeps every entry inside the target: .., absolute names and symlinked parents', async () => {
  const out = join(dir, 'jail');
  const outside = join(dir, 'outside');
  mkdirSync(out);
  mkdirSync(outside);
  const pack = tar.pack();
  pack.entry({ name: '../escape', type: 'file' }, 'x');
  pack.entry({ name: 'esc', type: 'symlink', linkname: outside });
  pack.entry({ name: 'esc/through', type: 'file' }, 'x');
  pack.entry({ name: 'ok', type: 'file' }, 'fine');
  pack.finalize();
  await extractInto(Readable.from(pack as unknown as AsyncIterable<Buffer>), out, 'x', undefined);
  assert.equal(existsSync(join(dir, 'escape')), false);
  assert.equal(existsSync(join(outside, 'through')), false);
  assert.equal(readFileSync(join(out, 'ok'), 'utf8'), 'fine');
});
