import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { extractTar } from './extract.js';
import { extractInto } from './archive.js';
import { makeTar, type TestEntry } from './testtar.js';
import { testDir } from '../../util/test-dirs.js';

async function into(entries: TestEntry[], fn: (dir: string, tar: Buffer) => Promise<void>): Promise<void> {
  const dir = await testDir('berth-extract-');
  await fn(dir, await makeTar(entries));
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
      message:
        'Error processing tar file(exit status 1): cannot overwrite directory "/tmp/t/f" with non-directory "/tmp/t"',
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
      message:
        'Error processing tar file(exit status 1): cannot overwrite non-directory "/tmp/d" with directory "/tmp"',
    });
  });
});

test('a symlink planted where a file is written is not followed', async () => {
  await into([{ name: 'a', body: 'data' }], async (dir, tar) => {
    const outside = await testDir('berth-outside-');
    await mkdir(join(dir, 'in'));
    await symlink(join(outside, 'victim'), join(dir, 'in/a'));
    await extractTar(join(dir, 'in'), Readable.from([tar]), { whiteouts: false });
    assert.equal((await lstat(join(dir, 'in/a'))).isFile(), true);
    await assert.rejects(lstat(join(outside, 'victim')), { code: 'ENOENT' });
  });
});

test('a directory swapped for a symlink during extraction never lets writes out', async () => {
  const files: TestEntry[] = [
    { name: 's', type: 'directory' },
    ...Array.from({ length: 400 }, (_, i) => ({ name: `s/f${i}`, body: 'x'.repeat(2000) })),
  ];
  await into(files, async (dir, tar) => {
    const outside = await mkdtemp(join(tmpdir(), 'berth-outside-'));
    // the "container": a separate process replacing s with a symlink to outside and back, tightly
    const { spawn } = await import('node:child_process');
    const py = `import os,sys\nd,o=sys.argv[1],sys.argv[2]\nwhile True:\n  try:\n    os.rename(d+'/s',d+'/s.real'); os.symlink(o,d+'/s'); os.unlink(d+'/s'); os.rename(d+'/s.real',d+'/s')\n  except OSError: pass`;
    const sw = spawn('python3', ['-c', py, dir, outside], { stdio: 'ignore' });
    const swapper = new Promise((r) => sw.on('close', r));
    await new Promise((r) => setTimeout(r, 50));
    try {
      await extractTar(dir, Readable.from([tar]), { whiteouts: false }).catch(() => {}); // may fail: never escapes
    } finally {
      sw.kill();
      await swapper;
    }
    const { readdir } = await import('node:fs/promises');
    assert.deepEqual(await readdir(outside), []);
    await rm(outside, { recursive: true, force: true });
  });
});

test("whiteouts: 'overlay' writes 0/0 char devices into a standalone layer; opaque dirs and links below need the parent", {
  skip: process.getuid?.() === 0 ? false : 'mknod needs root',
}, async () => {
  const { NeedsParent } = await import('./extract.js');
  await into(
    [
      { name: 'd', type: 'directory' },
      { name: 'd/.wh.gone', body: '' },
      { name: '.wh.top', body: '' },
      { name: 'd/kept', body: 'k' },
      { name: 'd/.wh.kept2', body: '' },
      { name: 'd/kept2', body: 'again' }, // re-created after its whiteout: the file wins
    ],
    async (dir, tar) => {
      const r = await extractTar(dir, Readable.from([tar]), { whiteouts: 'overlay' });
      assert.equal(r.whiteouts, 3);
      for (const p of ['d/gone', 'top']) {
        const st = await lstat(join(dir, p));
        assert.equal(st.isCharacterDevice(), true, p);
        assert.equal(st.rdev, 0);
      }
      assert.equal(await readFile(join(dir, 'd/kept2'), 'utf8'), 'again');
      assert.equal(await readFile(join(dir, 'd/kept'), 'utf8'), 'k');
    },
  );
  await into([{ name: 'd/.wh..wh..opq', body: '' }], async (dir, tar) => {
    await assert.rejects(extractTar(dir, Readable.from([tar]), { whiteouts: 'overlay' }), NeedsParent);
  });
  await into([{ name: 'h', type: 'link', linkname: 'bin/below' }], async (dir, tar) => {
    await assert.rejects(extractTar(dir, Readable.from([tar]), { whiteouts: 'overlay' }), NeedsParent);
  });
});
