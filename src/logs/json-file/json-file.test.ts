import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { testDir, testFile } from '../../util/test-dirs.js';
import { encodeJsonEntry, JsonFileReader, JsonFileWriter, type JsonEntry } from './json-file.js';
import type { FileOptions } from '../common/file-options.js';
import type { LogMessage, ReadOptions } from '../common/log-reader.js';
import { latch } from '../../util/latch.js';

const all: ReadOptions = { follow: false, stdout: true, stderr: true };
const t0 = 1_700_000_000_000_000_000n;
const entry = (i: number, stream: 'stdout' | 'stderr' = 'stdout'): JsonEntry => ({
  stream,
  time: t0 + BigInt(i) * 1_000_000_000n,
  line: Buffer.from(`line-${i}-padding-padding\n`),
});

async function lines(it: AsyncIterable<LogMessage[]>): Promise<string[]> {
  const out: string[] = [];
  for await (const b of it) for (const m of b) out.push(m.line.toString().trimEnd());
  return out;
}

/** The lines a fresh reader of `p` returns for `o` (both streams, no follow, unless `o` says). */
const read = (p: string, o: Partial<ReadOptions> = {}) =>
  lines(new JsonFileReader(p).readBatches({ ...all, ...o }, new AbortController().signal));

/** Writes entries 0 … n-1 in batches of `batch` to a new dir's c-json.log, closed after. */
async function written(o: FileOptions, n: number, batch: number): Promise<{ dir: string; p: string }> {
  const dir = await testDir('berth-json-');
  const p = join(dir, 'c-json.log');
  const w = new JsonFileWriter(p, o);
  for (let i = 0; i < n; i += batch) await w.write(Array.from({ length: batch }, (_, k) => entry(i + k)));
  await w.close();
  return { dir, p };
}

test("encodes Docker's json-file line", () => {
  assert.equal(
    encodeJsonEntry({ stream: 'stderr', time: 1_700_000_000_123_400_000n, line: Buffer.from('a "q"\n') }),
    '{"log":"a \\"q\\"\\n","stream":"stderr","time":"2023-11-14T22:13:20.1234Z"}\n',
  );
  assert.match(encodeJsonEntry(entry(0), { app: 'x' }), /"stream":"stdout","attrs":\{"app":"x"\},"time"/);
});

test('rotation keeps max-file files of at most max-size and loses nothing still kept', async () => {
  const { dir, p } = await written({ maxSize: 1024, maxFile: 3, compress: false }, 100, 10);
  assert.deepEqual((await readdir(dir)).sort(), ['c-json.log', 'c-json.log.1', 'c-json.log.2']);
  for (const f of ['c-json.log', 'c-json.log.1', 'c-json.log.2']) assert.ok((await stat(join(dir, f))).size <= 1024);
  const got = await read(p);
  // contiguous up to the last line written
  assert.equal(got.at(-1), 'line-99-padding-padding');
  const first = Number(/line-(\d+)/.exec(got[0]!)![1]);
  assert.deepEqual(
    got,
    Array.from({ length: 100 - first }, (_, k) => `line-${first + k}-padding-padding`),
  );
  // --tail across files, since/until and stream filters
  assert.deepEqual(await read(p, { tail: 3 }), got.slice(-3));
  assert.deepEqual(await read(p, { tail: got.length - 2 }), got.slice(2));
  assert.deepEqual(await read(p, { tail: 0 }), []);
  assert.deepEqual(await read(p, { since: t0 + 97n * 1_000_000_000n }), [
    'line-97-padding-padding',
    'line-98-padding-padding',
    'line-99-padding-padding',
  ]);
});

test('compress gzips rotated files and the reader reads them', async () => {
  const { dir, p } = await written({ maxSize: 512, maxFile: 3, compress: true }, 30, 5);
  const files = (await readdir(dir)).sort();
  assert.deepEqual(files, ['c-json.log', 'c-json.log.1.gz', 'c-json.log.2.gz']);
  const got = await read(p);
  assert.equal(got.at(-1), 'line-29-padding-padding');
  assert.ok(got.length > 10);
  assert.deepEqual(await read(p, { tail: got.length - 1 }), got.slice(1));
});

test('max-file=1 truncates in place', async () => {
  const { dir, p } = await written({ maxSize: 300, maxFile: 1, compress: false }, 20, 1);
  assert.deepEqual(await readdir(dir), ['c-json.log']);
  assert.ok((await readFile(p)).length <= 300);
});

test('follow continues across a rotation and stops when done', async () => {
  const p = await testFile('berth-json-', 'c-json.log');
  const w = new JsonFileWriter(p, { maxSize: 400, maxFile: 2, compress: false });
  await w.write([entry(0)]);
  const { promise: done, open: finish } = latch();
  const reading = lines(
    new JsonFileReader(p, 20).readBatches({ ...all, follow: true }, new AbortController().signal, done),
  );
  for (let i = 1; i < 12; i++) {
    await w.write([entry(i)]);
    await new Promise((r) => setTimeout(r, 15));
  }
  await w.close();
  await new Promise((r) => setTimeout(r, 100));
  finish();
  const got = await reading;
  assert.deepEqual(
    got,
    Array.from({ length: 12 }, (_, k) => `line-${k}-padding-padding`),
  );
});

test('reads lines with escapes, no newline, stderr and foreign key order', async () => {
  const { writeFile } = await import('node:fs/promises');
  const p = await testFile('berth-json-', 'c-json.log');
  const texts = ['plain\n', 'tab\there "q" \\ end\n', 'no newline', 'ünï\n', ''];
  let body = texts
    .map((x, i) => encodeJsonEntry({ stream: i % 2 ? 'stderr' : 'stdout', time: t0 + BigInt(i), line: Buffer.from(x) }))
    .join('');
  body += '{"stream":"stderr","time":"2023-11-14T22:13:20.5Z","log":"reordered\\n"}\n';
  await writeFile(p, body);
  const got: Array<[string, string, bigint]> = [];
  for await (const b of new JsonFileReader(p).readBatches(all, new AbortController().signal))
    for (const m of b) got.push([m.stream, m.line.toString(), m.time]);
  assert.deepEqual(got, [
    ...texts.map((x, i): [string, string, bigint] => [i % 2 ? 'stderr' : 'stdout', x, t0 + BigInt(i)]),
    ['stderr', 'reordered\n', 1_700_000_000_500_000_000n],
  ]);
});
