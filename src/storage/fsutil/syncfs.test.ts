import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { SyncFs, syncFs } from './syncfs.js';

test('syncFs flushes a real filesystem and rejects a missing path', async () => {
  await syncFs(tmpdir());
  await assert.rejects(syncFs('/nonexistent/berth-syncfs'), /sync -f/);
});

test('SyncFs: a caller arriving mid-flush waits for a later flush, shared with others', async () => {
  const log: string[] = [];
  const gates: (() => void)[] = [];
  const s = new SyncFs('/x', async () => {
    log.push('start');
    await new Promise<void>((r) => gates.push(r));
    log.push('end');
  });
  const a = s.sync();
  const b = s.sync(); // during flush 1: must wait for flush 2
  const c = s.sync(); // shares flush 2
  assert.equal(gates.length, 1);
  let bDone = false;
  void b.then(() => (bDone = true));
  gates[0]();
  await a;
  await new Promise((r) => setImmediate(r));
  assert.equal(bDone, false);
  assert.equal(gates.length, 2);
  gates[1]();
  await Promise.all([b, c]);
  assert.deepEqual(log, ['start', 'end', 'start', 'end']);
});

test('SyncFs: sync(mark) skips the flush when one started after the mark has completed', async () => {
  let flushes = 0;
  const s = new SyncFs('/x', async () => void flushes++);
  const m0 = s.mark();
  await s.sync();
  assert.equal(flushes, 1);
  await s.sync(m0); // flush 1 started after m0
  assert.equal(flushes, 1);
  const m1 = s.mark();
  await s.sync(m1); // nothing started after m1 yet
  assert.equal(flushes, 2);
});
