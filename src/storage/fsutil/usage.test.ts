import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { contentUsage, diskUsage } from './usage.js';

describe('contentUsage', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-usage-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const tree = async (name: string) => {
    const d = join(dir, name);
    await mkdir(d, { recursive: true });
    return d;
  };

  it('counts a 3-byte file as 3 bytes, not a block; directories count nothing', async () => {
    const d = await tree('three');
    await mkdir(join(d, 'a/b/c'), { recursive: true });
    await writeFile(join(d, 'a/b/c/f'), 'abc');
    const u = await contentUsage(d);
    assert.equal(u.size, 3);
    assert.equal(u.inodes, 5); // root, a, b, c, f
    assert.ok((await diskUsage(d)).size > 3, 'diskUsage counts allocated blocks');
  });

  it('counts a hard-linked file once', async () => {
    const d = await tree('links');
    await writeFile(join(d, 'one'), 'hello');
    await mkdir(join(d, 'sub'));
    await link(join(d, 'one'), join(d, 'sub/two'));
    await link(join(d, 'one'), join(d, 'three'));
    assert.equal((await contentUsage(d)).size, 5);
  });

  it('counts a symlink as the length of its target, as st_size does', async () => {
    const d = await tree('symlink');
    await symlink('/proc/mounts', join(d, 'mtab'));
    assert.equal((await contentUsage(d)).size, '/proc/mounts'.length);
  });

  it('does not count overlay whiteouts (0/0 character devices) nor empty files', async (t) => {
    const d = await tree('whiteouts');
    await writeFile(join(d, 'kept'), 'xy');
    await writeFile(join(d, '.wh.gone'), '');
    try {
      execFileSync('mknod', [join(d, 'removed'), 'c', '0', '0'], { stdio: 'ignore' });
    } catch {
      t.diagnostic('mknod needs root: only the .wh. file form was checked');
    }
    assert.equal((await contentUsage(d)).size, 2);
  });

  it('leaves out skipped paths and what is below them', async () => {
    const d = await tree('skip');
    await mkdir(join(d, 'etc/deep'), { recursive: true });
    await writeFile(join(d, 'etc/hosts'), '127.0.0.1 localhost\n');
    await writeFile(join(d, 'etc/deep/x'), '12345');
    await writeFile(join(d, 'f'), 'abc');
    assert.equal((await contentUsage(d, { skip: new Set(['etc/hosts']) })).size, 8);
    assert.equal((await contentUsage(d, { skip: new Set(['etc']) })).size, 3);
  });

  it('gives 0 for a missing directory and the file size for a file', async () => {
    assert.deepEqual(await contentUsage(join(dir, 'nope')), { size: 0, inodes: 0 });
    const d = await tree('file');
    await writeFile(join(d, 'f'), 'abcd');
    assert.equal((await contentUsage(join(d, 'f'))).size, 4);
  });

  it('sums a directory wider than one lstat batch', async () => {
    const d = await tree('wide');
    await Promise.all(Array.from({ length: 150 }, (_, i) => writeFile(join(d, `f${i}`), 'x'.repeat(i % 7))));
    let want = 0;
    for (let i = 0; i < 150; i++) want += i % 7;
    assert.equal((await contentUsage(d)).size, want);
  });
});
