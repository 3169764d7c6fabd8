import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testDir, testFile } from '../../util/test-dirs.js';
import { decodeLocal, encodeLocal, readVarintBig } from './local-format.js';
import { LocalFileReader, localEncoder } from './local-file.js';
import { encodeJsonEntry, JsonFileWriter } from '../json-file/json-file.js';
import type { LogMessage, ReadOptions } from '../common/log-reader.js';
import { latch } from '../../util/latch.js';

const all: ReadOptions = { follow: false, stdout: true, stderr: true };
const t0 = 1_700_000_000_000_000_000n;

async function read(r: LocalFileReader, o: Partial<ReadOptions> = {}): Promise<LogMessage[]> {
  const out: LogMessage[] = [];
  for await (const b of r.readBatches({ ...all, ...o }, new AbortController().signal)) out.push(...b);
  return out;
}

test("entries are Docker's framed protobuf LogEntry, byte for byte", () => {
  const b = encodeLocal({ stream: 'stdout', time: 1_700_000_000_000_000_001n, line: Buffer.from('hi') });
  // size, source=1 "stdout", time_nano=2 varint, line=3 "hi", size
  const body = Buffer.concat([
    Buffer.from([0x0a, 6]),
    Buffer.from('stdout'),
    Buffer.from([0x10]),
    varint(1_700_000_000_000_000_001n),
    Buffer.from([0x1a, 2]),
    Buffer.from('hi'),
  ]);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(body.length);
  assert.deepEqual(b, Buffer.concat([size, body, size]));
  const d = decodeLocal(b, 4, b.length - 4)!;
  assert.deepEqual(
    [d.stream, d.line.toString(), d.partial, readVarintBig(b, d.timeAt)],
    ['stdout', 'hi', false, 1_700_000_000_000_000_001n],
  );
  const p = encodeLocal({
    stream: 'stderr',
    time: -5n,
    line: Buffer.from('x'),
    partial: { last: true, id: 'abc', ordinal: 2 },
  });
  const dp = decodeLocal(p, 4, p.length - 4)!;
  assert.deepEqual([dp.stream, dp.partial, dp.last, readVarintBig(p, dp.timeAt)], ['stderr', true, true, -5n]);
  // the metadata: last=1 (08 01), id=2 "abc" (12 03 …), ordinal=3 (18 02)
  assert.ok(p.includes(Buffer.from([0x2a, 9, 0x08, 1, 0x12, 3, 0x61, 0x62, 0x63, 0x18, 2])));
});

function varint(v: bigint): Buffer {
  const out: number[] = [];
  while (v >= 0x80n) out.push(Number(v & 0x7fn) | 0x80), (v >>= 7n);
  out.push(Number(v));
  return Buffer.from(out);
}

test('writer + reader round trip: newlines restored, partial pieces joined by metadata, rotation with gzip', async () => {
  const dir = await testDir('berth-local-');
  const p = join(dir, 'container.log');
  const w = new JsonFileWriter(p, { maxSize: 4096, maxFile: 3, compress: true }, undefined, localEncoder());
  const entries = Array.from({ length: 300 }, (_, i) => ({
    stream: (i % 4 === 3 ? 'stderr' : 'stdout') as 'stdout' | 'stderr',
    time: t0 + BigInt(i),
    line: Buffer.from(`line ${i}\n`),
  }));
  for (let i = 0; i < entries.length; i += 7) await w.write(entries.slice(i, i + 7));
  await w.write([
    { stream: 'stdout', time: t0 + 1000n, line: Buffer.from('part-'), partial: true },
    { stream: 'stdout', time: t0 + 1001n, line: Buffer.from('end\n') },
  ]);
  await w.close();
  await new Promise((r) => setTimeout(r, 100)); // compression of the last rotation
  const files = (await readdir(dir)).sort();
  assert.deepEqual(files, ['container.log', 'container.log.1.gz', 'container.log.2.gz']);
  const msgs = await read(new LocalFileReader(p));
  const text = msgs.map((m) => m.line.toString());
  assert.deepEqual(text.slice(-2), ['part-', 'end\n']);
  const nums = text.slice(0, -2).map((l) => Number(/^line (\d+)\n$/.exec(l)![1]));
  assert.equal(nums.at(-1), 299);
  nums.forEach((n, i) => assert.equal(n, nums[0]! + i)); // contiguous across rotated files
  assert.equal(msgs[msgs.length - 3]!.time, t0 + 299n);
  assert.equal(msgs.at(-3)!.stream, 'stderr');
  // tail walks back over the trailers, since stops at the first older entry
  assert.deepEqual(
    (await read(new LocalFileReader(p), { tail: 3 })).map((m) => m.line.toString()),
    ['line 299\n', 'part-', 'end\n'],
  );
  assert.deepEqual(
    (await read(new LocalFileReader(p), { since: t0 + 298n })).map((m) => m.line.toString()),
    ['line 298\n', 'line 299\n', 'part-', 'end\n'],
  );
  assert.deepEqual(await read(new LocalFileReader(p), { tail: 0 }), []);
  assert.deepEqual(
    (await read(new LocalFileReader(p), { stdout: false, tail: 2 })).map((m) => m.line.toString()),
    [],
  );
  const errs = await read(new LocalFileReader(p), { stdout: false });
  assert.ok(errs.length > 0 && errs.every((m) => m.stream === 'stderr'));
  // a tail reaching into the gzipped files
  const many = await read(new LocalFileReader(p), { tail: nums.length });
  assert.equal(many.length, nums.length);
});

test('files of the old JSON-based local format are still read; the writer rotates such a file away first', async () => {
  const p = await testFile('berth-local-', 'container.log');
  await writeFile(
    p,
    encodeJsonEntry({ stream: 'stdout', time: t0, line: Buffer.from('old 1\n') }) +
      encodeJsonEntry({ stream: 'stderr', time: t0 + 1n, line: Buffer.from('old 2\n') }),
  );
  assert.deepEqual(
    (await read(new LocalFileReader(p))).map((m) => m.line.toString()),
    ['old 1\n', 'old 2\n'],
  );
  const w = new JsonFileWriter(p, { maxSize: 1 << 20, maxFile: 2, compress: false }, undefined, localEncoder());
  await w.write([{ stream: 'stdout', time: t0 + 2n, line: Buffer.from('new 3\n') }]);
  await w.close();
  assert.equal((await readFile(p + '.1', 'utf8')).startsWith('{"log":"old 1'), true);
  assert.deepEqual(
    (await read(new LocalFileReader(p))).map((m) => m.line.toString()),
    ['old 1\n', 'old 2\n', 'new 3\n'],
  );
  assert.deepEqual(
    (await read(new LocalFileReader(p), { tail: 2 })).map((m) => m.line.toString()),
    ['old 2\n', 'new 3\n'],
  );
});

test('follow: lines written across rotations are seen once each, in order, until done', async () => {
  const p = await testFile('berth-local-', 'container.log');
  const w = new JsonFileWriter(p, { maxSize: 2048, maxFile: 3, compress: false }, undefined, localEncoder());
  await w.write([{ stream: 'stdout', time: t0, line: Buffer.from('l0\n') }]);
  const { promise: done, open: finish } = latch();
  const seen: string[] = [];
  const it = (async () => {
    for await (const b of new LocalFileReader(p, 10).readBatches(
      { ...all, follow: true },
      new AbortController().signal,
      done,
    ))
      for (const m of b) seen.push(m.line.toString().trim());
  })();
  for (let i = 1; i < 400; i++) {
    await w.write([{ stream: 'stdout', time: t0 + BigInt(i), line: Buffer.from(`l${i}\n`) }]);
    if (i % 50 === 0) await new Promise((r) => setTimeout(r, 15));
  }
  await new Promise((r) => setTimeout(r, 100));
  finish();
  await it;
  await w.close();
  assert.deepEqual(
    seen,
    Array.from({ length: 400 }, (_, i) => `l${i}`),
  );
});
