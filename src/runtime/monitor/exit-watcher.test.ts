import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testDir } from '../../util/test-dirs.js';
import { ExitWatcher, TICK_MS } from './exit-watcher.js';

test('exit watcher: an exit file written later resolves its waiters promptly, with code and time', async () => {
  const dir = await testDir('berth-exits-');
  const w = new ExitWatcher(dir);
  w.start();
  try {
    const a = w.wait('c1');
    const b = w.wait('c1');
    const other = w.wait('c2');
    let otherDone = false;
    void other.then(() => (otherDone = true));
    const t = Date.now();
    await writeFile(join(dir, 'c1'), '137');
    const [ea, eb] = await Promise.all([a, b]);
    assert.ok(Date.now() - t < TICK_MS, `noticed after ${Date.now() - t} ms`);
    assert.equal(ea.code, 137);
    assert.equal(eb.code, 137);
    assert.equal(ea.oomKilled, false);
    assert.ok(ea.finishedAt instanceof Date);
    assert.equal(otherDone, false);
    // an exit that is already there resolves at once
    await writeFile(join(dir, 'c3'), '0');
    assert.equal((await w.wait('c3')).code, 0);
    assert.deepEqual(w.read('c3'), { code: 0, finishedAt: w.read('c3')!.finishedAt, oomKilled: false });
    w.clear('c3');
    assert.equal(w.read('c3'), null);
    await writeFile(join(dir, 'c2'), '2');
    assert.equal((await other).code, 2);
  } finally {
    w.stop();
  }
});

test('exit watcher: checks registered with every() run on the shared timer until they return true', async () => {
  const dir = await testDir('berth-exits-');
  const w = new ExitWatcher(dir);
  w.start();
  // the watcher's timer is unref'd (berthd's server keeps the process up): hold the test's loop open
  const keep = setInterval(() => {}, 1000);
  try {
    let n = 0;
    const finished = new Promise<void>((resolve) =>
      w.every(() => {
        n++;
        if (n < 2) return false;
        resolve();
        return true;
      }),
    );
    await finished;
    await new Promise((r) => setTimeout(r, TICK_MS * 1.5));
    assert.equal(n, 2); // not called again once it returned true
  } finally {
    clearInterval(keep);
    w.stop();
  }
});
