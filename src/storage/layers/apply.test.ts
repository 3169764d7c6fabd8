import { it, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readFile, readdir, readlink, rm, mkdir, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { applyLayer } from './apply.js';
import { diffLayer } from './diff.js';
import { extract } from 'tar-stream';
import { entriesOf, makeTar, type TestEntry } from './testtar.js';

const asRoot = process.getuid?.() === 0;
let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'berth-layer-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});
let n = 0;
const fresh = async () => {
  const d = join(tmp, `t${n++}`, 'root');
  await mkdir(d, { recursive: true });
  return d;
};
const apply = async (dir: string, buf: Buffer) => applyLayer(dir, Readable.from([buf]));
/** A fresh directory with each layer's entries applied in order. */
const layered = async (...layers: TestEntry[][]) => {
  const dir = await fresh();
  for (const entries of layers) await apply(dir, await makeTar(entries));
  return dir;
};

describe('applyLayer', () => {
  it('extracts files, dirs, symlinks, hardlinks with modes, owners and mtimes; diffId is sha256 of the tar', async () => {
    const dir = await fresh();
    const tar = await makeTar([
      { name: 'bin/', type: 'directory', mode: 0o755, mtime: new Date(1_500_000_000_000) },
      { name: 'bin/busybox', body: '#!bb', mode: 0o4755, uid: 1000, gid: 1001 },
      { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
      { name: 'bin/ls', type: 'link', linkname: 'bin/busybox' },
      { name: 'tmp/', type: 'directory', mode: 0o1777 },
    ]);
    const r = await apply(dir, tar);
    assert.equal(r.diffId, 'sha256:' + createHash('sha256').update(tar).digest('hex'));
    assert.equal(r.size, 4);
    const st = await lstat(join(dir, 'bin/busybox'));
    assert.equal(await readFile(join(dir, 'bin/busybox'), 'utf8'), '#!bb');
    assert.equal(st.mode & 0o7777, 0o4755);
    if (asRoot) assert.deepEqual([st.uid, st.gid], [1000, 1001]);
    assert.equal(st.mtime.getTime(), 1_000_000_000_000);
    assert.equal(st.nlink, 2);
    assert.equal(await readlink(join(dir, 'bin/sh')), 'busybox');
    assert.equal((await lstat(join(dir, 'tmp'))).mode & 0o7777, 0o1777);
    assert.equal((await lstat(join(dir, 'bin'))).mtime.getTime(), 1_500_000_000_000);
  });

  it('accepts gzip and hashes the uncompressed stream', async () => {
    const dir = await fresh();
    const tar = await makeTar([{ name: 'a', body: 'x' }]);
    const r = await apply(dir, gzipSync(tar));
    assert.equal(r.diffId, 'sha256:' + createHash('sha256').update(tar).digest('hex'));
    assert.equal(await readFile(join(dir, 'a'), 'utf8'), 'x');
  });

  it('applies .wh. deletions and opaque markers (keeping entries of the same layer)', async () => {
    const dir = await layered(
      entriesOf('etc/a=1', 'etc/b=2', 'd/old=o', 'keep=k'),
      entriesOf('etc/.wh.a', 'd/', 'd/new=n', 'd/.wh..wh..opq'),
    );
    assert.deepEqual(await readdir(join(dir, 'etc')), ['b']);
    assert.deepEqual(await readdir(join(dir, 'd')), ['new']);
    assert.equal(await readFile(join(dir, 'keep'), 'utf8'), 'k');
  });

  it('replaces a file by a directory and vice versa', async () => {
    const dir = await layered(entriesOf('x=f', 'y/', 'y/z=z'), entriesOf('x/', 'y=now a file'));
    assert.ok((await lstat(join(dir, 'x'))).isDirectory());
    assert.equal(await readFile(join(dir, 'y'), 'utf8'), 'now a file');
  });
});

describe('applyLayer: confinement and special files', () => {
  it('rejects entries that climb out with ..', async () => {
    const dir = await fresh();
    await assert.rejects(apply(dir, await makeTar([{ name: '../evil', body: 'x' }])), /outside of the target/);
    await assert.rejects(apply(dir, await makeTar([{ name: 'a/../../evil', body: 'x' }])), /outside of the target/);
    await assert.rejects(access(join(dir, '..', 'evil')));
  });

  it('confines absolute names to the target', async () => {
    const dir = await layered([
      { name: '/abs', body: 'x' },
      { name: '/../../up', body: 'y' },
    ]);
    assert.equal(await readFile(join(dir, 'abs'), 'utf8'), 'x');
    assert.equal(await readFile(join(dir, 'up'), 'utf8'), 'y');
  });

  it('confines writes through symlinks (absolute and relative) to the target', async () => {
    const dir = await fresh();
    const outside = join(dir, '..', 'outside');
    await mkdir(outside);
    await apply(
      dir,
      await makeTar([
        { name: 'abs', type: 'symlink', linkname: outside },
        { name: 'rel', type: 'symlink', linkname: '../../../../..' + outside },
        { name: 'abs/p1', body: '1' },
        { name: 'rel/p2', body: '2' },
        { name: 'hl', type: 'link', linkname: 'abs/p1' },
      ]),
    );
    assert.deepEqual(await readdir(outside), []);
    assert.equal(await readFile(join(dir, outside, 'p1'), 'utf8'), '1');
    assert.equal(await readFile(join(dir, outside, 'p2'), 'utf8'), '2');
    assert.equal(await readFile(join(dir, 'hl'), 'utf8'), '1');
    // a symlink as the final component is replaced, never followed
    await apply(dir, await makeTar([{ name: 'abs', body: 'plain' }]));
    assert.equal(await readFile(join(dir, 'abs'), 'utf8'), 'plain');
  });

  it('creates devices and fifos', { skip: asRoot ? false : 'mknod needs root' }, async () => {
    const dir = await layered([
      { name: 'null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'p', type: 'fifo' },
    ]);
    const st = await lstat(join(dir, 'null'));
    assert.ok(st.isCharacterDevice());
    assert.equal(st.rdev, (1 << 8) | 3);
    assert.ok((await lstat(join(dir, 'p'))).isFIFO());
  });
});

describe('diffLayer', () => {
  it('tars a directory converting 0/0 char devices to .wh. entries and keeping hardlinks', async () => {
    const dir = await fresh();
    await mkdir(join(dir, 'etc'));
    await writeFile(join(dir, 'etc/f'), 'data');
    await apply(dir, await makeTar([{ name: 'etc/h', type: 'link', linkname: 'etc/f' }]));
    if (asRoot) await apply(dir, await makeTar([{ name: 'gone', type: 'character-device', devmajor: 0, devminor: 0 }]));
    const ex = extract();
    const seen: string[] = [];
    const feed = (async () => {
      for await (const c of diffLayer(dir)) ex.write(c as Buffer);
      ex.end(undefined as never);
    })();
    for await (const e of ex) {
      seen.push(`${e.header.type}:${e.header.name}${e.header.linkname ? '->' + e.header.linkname : ''}`);
      e.resume();
    }
    await feed;
    const want = ['directory:etc/', 'file:etc/f', 'link:etc/h->etc/f'];
    if (asRoot) want.push('file:.wh.gone');
    assert.deepEqual(seen.sort(), want.sort());
  });
});
