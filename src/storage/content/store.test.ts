import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ContentStore, sha256Digest } from './store.js';
import { testDir } from '../../util/test-dirs.js';

it('content: put/has/readAll/size/get/delete round-trip', async () => {
  const root = await testDir('berth-cs-');
  const cs = new ContentStore(root);
  await cs.init();
  const d = await cs.put('hello');
  assert.equal(d, sha256Digest('hello'));
  assert.equal(d, 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  assert.ok(await cs.has(d));
  assert.equal((await cs.readAll(d)).toString(), 'hello');
  assert.equal(await cs.size(d), 5);
  const chunks: Buffer[] = [];
  for await (const c of await cs.get(d)) chunks.push(c as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), 'hello');
  await cs.delete(d);
  assert.equal(await cs.has(d), false);
  await assert.rejects(cs.readAll(d), (e: Error & { kind?: string }) => e.kind === 'not-found');
});

it('content: ingest hashes a multi-chunk stream; a digest mismatch leaves nothing', async () => {
  const root = await testDir('berth-cs-');
  const cs = new ContentStore(root);
  const r = await cs.ingest(Readable.from([Buffer.from('ab'), Buffer.from('c')]));
  assert.deepEqual(r, { digest: sha256Digest('abc'), size: 3, created: true });
  // again: same blob, not created (a failing caller must not delete what others use)
  const big = Array.from({ length: 40 }, (_, i) => Buffer.alloc(64 << 10, i)); // > 1 MiB: several batched writes
  const r2 = await cs.ingest(Readable.from(big));
  assert.deepEqual(r2, { digest: sha256Digest(Buffer.concat(big)), size: 40 * (64 << 10), created: true });
  assert.deepEqual(await cs.readAll(r2.digest), Buffer.concat(big));
  assert.equal((await cs.ingest(Readable.from([Buffer.from('abc')]))).created, false);
  await cs.delete(r2.digest);
  const bad = 'sha256:' + '0'.repeat(64);
  await assert.rejects(cs.ingest(Readable.from([Buffer.from('xyz')]), bad), /digest mismatch/);
  assert.deepEqual(await readdir(cs.ingestDir), []);
  assert.equal(await cs.has(sha256Digest('xyz')), false);
  assert.deepEqual(await cs.list(), [sha256Digest('abc')]);
  await assert.rejects(cs.has('md5:abc'), /invalid digest/);
});

it('content: adopt moves a finished file into the store under its digest', async () => {
  const root = await testDir('berth-cs-');
  const cs = new ContentStore(root);
  await cs.init();
  const { writeFile } = await import('node:fs/promises');
  const staged = join(root, 'staged');
  await writeFile(staged, 'adopted');
  const d = sha256Digest('adopted');
  await cs.adopt(staged, d);
  assert.equal((await cs.readAll(d)).toString(), 'adopted');
  assert.ok(!(await readdir(root)).includes('staged'));
  await assert.rejects(cs.adopt(join(root, 'nope'), 'sha256:bad'), /invalid digest/);
});
