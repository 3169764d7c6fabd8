import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testDir, testFile } from '../util/test-dirs.js';
import { followK8sFile, parseK8sRecords } from './common/k8s-follower.js';
import { attrsFor, LogManager, type LogTarget } from './manager.js';
import { latch } from '../util/latch.js';

const rec = (i: number, stream = 'stdout', tag = 'F', text = `n${i}`) =>
  `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000000001+00:00 ${stream} ${tag} ${text}\n`;

test('parses k8s records: P pieces joined with their F, incomplete tail is left, trailing pieces held on request', () => {
  const b = Buffer.from(rec(1) + rec(2, 'stderr', 'P', 'part') + rec(3, 'stderr', 'F', 'rest') + '2026-01-01T00:00:04');
  const { records, used } = parseK8sRecords(b);
  assert.equal(used, b.length - '2026-01-01T00:00:04'.length);
  assert.deepEqual(
    records.map((r) => [r.stream, r.line.toString(), r.partial]),
    [
      ['stdout', 'n1\n', false],
      ['stderr', 'partrest\n', false],
    ],
  );
  assert.equal(records[0]!.time, 1767225601_000000001n);
  assert.equal(records[1]!.time, 1767225602_000000001n); // the line's first piece
  // interleaved streams: a piece whose end is not next stays a partial record
  const i = parseK8sRecords(
    Buffer.from(rec(1, 'stdout', 'P', 'a') + rec(2, 'stderr', 'F', 'e') + rec(3, 'stdout', 'F', 'b')),
  );
  assert.deepEqual(
    i.records.map((r) => [r.line.toString(), r.partial]),
    [
      ['a', true],
      ['e\n', false],
      ['b\n', false],
    ],
  );
  // pieces at the end wait for their end with holdTail, not without
  const t = Buffer.from(rec(1) + rec(2, 'stdout', 'P', 'x') + rec(3, 'stdout', 'P', 'y'));
  const held = parseK8sRecords(t, t.length, true);
  assert.deepEqual(
    held.records.map((r) => r.line.toString()),
    ['n1\n'],
  );
  assert.equal(held.used, rec(1).length);
  assert.deepEqual(
    parseK8sRecords(t).records.map((r) => [r.line.toString(), r.partial]),
    [
      ['n1\n', false],
      ['x', true],
      ['y', true],
    ],
  );
  // beyond 16 KiB pieces are not joined (Docker splits there too)
  const big = parseK8sRecords(
    Buffer.from(rec(1, 'stdout', 'P', 'z'.repeat(9000)) + rec(2, 'stdout', 'F', 'z'.repeat(9000))),
  );
  assert.deepEqual(
    big.records.map((r) => r.partial),
    [true, false],
  );
});

test('follower holds a line cut by conmon until its end arrives, and ships a lone piece after a while', async () => {
  const p = await testFile('berth-hold-', 'container.log');
  await writeFile(p, rec(1) + rec(2, 'stdout', 'P', 'hel'));
  const { promise: done, open: finish } = latch();
  const got: Array<[string, boolean]> = [];
  const it = (async () => {
    for await (const b of followK8sFile(p, { signal: new AbortController().signal, done, pollMs: 20, coalesceMs: 0 }))
      for (const r of b.records) got.push([r.line.toString(), r.partial]);
  })();
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(got, [['n1\n', false]]); // the piece waits
  await appendFile(p, rec(3, 'stdout', 'F', 'lo'));
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(got, [
    ['n1\n', false],
    ['hello\n', false],
  ]);
  await appendFile(p, rec(4, 'stdout', 'P', 'prompt> '));
  await new Promise((r) => setTimeout(r, 1300));
  assert.deepEqual(got.at(-1), ['prompt> ', true]); // shipped on its own after the hold time
  finish();
  await it;
});

test('follower resumes from a saved position and follows a replaced file', async () => {
  const dir = await testDir('berth-follow-');
  const p = join(dir, 'container.log');
  await writeFile(p, rec(0) + rec(1));
  const ac = new AbortController();
  let pos = null;
  for await (const b of followK8sFile(p, { signal: ac.signal, done: Promise.resolve() })) pos = b.pos;
  assert.ok(pos && pos.offset === (rec(0) + rec(1)).length);
  await appendFile(p, rec(2));
  const { promise: done, open: finish } = latch();
  const seen: string[] = [];
  const it = (async () => {
    for await (const b of followK8sFile(p, { from: pos, signal: ac.signal, done, pollMs: 20 }))
      for (const r of b.records) seen.push(r.line.toString().trim());
  })();
  await new Promise((r) => setTimeout(r, 60));
  // conmon's --log-size-max: a new file replaces the old one
  await writeFile(p + '.tmp', rec(3));
  await rename(p + '.tmp', p);
  await new Promise((r) => setTimeout(r, 80));
  finish();
  await it;
  assert.deepEqual(seen, ['n2', 'n3']);
});

function target(dir: string, type: string, cfg: Record<string, string> = {}): LogTarget {
  return {
    id: 'f'.repeat(64),
    name: 'c1',
    image: 'busybox',
    imageId: 'sha256:' + 'e'.repeat(64),
    logConfig: { Type: type, Config: cfg },
    k8sPath: join(dir, 'container.log'),
  };
}

test('json-file shipper: ships, persists its position, resumes without loss or duplicates', async () => {
  const dir = await testDir('berth-ship-');
  const t = target(dir, 'json-file');
  await writeFile(t.k8sPath, rec(0) + rec(1, 'stderr'));
  const m = new LogManager({ defaults: { Type: 'json-file', Config: {} }, pollMs: 20 });
  m.follow(t);
  await new Promise((r) => setTimeout(r, 100));
  await m.stop(t.id); // berthd stops
  await appendFile(t.k8sPath, rec(2) + rec(3)); // the container keeps logging
  const m2 = new LogManager({ defaults: { Type: 'json-file', Config: {} }, pollMs: 20 });
  m2.follow(t);
  await appendFile(t.k8sPath, rec(4));
  await new Promise((r) => setTimeout(r, 60));
  await m2.flush(t.id);
  const json = (await readFile(m.logPath(t), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { log: string; stream: string; time: string });
  assert.deepEqual(
    json.map((j) => j.log),
    ['n0\n', 'n1\n', 'n2\n', 'n3\n', 'n4\n'],
  );
  assert.equal(json[1]!.stream, 'stderr');
  assert.equal(json[0]!.time, '2026-01-01T00:00:00.000000001Z');
  const read: string[] = [];
  for await (const b of m2.readBatches(t, { follow: false, stdout: true, stderr: true }, new AbortController().signal))
    for (const x of b) read.push(x.line.toString());
  assert.equal(read.join(''), 'n0\nn1\nn2\nn3\nn4\n');
});

test('paths per driver, none cannot be read, attrs from labels and env', () => {
  const m = new LogManager({ defaults: { Type: 'json-file', Config: {} } });
  const t = target('/d', 'json-file');
  assert.equal(m.logPath(t), `/d/${t.id}-json.log`);
  assert.equal(m.logPath(target('/d', 'syslog')), '');
  assert.throws(
    () =>
      m.readBatches(target('/d', 'none'), { follow: false, stdout: true, stderr: true }, new AbortController().signal),
    /configured logging driver does not support reading/,
  );
  assert.deepEqual(
    attrsFor({
      logConfig: { Type: 'json-file', Config: { labels: 'a', env: 'E', 'env-regex': '^X' } },
      labels: { a: '1', b: '2' },
      env: ['E=v', 'XY=z', 'O=o'],
    }),
    { a: '1', E: 'v', XY: 'z' },
  );
});

test('follower rotation: renames, asks for a reopen, reads the old file to its end, deletes it', async () => {
  const { open: fopen } = await import('node:fs/promises');
  const { existsSync } = await import('node:fs');
  const p = await testFile('berth-rot-', 'container.log');
  let w = await fopen(p, 'a'); // the "conmon" writer
  let reopens = 0;
  let pending = false;
  const reopen = () => {
    reopens++;
    pending = true;
  };
  // conmon handles the request between writes, and writes a little more to the old file first
  const write = async (text: string) => {
    if (pending) {
      pending = false;
      await w.write(rec(999, 'stdout', 'F', 'late'));
      await w.close();
      w = await fopen(p, 'a');
    }
    await w.write(text);
  };
  const { promise: done, open: finish } = latch();
  const seen: string[] = [];
  const it = (async () => {
    for await (const b of followK8sFile(p, {
      signal: new AbortController().signal,
      done,
      pollMs: 10,
      rotateAt: 500,
      reopen,
      coalesceMs: 0,
    }))
      for (const r of b.records) seen.push(r.line.toString().trim());
  })();
  const want: string[] = [];
  for (let i = 0; i < 60; i++) {
    await write(rec(i));
    want.push(`n${i}`);
    if (i % 10 === 0) await new Promise((r) => setTimeout(r, 15));
  }
  await new Promise((r) => setTimeout(r, 100));
  finish();
  await it;
  await w.close();
  assert.ok(reopens >= 1);
  // every line exactly once, in order (the late lines land wherever the rotation happened)
  assert.deepEqual(
    seen.filter((l) => l !== 'late'),
    want,
  );
  // one request per rotation; a request made after the last write was never served by the writer
  assert.equal(seen.filter((l) => l === 'late').length, reopens - (pending ? 1 : 0));
  assert.equal(existsSync(p + '.shipped'), false);
});
