import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testDir } from '../../util/test-dirs.js';
import { followK8sFile, type K8sRecord } from './k8s-follower.js';

const rec = (tag: 'F' | 'P', text: string) => `2026-01-01T00:00:01.000000001+00:00 stdout ${tag} ${text}\n`;

test('follower: woken by writes, not by a poll; a held piece without its end is shipped after ~1 s with no event', async () => {
  const dir = await testDir('berth-follow-');
  const p = join(dir, 'container.log');
  await writeFile(p, rec('F', 'first'));
  const ac = new AbortController();
  let endWriter!: () => void;
  const done = new Promise<void>((r) => (endWriter = r));
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
