import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import type { Pack } from 'tar-stream';
import { packStream, packTree } from './diff.js';
import { addBuffer, addEntry, addFile, readerOf, sizedChunks } from './tar-entries.js';

const tarStream = createRequire(import.meta.url)('tar-stream') as typeof import('tar-stream');

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-tar-entries-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

/** A read() over `data`, delivering at most `piece` bytes per call. */
function source(data: Buffer, piece: number): (buf: Buffer) => Promise<number> {
  let off = 0;
  return async (buf) => {
    const n = data.copy(buf, 0, off, Math.min(off + piece, off + buf.length, data.length));
    off += n;
    return n;
  };
}

it('sizedChunks cuts a source that delivers more than the size and leaves the rest unread', async () => {
  const data = Buffer.from('abcdefghijklmnopqrstuvwxy');
  const out = await collect(sizedChunks(source(data, 7), 10, 4));
  assert.equal(out.toString(), 'abcdefghij');
});

it('sizedChunks pads a source that ends early with zeros', async () => {
  const out = await collect(sizedChunks(source(Buffer.from('abc'), 2), 10, 4));
  assert.deepEqual(out, Buffer.concat([Buffer.from('abc'), Buffer.alloc(7)]));
});

it('sizedChunks passes an exact source through and never reads for size 0', async () => {
  assert.equal((await collect(sizedChunks(source(Buffer.from('12345678'), 3), 8))).toString(), '12345678');
  let reads = 0;
  const none = await collect(sizedChunks(async () => (reads++, 0), 0));
  assert.equal(none.length, 0);
  assert.equal(reads, 0);
});

it('readerOf adapts a stream of buffers of any sizes', async () => {
  const read = readerOf(Readable.from([Buffer.from('ab'), Buffer.from('cdefg'), Buffer.from('h')]));
  const out = await collect(sizedChunks(read, 8, 3));
  assert.equal(out.toString(), 'abcdefgh');
});

interface Entry {
  name: string;
  size: number;
  body: Buffer;
}
async function entries(r: Readable): Promise<Entry[]> {
  const ex = tarStream.extract();
  const out: Entry[] = [];
  const feed = (async () => {
    for await (const c of r) ex.write(c as Buffer);
    ex.end(undefined as never);
  })();
  for await (const e of ex)
    out.push({
      name: e.header.name,
      size: e.header.size ?? 0,
      body: await collect(e as unknown as AsyncIterable<Buffer>),
    });
  await feed;
  return out;
}

it('entries whose body is longer or shorter than the header keep the archive well-formed', async () => {
  const r = packStream(async (tar: Pack) => {
    await addEntry(
      tar,
      { name: 'grew', type: 'file', size: 10 },
      sizedChunks(source(Buffer.from('x'.repeat(25)), 7), 10),
    );
    await addEntry(tar, { name: 'shrank', type: 'file', size: 8 }, sizedChunks(source(Buffer.from('yyy'), 7), 8));
    await addBuffer(tar, { name: 'after' }, Buffer.from('intact'));
  });
  const got = await entries(r);
  assert.deepEqual(
    got.map((e) => [e.name, e.size]),
    [
      ['grew', 10],
      ['shrank', 8],
      ['after', 6],
    ],
  );
  assert.equal(got[0]!.body.toString(), 'x'.repeat(10));
  assert.deepEqual(got[1]!.body, Buffer.concat([Buffer.from('yyy'), Buffer.alloc(5)]));
  assert.equal(got[2]!.body.toString(), 'intact');
});

it('a file whose content does not match its stat size (procfs, sysfs) is cut or padded to the size', async () => {
  // /proc files stat as 0 bytes but have content: the body is cut to 0
  const r = packStream(async (tar) => {
    await packTree(tar, '/proc/self/status', 'status');
    await addBuffer(tar, { name: 'after' }, Buffer.from('ok'));
  });
  const got = await entries(r);
  assert.deepEqual(
    got.map((e) => [e.name, e.size, e.body.length]),
    [
      ['status', 0, 0],
      ['after', 2, 2],
    ],
  );
  // sysfs attributes stat as 4096 bytes and hold fewer: the body is padded with zeros
  const sys = '/sys/kernel/uevent_seqnum';
  if (existsSync(sys) && statSync(sys).size === 4096) {
    const g2 = await entries(packStream((tar) => packTree(tar, sys, 'seq')));
    assert.equal(g2[0]!.size, 4096);
    assert.equal(g2[0]!.body.length, 4096);
    assert.match(g2[0]!.body.toString('latin1').replace(/\0+$/, ''), /^\d+\n$/);
  }
});

it('vanished paths are skipped, and a symlink is never opened as a file', async () => {
  await writeFile(join(dir, 'target'), 'secret');
  const { symlink } = await import('node:fs/promises');
  await symlink(join(dir, 'target'), join(dir, 'link'));
  const got = await entries(
    packStream(async (tar) => {
      await packTree(tar, join(dir, 'no-such-file'), 'gone');
      assert.equal(await addFile(tar, { name: 'gone2' }, join(dir, 'no-such-file')), false);
      // a path that became a symlink after its lstat: addFile refuses to follow it
      assert.equal(await addFile(tar, { name: 'swapped' }, join(dir, 'link')), false);
      await addBuffer(tar, { name: 'after' }, Buffer.from('ok'));
    }),
  );
  assert.deepEqual(
    got.map((e) => e.name),
    ['after'],
  );
});

const openFds = () => readdirSync('/proc/self/fd').length;

it('destroying the archive stream mid-file stops the packer and closes the file', async () => {
  const big = join(dir, 'big');
  await writeFile(big, Buffer.alloc(8 << 20, 1));
  const fdsBefore = openFds();
  let settled!: (v: unknown) => void;
  const fillDone = new Promise((r) => (settled = r));
  const r = packStream(async (tar) => {
    try {
      await addFile(tar, { name: 'big' }, big);
    } finally {
      settled(null);
    }
  });
  r.on('error', () => {});
  await new Promise<void>((res) => r.once('data', () => res()));
  r.destroy();
  await fillDone; // the packer gave up instead of waiting for a reader forever
  for (let i = 0; i < 50 && openFds() > fdsBefore; i++) await new Promise((res) => setTimeout(res, 10));
  assert.ok(openFds() <= fdsBefore, `fds: ${openFds()} now, ${fdsBefore} before`);
});

it('an error while filling the pack fails the stream instead of throwing', async () => {
  const r = packStream(async (tar) => {
    await addBuffer(tar, { name: 'a' }, Buffer.from('a'));
    throw new Error('disk on fire');
  });
  await assert.rejects(collect(r), /disk on fire/);
});

it('adding to a pack that was destroyed (the client left) rejects without throwing elsewhere', async () => {
  const tar = tarStream.pack();
  tar.on('error', () => {});
  tar.destroy();
  await assert.rejects(addBuffer(tar, { name: 'late' }, Buffer.from('x')), /destroyed/);
  await writeFile(join(dir, 'small'), 'abc');
  await assert.rejects(addFile(tar, { name: 'small' }, join(dir, 'small')), /destroyed/);
});
