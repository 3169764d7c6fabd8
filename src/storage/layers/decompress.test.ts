import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { detectCompression, maybeGunzip, zstdDecompress } from './decompress.js';

const hasZstd = existsSync('/usr/bin/zstd') ? false : 'zstd is not installed';
const data = Buffer.from(Array.from({ length: 20000 }, (_, i) => `line ${i}\n`).join(''));
const all = async (s: Readable) => {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
};

test('detectCompression reads the gzip and zstd magic numbers', () => {
  assert.equal(detectCompression(gzipSync(data)), 'gzip');
  assert.equal(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0])), 'zstd');
  assert.equal(detectCompression(data), 'none');
  assert.equal(detectCompression(Buffer.alloc(0)), 'none');
});

test('maybeGunzip: gzip, zstd and plain streams come out plain', { skip: hasZstd }, async () => {
  const zst = execFileSync('zstd', ['-c', '-q'], { input: data });
  assert.deepEqual(await all(await maybeGunzip(Readable.from([gzipSync(data)]))), data);
  // zstd split into small chunks, the magic itself across two
  const chunks = [
    zst.subarray(0, 2),
    ...Array.from({ length: Math.ceil((zst.length - 2) / 100) }, (_, i) =>
      zst.subarray(2 + i * 100, 2 + (i + 1) * 100),
    ),
  ];
  assert.deepEqual(await all(await maybeGunzip(Readable.from(chunks))), data);
  assert.deepEqual(await all(await maybeGunzip(Readable.from([data]))), data);
});

test("zstdDecompress fails corrupt or truncated input with zstd's reason", { skip: hasZstd }, async () => {
  const zst = execFileSync('zstd', ['-c', '-q'], { input: data });
  await assert.rejects(all(zstdDecompress(Readable.from([zst.subarray(0, zst.length - 10)]))), /^EngineError: zstd: /);
  const bad = Buffer.from(zst);
  bad.fill(0x55, 20, 60);
  await assert.rejects(all(zstdDecompress(Readable.from([bad]))), /zstd: /);
});
