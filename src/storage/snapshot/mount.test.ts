import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { testDir } from '../../util/test-dirs.js';
import { mountedAt, unmount } from './mount.js';

function line(id: number, mp: string): string {
  return `${id} 1 0:${id} / ${mp} rw,relatime shared:1 - overlay overlay rw`;
}

test('mountedAt: the exact mount point counts, a mount below it or a sibling does not', async () => {
  const d = await realpath(await testDir('berth-mi-'));
  await mkdir(path.join(d, 'rootfs'));
  await mkdir(path.join(d, 'other'));
  const mi = path.join(d, 'mountinfo');
  await writeFile(mi, [line(30, path.join(d, 'rootfs', 'sub')), line(31, `${d}/rootfs-2`)].join('\n'));
  assert.equal(await mountedAt(path.join(d, 'rootfs'), mi), false);
  await writeFile(mi, [line(30, '/'), line(31, path.join(d, 'rootfs'))].join('\n'));
  assert.equal(await mountedAt(path.join(d, 'rootfs'), mi), true);
  assert.equal(await mountedAt(`${path.join(d, 'rootfs')}/`, mi), true);
  assert.equal(await mountedAt(path.join(d, 'other'), mi), false);
});

test('mountedAt: octal escapes and symlinked paths are resolved as the kernel lists them', async () => {
  const d = await realpath(await testDir('berth-mi-'));
  await mkdir(path.join(d, 'a b'));
  await symlink(d, path.join(d, 'link'));
  const mi = path.join(d, 'mountinfo');
  await writeFile(mi, `${line(40, `${d}/a\\040b`)}\n`);
  assert.equal(await mountedAt(path.join(d, 'a b'), mi), true);
  assert.equal(await mountedAt(path.join(d, 'link', 'a b'), mi), true);
});

test('mountedAt: a missing target is not mounted; an unreadable mountinfo says maybe (true)', async () => {
  const d = await realpath(await testDir('berth-mi-'));
  assert.equal(await mountedAt(path.join(d, 'missing'), path.join(d, 'mountinfo')), false);
  assert.equal(await mountedAt(d, path.join(d, 'no-such-mountinfo')), true);
});

test('unmount: a directory with nothing mounted spawns no umount (none on PATH here)', async () => {
  const d = await testDir('berth-um-');
  const saved = process.env.PATH;
  process.env.PATH = path.join(d, 'empty-bin');
  try {
    await unmount(d);
    await unmount(path.join(d, 'missing'));
  } finally {
    process.env.PATH = saved;
  }
});

test('unmount: a real bind mount is unmounted (root only)', { skip: process.getuid?.() !== 0 }, async () => {
  const d = await testDir('berth-um-');
  const src = path.join(d, 'src');
  const tgt = path.join(d, 'tgt');
  await mkdir(src);
  await mkdir(tgt);
  execFileSync('mount', ['--bind', src, tgt]);
  try {
    assert.equal(await mountedAt(tgt), true);
    await unmount(tgt);
    assert.equal(await mountedAt(tgt), false);
  } finally {
    if (await mountedAt(tgt)) execFileSync('umount', ['-l', tgt]);
  }
});
