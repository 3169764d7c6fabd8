import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { applyDockerignore, contextMemoryInUse, receiveContext } from './context.js';
import { matchSources, sumSources } from './copy.js';

const tmp = mkdtempSync(join(tmpdir(), 'berth-ctx-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function makeTar(): Buffer {
  const src = join(tmp, 'src');
  mkdirSync(join(src, 'logs'), { recursive: true });
  mkdirSync(join(src, 'node_modules/p'), { recursive: true });
  writeFileSync(join(src, 'Dockerfile'), 'FROM busybox\n');
  writeFileSync(join(src, '.dockerignore'), 'node_modules\n**/*.log\n!logs/keep.log\n');
  writeFileSync(join(src, 'logs/a.log'), 'a');
  writeFileSync(join(src, 'logs/keep.log'), 'keep');
  writeFileSync(join(src, 'node_modules/p/i.js'), 'x');
  writeFileSync(join(src, 'x'.repeat(120) + '.txt'), 'long name'); // needs a pax/GNU long name
  rmSync(join(src, 'link'), { force: true });
  symlinkSync('Dockerfile', join(src, 'link'));
  return execFileSync('tar', ['-c', '-C', src, '.']);
}

test('indexes a tar (long names, symlinks), filters by .dockerignore, writes out lazily', async () => {
  const tar = makeTar();
  const ctx = await receiveContext(Readable.from([tar]), join(tmp, 'c1'), 'Dockerfile');
  assert.equal(ctx.size, tar.length);
  assert.equal((await ctx.read('Dockerfile')).toString(), 'FROM busybox\n');
  assert.ok(ctx.files.has('x'.repeat(120) + '.txt'));
  assert.equal(ctx.files.get('link')?.type, 'symlink');
  await applyDockerignore(ctx);
  assert.deepEqual([...ctx.files.keys()].sort(), ['.dockerignore', 'Dockerfile', 'link', 'logs', 'logs/keep.log', 'x'.repeat(120) + '.txt']);
  await ctx.materialize();
  assert.equal(readFileSync(join(ctx.dir, 'logs/keep.log'), 'utf8'), 'keep');
  assert.equal(readlinkSync(join(ctx.dir, 'link')), 'Dockerfile');
  assert.throws(() => statSync(join(ctx.dir, 'node_modules')));
  // the COPY cache checksum is the same from the index and from the files on disk
  const rels = await matchSources(ctx.dir, 'logs/*.log', ctx.files);
  assert.deepEqual(rels, ['logs/keep.log']);
  assert.equal(await sumSources(ctx.dir, ['logs'], ctx.files), await sumSources(ctx.dir, ['logs']));
});

test('gzip contexts and a bare Dockerfile body', async () => {
  const gz = await receiveContext(Readable.from([gzipSync(makeTar())]), join(tmp, 'c2'), 'Dockerfile');
  assert.equal((await gz.read('Dockerfile')).toString(), 'FROM busybox\n');
  const bare = await receiveContext(Readable.from([Buffer.from('FROM scratch\nCMD ["x"]\n')]), join(tmp, 'c3'), 'Dockerfile');
  assert.equal((await bare.read('Dockerfile')).toString(), 'FROM scratch\nCMD ["x"]\n');
  assert.deepEqual([...bare.files.keys()], ['Dockerfile']);
});

test('entries cannot escape the context', async () => {
  const h = Buffer.alloc(1024);
  h.write('../evil', 0);
  h.write('0000644\0', 100);
  h.write('00000000000\0', 124);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  h.fill(0x20, 148, 156);
  for (let i = 0; i < 512; i++) sum += h[i];
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  await assert.rejects(receiveContext(Readable.from([Buffer.concat([h, Buffer.alloc(1024)])]), join(tmp, 'c4'), 'Dockerfile'), /outside of the target directory/);
});

test('every context file is hashed, even when its tar header matches an earlier build', async () => {
  const src = join(tmp, 'memo');
  mkdirSync(src, { recursive: true });
  const tarOf = (content: string, mtime: string) => {
    writeFileSync(join(src, 'f'), content);
    execFileSync('touch', ['-d', mtime, join(src, 'f')]);
    return execFileSync('tar', ['-c', '-C', src, 'f']);
  };
  const sha = (s: string) => execFileSync('sha256sum', { input: s, encoding: 'utf8' }).split(' ')[0];
  const first = await receiveContext(Readable.from([tarOf('aaaa', '2020-01-01 00:00:00')]), join(tmp, 'm1'), 'Dockerfile');
  assert.equal(first.files.get('f')?.sum, sha('aaaa'));
  // same header (path, size, mtime, mode), other bytes: a different sum, so the cache cannot be fooled
  const second = await receiveContext(Readable.from([tarOf('bbbb', '2020-01-01 00:00:00')]), join(tmp, 'm2'), 'Dockerfile');
  assert.equal(second.files.get('f')?.sum, sha('bbbb'));
  // a gzipped context still works (read through gunzip)
  const gz = await receiveContext(Readable.from([gzipSync(tarOf('eeee', '2021-01-01 00:00:00'))]), join(tmp, 'm5'), 'Dockerfile');
  assert.equal((await gz.read('f')).toString(), 'eeee');
});

/** `b` cut into pieces of `n` bytes (the CLI's body arrives in ~10 KiB chunks; 1-byte ones are legal). */
const pieces = (b: Buffer, n: number) => Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b.subarray(i * n, (i + 1) * n));

test('a context stays in memory (no spool file until something needs one); past maxMemory it goes to the spool as it arrives', async () => {
  const tar = makeTar();
  const mem = await receiveContext(Readable.from(pieces(tar, 1000)), join(tmp, 'k1'), 'Dockerfile');
  assert.ok(!existsSync(mem.spool), 'a fully cached build never writes its context');
  assert.equal((await mem.read('logs/keep.log')).toString(), 'keep'); // read across chunk boundaries
  const plan = await mem.copyPlan('logs', join(tmp, 'k1-to'), { owner: { uid: 0, gid: 0 } });
  assert.equal(plan.spool, mem.spool);
  assert.deepEqual(readFileSync(mem.spool), tar); // written out on demand, byte for byte
  const big = await receiveContext(Readable.from(pieces(tar, 1000)), join(tmp, 'k2'), 'Dockerfile', { maxMemory: 4096 });
  assert.deepEqual(readFileSync(big.spool), tar);
  assert.equal((await big.read('Dockerfile')).toString(), 'FROM busybox\n');
  assert.equal(big.files.get('logs/keep.log')?.sum, mem.files.get('logs/keep.log')?.sum);
});

test('odd chunking (a 1-byte first chunk, gzip in pieces) and a body that fails midway', async () => {
  const tar = makeTar();
  const one = await receiveContext(Readable.from([tar.subarray(0, 1), tar.subarray(1)]), join(tmp, 'o1'), 'Dockerfile');
  assert.equal((await one.read('Dockerfile')).toString(), 'FROM busybox\n');
  const gz = await receiveContext(Readable.from(pieces(gzipSync(tar), 7)), join(tmp, 'o2'), 'Dockerfile');
  assert.equal((await gz.read('logs/keep.log')).toString(), 'keep');
  const broken = new Readable({ read() {} });
  broken.push(tar.subarray(0, 3000));
  setImmediate(() => broken.destroy(new Error('client went away')));
  await assert.rejects(receiveContext(broken, join(tmp, 'o3'), 'Dockerfile'), /client went away/);
  await assert.rejects(receiveContext(Readable.from([tar.subarray(0, 3000)]), join(tmp, 'o4'), 'Dockerfile'), /unexpected EOF/);
});

test('in-memory contexts are accounted for and released (also when the body fails)', async () => {
  const tar = makeTar();
  const base = contextMemoryInUse();
  const c = await receiveContext(Readable.from(pieces(tar, 4096)), join(tmp, 'r1'), 'Dockerfile');
  assert.equal(contextMemoryInUse() - base, tar.length);
  c.release();
  assert.equal(contextMemoryInUse(), base);
  const broken = new Readable({ read() {} });
  broken.push(tar.subarray(0, 3000));
  setTimeout(() => broken.destroy(new Error('gone')), 20);
  await assert.rejects(receiveContext(broken, join(tmp, 'r2'), 'Dockerfile'), /gone/);
  assert.equal(contextMemoryInUse(), base);
  // once written to the spool, the memory is given back too
  const d = await receiveContext(Readable.from([tar]), join(tmp, 'r3'), 'Dockerfile');
  await d.spoolFile();
  assert.equal(contextMemoryInUse(), base);
  assert.equal((await d.read('logs/keep.log')).toString(), 'keep');
});
