import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { K8sFileReader } from './k8s-file.js';
import type { LogMessage, ReadOptions } from './log-reader.js';
import { formatRFC3339Nano } from './timestamps.js';
import { latch } from '../../util/latch.js';

const base = 1474765979_000000000n;
// Record i: conmon-style line at base + i seconds, local offset +01:00.
function rec(i: number, stream = 'stdout', tag = 'F', text = `line ${i}`): string {
  const t = formatRFC3339Nano(base + BigInt(i) * 1_000_000_000n + 3600_000000000n).replace(/Z$/, '');
  return `${t}.000000500+01:00 ${stream} ${tag} ${text}\n`;
}
const all: ReadOptions = { follow: false, stdout: true, stderr: true };

async function collect(it: AsyncIterable<LogMessage>): Promise<string[]> {
  const out: string[] = [];
  for await (const m of it) out.push(m.stream[3] + ':' + m.line.toString());
  return out;
}

async function tmp(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'berth-logs-'));
}

test('reads everything, filters streams, since and until', async () => {
  const dir = await tmp();
  const path = join(dir, 'ctr.log');
  let text = '';
  for (let i = 0; i < 10; i++) text += rec(i, i % 2 ? 'stderr' : 'stdout');
  await writeFile(path, text);
  const r = new K8sFileReader(path);
  const ac = new AbortController();
  assert.equal((await collect(r.read(all, ac.signal))).length, 10);
  assert.deepEqual(await collect(r.read({ ...all, stderr: false }, ac.signal)), [
    'o:line 0\n',
    'o:line 2\n',
    'o:line 4\n',
    'o:line 6\n',
    'o:line 8\n',
  ]);
  const sec = (i: number) => base + BigInt(i) * 1_000_000_000n;
  assert.deepEqual(await collect(r.read({ ...all, since: sec(7) + 500n }, ac.signal)), [
    'e:line 7\n',
    'o:line 8\n',
    'e:line 9\n',
  ]);
  assert.deepEqual(await collect(r.read({ ...all, since: sec(7) + 501n }, ac.signal)), ['o:line 8\n', 'e:line 9\n']);
  assert.deepEqual(await collect(r.read({ ...all, until: sec(1) + 500n }, ac.signal)), ['o:line 0\n', 'e:line 1\n']);
  const msgs: LogMessage[] = [];
  for await (const m of r.read({ ...all, tail: 1 }, ac.signal)) msgs.push(m);
  assert.equal(msgs[0]!.timestamp, '2016-09-25T01:13:08.000000500Z');
  assert.equal(msgs[0]!.time, sec(9) + 500n);
  await rm(dir, { recursive: true });
});

test('tail counts lines from the end, joining partials, then filters', async () => {
  const dir = await tmp();
  const path = join(dir, 'ctr.log');
  let text = '';
  for (let i = 0; i < 5000; i++) {
    if (i % 10 === 0) text += rec(i, 'stdout', 'P', `part${i}-`);
    text += rec(i, i % 3 === 0 ? 'stderr' : 'stdout');
  }
  await writeFile(path, text);
  const r = new K8sFileReader(path);
  const s = new AbortController().signal;
  const full = await collect(r.read(all, s));
  assert.equal(full.length, 5000);
  for (const n of [0, 1, 2, 10, 11, 4999, 5000, 7000]) {
    assert.deepEqual(
      await collect(r.read({ ...all, tail: n }, s)),
      full.slice(Math.max(0, full.length - n)),
      `tail ${n}`,
    );
  }
  assert.deepEqual(await collect(r.read({ ...all, tail: -1 }, s)), full);
  // Tail first, then the stream filter (Docker's order).
  assert.deepEqual(await collect(r.read({ ...all, tail: 3, stdout: false }, s)), ['e:line 4998\n']);
  // A trailing unterminated line counts as a line.
  await appendFile(path, rec(6000, 'stdout', 'P', 'no newline'));
  assert.deepEqual(await collect(r.read({ ...all, tail: 2 }, s)), ['o:line 4999\n', 'o:no newline']);
  await rm(dir, { recursive: true });
});

test('missing file: nothing without follow; with follow waits for it', async () => {
  const dir = await tmp();
  const path = join(dir, 'ctr.log');
  const r = new K8sFileReader(path, { pollMs: 50 });
  const ac = new AbortController();
  assert.deepEqual(await collect(r.read(all, ac.signal)), []);
  const { promise: done, open: exited } = latch();
  const got = collect(r.read({ ...all, follow: true }, ac.signal, done));
  await sleep(30);
  await writeFile(path, rec(1));
  await sleep(80);
  await appendFile(path, rec(2, 'stderr', 'P', 'a'));
  await appendFile(path, rec(3, 'stderr', 'F', 'b'));
  await appendFile(path, rec(4, 'stdout', 'P', 'last, no newline'));
  exited();
  assert.deepEqual(await got, ['o:line 1\n', 'e:ab\n', 'o:last, no newline']);
  await rm(dir, { recursive: true });
});

test('follow with tail starts at the end, drains after done, ends on abort', async () => {
  const dir = await tmp();
  const path = join(dir, 'ctr.log');
  await writeFile(path, rec(1) + rec(2) + rec(3));
  const r = new K8sFileReader(path, { pollMs: 1000 }); // fs.watch must wake us, not the poll
  const ac = new AbortController();
  const seen: string[] = [];
  const t0 = Date.now();
  const it = (async () => {
    for await (const m of r.read({ ...all, follow: true, tail: 1 }, ac.signal)) {
      seen.push(m.line.toString());
      if (seen.length === 3) ac.abort();
    }
  })();
  await sleep(50);
  await appendFile(path, rec(4));
  await sleep(50);
  await appendFile(path, rec(5));
  await it;
  assert.deepEqual(seen, ['line 3\n', 'line 4\n', 'line 5\n']);
  assert.ok(Date.now() - t0 < 900, 'woken by fs.watch');

  // done already resolved: the whole file is drained, then the read ends.
  assert.deepEqual(await collect(r.read({ ...all, follow: true }, new AbortController().signal, Promise.resolve())), [
    'o:line 1\n',
    'o:line 2\n',
    'o:line 3\n',
    'o:line 4\n',
    'o:line 5\n',
  ]);
  await rm(dir, { recursive: true });
});

test('follow survives conmon replacing the file (--log-size-max) and truncation', async () => {
  const dir = await tmp();
  const path = join(dir, 'ctr.log');
  await writeFile(path, rec(1));
  const r = new K8sFileReader(path, { pollMs: 40 });
  const { promise: done, open: exited } = latch();
  const got = collect(r.read({ ...all, follow: true }, new AbortController().signal, done));
  await sleep(60);
  await writeFile(path + '.tmp', rec(2));
  await rename(path + '.tmp', path);
  await sleep(100);
  await appendFile(path, rec(3));
  await sleep(100);
  const fh = await open(path, 'r+');
  await fh.truncate(0);
  await fh.close();
  await sleep(100);
  await appendFile(path, rec(4));
  await sleep(100);
  exited();
  assert.deepEqual(await got, ['o:line 1\n', 'o:line 2\n', 'o:line 3\n', 'o:line 4\n']);
  await rm(dir, { recursive: true });
});

test('perf: read a 50 MB log (printed, not asserted)', async () => {
  const dir = await tmp();
  const path = join(dir, 'ctr.log');
  const lines: string[] = [];
  for (let i = 0; i < 1000; i++) lines.push(rec(i, i % 5 ? 'stdout' : 'stderr', 'F', 'x'.repeat(40 + (i % 80))));
  const block = Buffer.from(lines.join(''));
  const fh = await open(path, 'w');
  let size = 0;
  while (size < 50e6) size += (await fh.write(block)).bytesWritten;
  await fh.close();
  const r = new K8sFileReader(path);
  const s = new AbortController().signal;
  let t = performance.now();
  let n = 0;
  let bytes = 0;
  for await (const batch of r.readBatches(all, s)) {
    n += batch.length;
    for (const m of batch) bytes += m.line.length;
  }
  const mbs = (ms: number) => (size / 1e6 / (ms / 1000)).toFixed(0);
  console.log(`# readBatches: ${mbs(performance.now() - t)} MB/s (${n} lines)`);
  t = performance.now();
  let n2 = 0;
  for await (const m of r.read(all, s)) if (m.line.length > 0) n2++;
  console.log(`# read (per message): ${mbs(performance.now() - t)} MB/s`);
  t = performance.now();
  let n3 = 0;
  for await (const batch of r.readBatches({ ...all, since: base + 500_000_000_000n }, s)) n3 += batch.length;
  console.log(`# readBatches with since (parses every time): ${mbs(performance.now() - t)} MB/s`);
  t = performance.now();
  let n4 = 0;
  for await (const batch of r.readBatches({ ...all, tail: 100 }, s)) n4 += batch.length;
  console.log(`# tail 100 of 50 MB: ${(performance.now() - t).toFixed(1)} ms`);
  assert.equal(n, n2);
  assert.ok(bytes > 0 && n3 > 0 && n3 < n);
  assert.equal(n4, 100);
  await rm(dir, { recursive: true });
});
