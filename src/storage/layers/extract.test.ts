import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { extractTar } from './extract.js';
import { extractInto } from './archive.js';
import { makeTar, type TestEntry } from './testtar.js';

async function into(entries: TestEntry[], fn: (dir: string, tar: Buffer) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-extract-'));
  try {
    await fn(dir, await makeTar(entries));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('background small-file writes keep tar order: rewrites, hardlinks, replaced dirs', async () => {
  const many: TestEntry[] = Array.from({ length: 40 }, (_, i) => ({ name: `d/f${i}`, body: `v${i}` }));
  await into(
    [
      ...many,
      { name: 'd/f3', body: 'second' }, // same path again: the later entry wins
      { name: 'd/h', type: 'link', linkname: 'd/f5' }, // hardlink to a file that may still be pending
      { name: 'x/y', body: 'in x' },
      { name: 'x', body: 'x is a file now' }, // replaces a directory holding a pending file
    ],
    async (dir, tar) => {
      const r = await extractTar(dir, Readable.from([tar]), { whiteouts: false });
      assert.equal(await readFile(join(dir, 'd/f3'), 'utf8'), 'second');
      assert.equal(await readFile(join(dir, 'd/f39'), 'utf8'), 'v39');
      assert.equal(await readFile(join(dir, 'd/h'), 'utf8'), 'v5');
      assert.equal((await stat(join(dir, 'd/h'))).ino, (await stat(join(dir, 'd/f5'))).ino);
      assert.equal(await readFile(join(dir, 'x'), 'utf8'), 'x is a file now');
      assert.equal(r.size, many.reduce((n, e) => n + (e.body?.length ?? 0), 0) + 6 + 4 + 15);
      assert.equal((await stat(join(dir, 'd/f1'))).mtime.getTime(), 1_000_000_000_000);
    },
  );
});

test('noOverwriteDirNonDir: Docker messages, in container terms; chown overrides the tar ids', async () => {
  await into([{ name: 'f', body: 'file' }], async (dir, tar) => {
    await mkdir(join(dir, 'tmp/t/f'), { recursive: true });
    await assert.rejects(extractInto(dir, '/tmp/t', Readable.from([tar]), 'c', { noOverwriteDirNonDir: true }), {
      message: 'Error processing tar file(exit status 1): cannot overwrite directory "/tmp/t/f" with non-directory "/tmp/t"',
    });
    assert.equal((await lstat(join(dir, 'tmp/t/f'))).isDirectory(), true);
    await extractInto(dir, '/tmp/t', Readable.from([tar]), 'c', { chown: { uid: 4321, gid: 8765 } }); // allowed without the flag
    const st = await lstat(join(dir, 'tmp/t/f'));
    assert.deepEqual([st.isFile(), st.uid, st.gid], [true, 4321, 8765]);
  });
  await into([{ name: 'd', type: 'directory' }], async (dir, tar) => {
    await mkdir(join(dir, 'tmp'));
    await writeFile(join(dir, 'tmp/d'), '');
    await assert.rejects(extractInto(dir, '/tmp', Readable.from([tar]), 'c', { noOverwriteDirNonDir: true }), {
      message: 'Error processing tar file(exit status 1): cannot overwrite non-directory "/tmp/d" with directory "/tmp"',
    });
  });
});

test('a symlink planted where a file is written is not followed', async () => {
  await into([{ name: 'a', body: 'data' }], async (dir, tar) => {
    const outside = await mkdtemp(join(tmpdir(), 'berth-outside-'));
    try {
      await mkdir(join(dir, 'in'));
      await symlink(join(outside, 'victim'), join(dir, 'in/a'));
      await extractTar(join(dir, 'in'), Readable.from([tar]), { whiteouts: false });
      assert.equal((await lstat(join(dir, 'in/a'))).isFile(), true);
      await assert.rejects(lstat(join(outside, 'victim')), { code: 'ENOENT' });
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
