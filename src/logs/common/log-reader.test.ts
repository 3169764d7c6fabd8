// FollowWake must not be kept alive by the container's exit promise once its follower is done:
// every `logs -f` on a long-running container used to stay in memory, with its request and
// response, until the container exited (found by `npm run soak`: +20 MiB per 800 dropped follows).
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { testDir } from '../../util/test-dirs.js';
import { FollowWake } from './log-reader.js';
import { latch } from '../../util/latch.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Followers made and closed in a plain function, so no async frame of the test holds the last one. */
function followAndClose(file: string, done: Promise<void>, n: number): Array<WeakRef<object>> {
  const refs: Array<WeakRef<object>> = [];
  for (let i = 0; i < n; i++) {
    const w = new FollowWake(file, 250, true, new AbortController().signal, done);
    (w as unknown as { payload: Buffer }).payload = Buffer.alloc(64 * 1024); // stands for the request it served
    refs.push(new WeakRef(w));
    w.close();
  }
  return refs;
}

test('a closed follower is collectable while the container (its `done`) still runs', async () => {
  const dir = await testDir('berth-follow-');
  const running = new Promise<void>(() => {}); // the container never exits during the test
  const refs = followAndClose(path.join(dir, 'c-json.log'), running, 20);
  for (let i = 0; i < 10 && refs.some((r) => r.deref()); i++) {
    await new Promise((r) => setTimeout(r, 10));
    gc();
  }
  assert.equal(refs.filter((r) => r.deref()).length, 0, 'closed followers still reachable');
});

test('done still wakes a follower that is open', async () => {
  const dir = await testDir('berth-follow-');
  const { promise: done, open: exit } = latch();
  const w = new FollowWake(path.join(dir, 'c-json.log'), 60_000, true, new AbortController().signal, done);
  const woke = w.waker!.wait();
  exit();
  await woke;
  assert.equal(w.doneFired, true);
  w.close();
});
