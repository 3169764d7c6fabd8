import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, rename, writeFile } from 'node:fs/promises';
import { testFile } from '../../util/test-dirs.js';
import { followK8sFile, parseK8sRecords, type K8sRecord } from './k8s-follower.js';
import { latch } from '../../util/latch.js';

const rec = (tag: 'F' | 'P', text: string) => `2026-01-01T00:00:01.000000001+00:00 stdout ${tag} ${text}\n`;

test('follower: woken by writes, not by a poll; a held piece without its end is shipped after ~1 s with no event', async () => {
  const p = await testFile('berth-follow-', 'container.log');
  await writeFile(p, rec('F', 'first'));
  const ac = new AbortController();
  const { promise: done, open: endWriter } = latch();
  const got: Array<{ r: K8sRecord; at: number }> = [];
  const run = (async () => {
    // a poll of 60 s: anything quicker than that came from fs events or the follower's own bounds
    for await (const b of followK8sFile(p, { signal: ac.signal, done, pollMs: 60_000, coalesceMs: 0 }))
      for (const r of b.records) got.push({ r, at: Date.now() });
  })();
  const until = async (n: number) => {
    const t = Date.now();
    while (got.length < n) {
      assert.ok(Date.now() - t < 5000, `only ${got.length} of ${n} records`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await until(1);
  const t1 = Date.now();
  await appendFile(p, rec('F', 'second'));
  await until(2);
  assert.ok(got[1]!.at - t1 < 1000, `second line after ${got[1]!.at - t1} ms`);
  // a prompt without a newline: conmon writes a P piece, its F never comes
  const t2 = Date.now();
  await appendFile(p, rec('P', 'prompt> '));
  await until(3);
  const waited = got[2]!.at - t2;
  assert.ok(waited >= 900 && waited < 3000, `held piece shipped after ${waited} ms`);
  assert.deepEqual(
    got.map((g) => [g.r.line.toString(), g.r.partial]),
    [
      ['first\n', false],
      ['second\n', false],
      ['prompt> ', true],
    ],
  );
  // no duplicates once the writer is gone
  endWriter();
  await run;
  assert.equal(got.length, 3);
  ac.abort();
});

test('follower: a file conmon replaced itself (its backstop cap) is read to its end, then the newer one; due rotation renames neither', async () => {
  const p = await testFile('berth-follow-replaced-', 'ctr.log');
  await writeFile(p, rec('F', 'a0'));
  const ac = new AbortController();
  const { promise: done, open: fireDone } = latch();
  const got: string[] = [];
  let reopened = 0;
  let first = true;
  // rotateAt is tiny: the follower is due to rotate while it is still reading the replaced file
  for await (const { records } of followK8sFile(p, {
    signal: ac.signal,
    done,
    pollMs: 20,
    rotateAt: 120, // past a0, short of a0-a2
    reopen: () => void reopened++,
  })) {
    for (const r of records) got.push(r.line.toString());
    if (first) {
      first = false;
      await appendFile(p, rec('F', 'a1') + rec('F', 'a2'));
      // conmon replaces the file twice while berthd is stopped: b is lost, d is current
      await writeFile(`${p}.tmp`, rec('F', 'b1'));
      await rename(`${p}.tmp`, p);
      await writeFile(`${p}.tmp`, rec('F', 'd1') + rec('F', 'END'));
      await rename(`${p}.tmp`, p);
      fireDone();
    }
  }
  assert.deepEqual(got, ['a0\n', 'a1\n', 'a2\n', 'd1\n', 'END\n']);
  assert.equal(reopened, 0, 'the replaced file was not ours to rotate');
});

test('parseK8sRecords: a run of equal stamps shares one parse, each new stamp (same length, other digits) is parsed', () => {
  const stamps = [
    '2026-01-01T00:00:01.000000001+00:00',
    '2026-01-01T00:00:01.000000001+00:00',
    '2026-01-01T00:00:01.000000002+00:00',
    '2026-01-01T00:00:02.000000002+00:00',
    '2026-01-01T00:00:02.5+00:00',
    '2026-01-01T00:00:02.000000002+00:00',
  ];
  const buf = Buffer.from(stamps.map((s, i) => `${s} stdout F line ${i}\n`).join(''));
  const { records } = parseK8sRecords(buf);
  assert.deepEqual(
    records.map((r) => r.time),
    stamps.map((s) => BigInt(Date.parse(s)) * 1_000_000n + BigInt(/\.(\d+)/.exec(s)![1]!.padEnd(9, '0').slice(3))),
  );
});
