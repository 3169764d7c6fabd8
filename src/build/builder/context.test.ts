import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { applyDockerignore, receiveContext } from './context.js';
import { matchSources, sumSources } from './copy.js';
import { tarHeader } from './layer-tar.js';
import { rawHeader } from '../../storage/layers/tar-arbitraries.js';
import { testDir } from '../../util/test-dirs.js';

const tmp = await testDir('berth-ctx-');

/** `b` cut into pieces of `n` bytes (the CLI's body arrives in ~10 KiB chunks; 1-byte ones are legal). */
const pieces = (b: Buffer, n: number) =>
  Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b.subarray(i * n, (i + 1) * n));

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
  assert.deepEqual([...ctx.files.keys()].sort(), [
    '.dockerignore',
    'Dockerfile',
    'link',
    'logs',
    'logs/keep.log',
    'x'.repeat(120) + '.txt',
  ]);
  await ctx.materialize();
  assert.equal(readFileSync(join(ctx.dir, 'logs/keep.log'), 'utf8'), 'keep');
  assert.equal(readlinkSync(join(ctx.dir, 'link')), 'Dockerfile');
  assert.throws(() => statSync(join(ctx.dir, 'node_modules')));
  // the COPY cache checksum is the same from the index and from the files on disk
  const rels = await matchSources(ctx.dir, 'logs/*.log', ctx.files);
  assert.deepEqual(rels, ['logs/keep.log']);
  assert.equal(await sumSources(ctx.dir, ['logs'], ctx.files), await sumSources(ctx.dir, ['logs']));
});

test('file sums are those of the content, hard links included', async () => {
  const src = join(tmp, 'sums');
  mkdirSync(src, { recursive: true });
  const big = Buffer.alloc(3 << 20, 7); // spans several spool writes
  writeFileSync(join(src, 'big'), big);
  writeFileSync(join(src, 'empty'), '');
  execFileSync('ln', ['-f', join(src, 'big'), join(src, 'hard')]);
  const tar = execFileSync('tar', ['-c', '-C', src, 'big', 'empty', 'hard'], { maxBuffer: 1 << 26 });
  const c = await receiveContext(Readable.from(pieces(tar, 10_000)), join(tmp, 's1'), 'Dockerfile');
  const sha = (b: Buffer) => execFileSync('sha256sum', { input: b, encoding: 'utf8' }).split(' ')[0];
  assert.equal(c.files.get('big')?.sum, sha(big));
  assert.equal(c.files.get('hard')?.sum, sha(big), 'a hard link is a copy of its file, with its sum');
  assert.equal(c.files.get('empty')?.sum, sha(Buffer.alloc(0)));
});

test('gzip contexts and a bare Dockerfile body', async () => {
  const gz = await receiveContext(Readable.from([gzipSync(makeTar())]), join(tmp, 'c2'), 'Dockerfile');
  assert.equal((await gz.read('Dockerfile')).toString(), 'FROM busybox\n');
  const bare = await receiveContext(
    Readable.from([Buffer.from('FROM scratch\nCMD ["x"]\n')]),
    join(tmp, 'c3'),
    'Dockerfile',
  );
  assert.equal((await bare.read('Dockerfile')).toString(), 'FROM scratch\nCMD ["x"]\n');
  assert.deepEqual([...bare.files.keys()], ['Dockerfile']);
});

test('entries cannot escape the context', async () => {
  const h = rawHeader('../evil', '0', 0);
  await assert.rejects(
    receiveContext(Readable.from([Buffer.concat([h, Buffer.alloc(1024)])]), join(tmp, 'c4'), 'Dockerfile'),
    /outside of the target directory/,
  );
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
  const first = await receiveContext(
    Readable.from([tarOf('aaaa', '2020-01-01 00:00:00')]),
    join(tmp, 'm1'),
    'Dockerfile',
  );
  assert.equal(first.files.get('f')?.sum, sha('aaaa'));
  // same header (path, size, mtime, mode), other bytes: a different sum, so the cache cannot be fooled
  const second = await receiveContext(
    Readable.from([tarOf('bbbb', '2020-01-01 00:00:00')]),
    join(tmp, 'm2'),
    'Dockerfile',
  );
  assert.equal(second.files.get('f')?.sum, sha('bbbb'));
  // a gzipped context still works (read through gunzip)
  const gz = await receiveContext(
    Readable.from([gzipSync(tarOf('eeee', '2021-01-01 00:00:00'))]),
    join(tmp, 'm5'),
    'Dockerfile',
  );
  assert.equal((await gz.read('f')).toString(), 'eeee');
});

test('the context goes to its spool file as it arrives, byte for byte, whatever the chunking', async () => {
  const tar = makeTar();
  const c = await receiveContext(Readable.from(pieces(tar, 1000)), join(tmp, 'k1'), 'Dockerfile');
  assert.deepEqual(readFileSync(c.spool), tar);
  assert.equal((await c.read('logs/keep.log')).toString(), 'keep');
  const plan = c.copyPlan('logs', join(tmp, 'k1-to'), { owner: { uid: 0, gid: 0 } });
  assert.equal(plan.spool, c.spool);
  const whole = await receiveContext(Readable.from([tar]), join(tmp, 'k2'), 'Dockerfile');
  assert.equal(whole.files.get('logs/keep.log')?.sum, c.files.get('logs/keep.log')?.sum);
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
  await assert.rejects(
    receiveContext(Readable.from([tar.subarray(0, 3000)]), join(tmp, 'o4'), 'Dockerfile'),
    /unexpected EOF/,
  );
});

test('a tar that ends right after its last file (no padding, no end blocks: the CLI with -f outside the context)', async () => {
  const src = join(tmp, 'nopad');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'Dockerfile'), 'FROM busybox\n'); // 13 bytes: 499 bytes of padding follow
  const tar = execFileSync('tar', ['-c', '-C', src, 'Dockerfile']);
  const cut = tar.subarray(0, 512 + 13);
  const c = await receiveContext(Readable.from([cut]), join(tmp, 'np1'), 'Dockerfile');
  assert.equal((await c.read('Dockerfile')).toString(), 'FROM busybox\n');
  // cut inside the content or inside the padding: still a truncated tar, as Go's reader says
  await assert.rejects(
    receiveContext(Readable.from([tar.subarray(0, 512 + 5)]), join(tmp, 'np2'), 'Dockerfile'),
    /unexpected EOF/,
  );
  await assert.rejects(
    receiveContext(Readable.from([tar.subarray(0, 512 + 20)]), join(tmp, 'np3'), 'Dockerfile'),
    /unexpected EOF/,
  );
});

test('directories that have no entry of their own are indexed (and kept by a .dockerignore exception)', async () => {
  const src = join(tmp, 'parents');
  mkdirSync(join(src, 'ignored/sub'), { recursive: true });
  writeFileSync(join(src, 'ignored/sub/keep'), 'k');
  writeFileSync(join(src, '.dockerignore'), 'ignored\n!ignored/sub/keep\n');
  const tar = execFileSync('tar', ['-c', '--no-recursion', '-C', src, '.dockerignore', 'ignored/sub/keep']);
  const c = await receiveContext(Readable.from([tar]), join(tmp, 'p1'), 'Dockerfile');
  assert.equal(c.files.get('ignored')?.type, 'dir');
  assert.equal(c.files.get('ignored/sub')?.type, 'dir');
  await applyDockerignore(c);
  assert.deepEqual(await matchSources(c.dir, 'ignored*', c.files), ['ignored']);
  await c.materialize();
  assert.equal(readFileSync(join(c.dir, 'ignored/sub/keep'), 'utf8'), 'k');
});

/** A tar of one `size`-byte file, made as it is read (nothing of it held here). */
function* bigTar(size: number): Generator<Buffer> {
  yield tarHeader({ name: 'big.bin', type: 'file', mode: 0o644, uid: 0, gid: 0, size, mtime: 0 });
  const block = Buffer.alloc(64 << 10, 0x61);
  for (let done = 0; done < size; done += block.length)
    yield Buffer.from(block.subarray(0, Math.min(block.length, size - done)));
  yield Buffer.alloc(1024 + ((512 - (size % 512)) % 512));
}

test('a context bigger than any memory threshold streams to disk: RSS does not grow by its size', async () => {
  // garbage (the body's spent chunks) is collected before each sample: what is measured is held
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  await receiveContext(Readable.from([makeTar()]), join(tmp, 'warm'), 'Dockerfile'); // the fs worker is up
  gc();
  const size = 192 << 20;
  const before = process.memoryUsage().rss;
  let peak = before;
  let seen = 0;
  try {
    const src = Readable.from(bigTar(size));
    src.on('data', (c: Buffer) => {
      seen += c.length;
      if (seen % (16 << 20) >= c.length) return;
      gc();
      peak = Math.max(peak, process.memoryUsage().rss);
    });
    const c = await receiveContext(src, join(tmp, 'big'), 'Dockerfile');
    assert.equal(c.files.get('big.bin')?.size, size);
    const want = createHash('sha256');
    const block = Buffer.alloc(64 << 10, 0x61);
    for (let n = 0; n < size; n += block.length) want.update(block);
    assert.equal(c.files.get('big.bin')?.sum, want.digest('hex'));
  } finally {
    rmSync(join(tmp, 'big'), { recursive: true, force: true });
  }
  const grew = peak - before;
  assert.ok(grew < size / 4, `RSS grew by ${(grew / 2 ** 20).toFixed(0)} MiB for a ${size / 2 ** 20} MiB context`);
});
