import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testDir, testFile } from '../../util/test-dirs.js';
import type { FSWatcher } from 'node:fs';
import { safetyCheck, Waker } from './waker.js';

const since = (t: number) => Date.now() - t;

test('waker: a write to the file wakes a waiter at once while the poll is slow', async () => {
  const dir = await testDir('berth-waker-');
  const p = join(dir, 'container.log');
  await writeFile(p, '');
  const w = new Waker(p, 250);
  try {
    assert.equal(w.watching, true);
    const t = Date.now();
    const waiting = w.wait();
    setTimeout(() => void appendFile(p, 'x\n'), 30);
    await waiting;
    assert.ok(since(t) < 2000, `woke after ${since(t)} ms`);
    // a rename (rotation) of the file wakes too; other files in the directory do not
    const t2 = Date.now();
    const w2 = w.wait(400);
    await writeFile(join(dir, 'other.json'), '{}');
    await w2;
    assert.ok(since(t2) >= 350, `woke after ${since(t2)} ms on another file's event`);
    const w3 = w.wait();
    await rename(p, p + '.shipped');
    const t3 = Date.now();
    await w3;
    assert.ok(since(t3) < 2000);
  } finally {
    w.close();
  }
});

test('waker: an event while nobody waits is kept for the next wait (no lost wake-up)', async () => {
  const dir = await testDir('berth-waker-');
  const w = new Waker(join(dir, 'container.log'), 250);
  try {
    w.fire(); // e.g. output written between the follower's read and its wait
    const t = Date.now();
    await w.wait();
    assert.ok(since(t) < 50);
    // only once: the next wait sleeps until its bound
    const t2 = Date.now();
    await w.wait(150);
    assert.ok(since(t2) >= 140, `returned after ${since(t2)} ms`);
  } finally {
    w.close();
  }
});

test('waker: without a watchable directory it polls at pollMs', async () => {
  const dir = await testDir('berth-waker-');
  const w = new Waker(join(dir, 'missing', 'container.log'), 60);
  try {
    assert.equal(w.watching, false);
    const t = Date.now();
    await w.wait();
    assert.ok(since(t) >= 50 && since(t) < 1000, `polled after ${since(t)} ms`);
  } finally {
    w.close();
  }
});

test('waker: the shared safety pass wakes a waiter whose file changed without an event, and only then', async () => {
  const p = await testFile('berth-waker-', 'container.log');
  await writeFile(p, 'a\n');
  const w = new Waker(p, 250);
  try {
    // lose every fs event from now on, as after an inotify queue overflow
    (w as unknown as { watcher: FSWatcher }).watcher.removeAllListeners('change');
    let woke = false;
    let waiting = w.wait().then(() => (woke = true));
    safetyCheck(); // first pass after a wake-up: wakes once and notes the file's state
    await waiting;
    assert.equal(woke, true);
    woke = false;
    waiting = w.wait().then(() => (woke = true));
    safetyCheck(); // nothing changed: stays asleep
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(woke, false);
    await appendFile(p, 'b\n'); // its event is lost
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(woke, false);
    safetyCheck();
    await waiting;
    assert.equal(woke, true);
  } finally {
    w.close();
  }
});
