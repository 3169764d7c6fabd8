import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tarHeader, writeLayerTar } from './layer-tar.js';
import { testDir } from '../../util/test-dirs.js';

const tmp = await testDir('berth-ltar-');

test('a layer tar GNU tar reads back: sorted entries, modes, mtimes, symlinks, hard links, long names, sizes', () => {
  const up = join(tmp, 'up');
  const deep = 'd'.repeat(60) + '/' + 'e'.repeat(60); // > 100 bytes with its file: ustar prefix split
  mkdirSync(join(up, 'app', deep), { recursive: true });
  writeFileSync(join(up, 'app/b.txt'), 'bee');
  writeFileSync(join(up, 'app/a.bin'), Buffer.alloc(3 << 20, 7)); // bigger than one read
  writeFileSync(join(up, 'app', deep, 'f'.repeat(30)), 'deep');
  writeFileSync(join(up, 'n'.repeat(180)), 'no slash to split at'); // PAX path
  linkSync(join(up, 'app/b.txt'), join(up, 'app/hard'));
  symlinkSync('/etc/' + 'l'.repeat(150), join(up, 'app/lnk')); // PAX linkpath
  utimesSync(join(up, 'app/b.txt'), 1_000_000_000, 1_000_000_000);
  const out = join(tmp, 'layer.tar');
  const r = writeLayerTar(up, out, new Set([join(up, 'app')]));
  const bytes = readFileSync(out);
  assert.equal(r.digest, 'sha256:' + createHash('sha256').update(bytes).digest('hex'));
  assert.equal(r.tarSize, bytes.length);
  assert.equal(r.size, 3 + (3 << 20) + 4 + 20); // regular files, each hard-linked inode once
  const names = execFileSync('tar', ['-tf', out], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(names, [
    'app/',
    'app/.wh..wh..opq',
    'app/a.bin',
    'app/b.txt',
    'app/' + 'd'.repeat(60) + '/',
    'app/' + deep + '/',
    'app/' + deep + '/' + 'f'.repeat(30),
    'app/hard',
    'app/lnk',
    'n'.repeat(180),
  ]);
  const x = join(tmp, 'x');
  mkdirSync(x);
  execFileSync('tar', ['-xf', out, '-C', x]);
  assert.equal(readFileSync(join(x, 'app', deep, 'f'.repeat(30)), 'utf8'), 'deep');
  assert.deepEqual(readFileSync(join(x, 'app/a.bin')), Buffer.alloc(3 << 20, 7));
  const v = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvf', out], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
  });
  assert.match(v, /-rw-r--r-- \d+\/\d+ +3 2001-09-09 01:46:40 app\/b\.txt/);
  assert.match(v, /hrw-r--r-- .* app\/hard link to app\/b\.txt/);
  assert.match(v, new RegExp(`app/lnk -> /etc/${'l'.repeat(150)}`));
});

test('overlay whiteouts (0/0 char devices) become .wh. files', {
  skip: process.getuid?.() !== 0 && 'mknod needs root',
}, () => {
  const up = join(tmp, 'wh');
  mkdirSync(join(up, 'etc'), { recursive: true });
  execFileSync('mknod', [join(up, 'etc/gone'), 'c', '0', '0']);
  const out = join(tmp, 'wh.tar');
  writeLayerTar(up, out, new Set());
  assert.deepEqual(execFileSync('tar', ['-tf', out], { encoding: 'utf8' }).trim().split('\n'), [
    'etc/',
    'etc/.wh.gone',
  ]);
});

test('ustar header fields and checksum; PAX for values that do not fit', () => {
  const h = tarHeader({ name: 'a/b', type: 'file', mode: 0o4755, uid: 1000, gid: 1000, size: 5, mtime: 1700000000 });
  assert.equal(h.length, 512);
  assert.equal(h.toString('latin1', 257, 263), 'ustar\0');
  assert.equal(h.toString('latin1', 100, 107), '0004755');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  assert.equal(parseInt(h.toString('latin1', 148, 154), 8), sum);
  const big = tarHeader({ name: 'f', type: 'file', mode: 0o644, uid: 3_000_000, gid: 0, size: 0, mtime: 0 });
  assert.equal(big.length, 512 * 3); // PAX header + records + the entry
  assert.equal(big[156], 'x'.charCodeAt(0));
  assert.match(big.toString('latin1', 512, 1024), /^\d+ uid=3000000\n/);
});
