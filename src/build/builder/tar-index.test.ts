import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { packEntries, rawHeader, sealHeader } from '../../storage/layers/tar-arbitraries.js';
import { TarIndex } from './tar-index.js';

/** The tar fed in pieces of `n` bytes (headers and PAX records cut anywhere). */
function index(tar: Buffer, n: number): TarIndex {
  const ix = new TarIndex();
  for (let i = 0; i < tar.length; i += n) ix.push(tar.subarray(i, i + n), i);
  return ix;
}

test('PAX paths, GNU long names, links and content offsets, whatever the chunking', async () => {
  const long = 'd/' + 'n'.repeat(150);
  const tar = await packEntries([
    { name: long, type: 'file', body: 'long' },
    { name: 'gnu/' + 'g'.repeat(120), type: 'gnu-long', body: 'gnu' },
    { name: 'p', type: 'file', body: 'pax', pax: { path: 'renamed' } },
    { name: 'h', type: 'link', linkname: long },
    { name: 's', type: 'symlink', linkname: '../outside' },
  ]);
  for (const n of [1, 7, 512, 100_000]) {
    const ix = index(tar, n);
    ix.end();
    const f = ix.files.get(long)!;
    assert.equal(tar.toString('utf8', f.offset, f.offset + f.size), 'long', `chunks of ${n}`);
    assert.equal(ix.files.get('renamed')?.size, 3);
    assert.ok([...ix.files.keys()].some((k) => k.startsWith('gnu/g')));
    assert.equal(ix.files.get('h')?.type, 'file', 'a hard link to a file is indexed as a copy of it');
    assert.equal(ix.files.get('s')?.linkname, '../outside');
  }
});

test('every regular file is hashed as it passes (empty ones too); a hard link to a file shares its sum', async () => {
  const tar = await packEntries([
    { name: 'a', type: 'file', body: 'x'.repeat(1000) },
    { name: 'empty', type: 'file', body: '' },
    { name: 'h', type: 'link', linkname: 'a' },
  ]);
  const ix = index(tar, 100);
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  assert.equal(ix.files.get('a')?.sum, sha('x'.repeat(1000)));
  assert.equal(ix.files.get('empty')?.sum, sha(''));
  assert.equal(ix.files.get('h')?.sum, sha('x'.repeat(1000)));
});

test('the end of the stream: clean after the end blocks, after a file with no padding; cut elsewhere', async () => {
  const tar = await packEntries([{ name: 'f', type: 'file', body: 'abc' }]);
  const at = (len: number) => () => index(tar.subarray(0, len), 512).end();
  assert.doesNotThrow(at(tar.length));
  assert.doesNotThrow(at(512 + 3), 'Go reads a tar that ends right after its last file');
  assert.doesNotThrow(at(1024), 'or after its padding');
  assert.throws(at(512 + 2), /unexpected EOF/);
  assert.throws(at(512 + 10), /unexpected EOF/, 'a cut inside the padding');
  assert.throws(at(300), /unexpected EOF/, 'a cut inside a header');
});

test('parent directories without entries get one, never replacing a real entry', async () => {
  const tar = await packEntries([
    { name: 'x/y/z/f', type: 'file', body: '1' },
    { name: 'x', type: 'directory', mode: 0o700 },
  ]);
  const ix = index(tar, 512);
  ix.addMissingParents(42);
  assert.equal(ix.files.get('x')?.mode, 0o700);
  assert.equal(ix.files.get('x/y')?.type, 'dir');
  assert.equal(ix.files.get('x/y/z')?.mtime, 42);
});

test('old GNU headers: the bytes where ustar keeps a name prefix are times, not a path (as Go reads them)', () => {
  const h = rawHeader('plain.txt', '0', 3);
  h.write('ustar  \0', 257); // GNU magic and version
  h.write('14712345670\0', 345); // atime
  sealHeader(h);
  const ix = index(Buffer.concat([h, Buffer.from('abc'), Buffer.alloc(509 + 1024)]), 512);
  ix.end();
  assert.deepEqual([...ix.files.keys()], ['plain.txt']);
});
