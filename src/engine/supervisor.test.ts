import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKOFF_MAX_MS, nextBackoff, Supervisor } from './supervisor.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('back-off doubles from 100 ms up to a minute and resets after a 10 s run', () => {
  assert.equal(nextBackoff(0, 0), 100);
  assert.equal(nextBackoff(100, 50), 200);
  assert.equal(nextBackoff(400, 9_000), 800);
  assert.equal(nextBackoff(40_000, 1), BACKOFF_MAX_MS);
  assert.equal(nextBackoff(BACKOFF_MAX_MS, 1), BACKOFF_MAX_MS);
  assert.equal(nextBackoff(6_400, 10_001), 100);
});

test('restartDelay keeps the back-off per container until forget()', () => {
  const s = new Supervisor();
  assert.deepEqual(
    [1, 2, 3].map(() => s.restartDelay('a', 5)),
    [100, 200, 400],
  );
  assert.equal(s.restartDelay('b', 5), 100, 'containers do not share a back-off');
  s.forget('a');
  assert.equal(s.restartDelay('a', 5), 100);
});

test('one timer per container and kind: rescheduling replaces, kinds are independent', async () => {
  const s = new Supervisor();
  const fired: string[] = [];
  s.schedule('c', 'restart', 10, () => fired.push('restart-1'));
  s.schedule('c', 'restart', 20, () => fired.push('restart-2'));
  s.schedule('c', 'health', 15, () => fired.push('health'));
  assert.equal(s.size, 2);
  assert.ok(s.pending('c', 'restart'));
  await wait(60);
  assert.deepEqual(fired.sort(), ['health', 'restart-2']);
  assert.equal(s.size, 0, 'fired timers are forgotten');
});

test("cancel(id) drops all of a container's timers, cancel(id, kind) only one", async () => {
  const s = new Supervisor();
  const fired: string[] = [];
  s.schedule('x', 'restart', 10, () => fired.push('x-restart'));
  s.schedule('x', 'health', 10, () => fired.push('x-health'));
  s.schedule('y', 'restart', 10, () => fired.push('y-restart'));
  s.schedule('y', 'health', 10, () => fired.push('y-health'));
  s.cancel('x');
  s.cancel('y', 'restart');
  await wait(40);
  assert.deepEqual(fired, ['y-health']);
});

test('close() (daemon shutdown) cancels everything and refuses new timers', async () => {
  const s = new Supervisor();
  let n = 0;
  s.schedule('a', 'restart', 10, () => n++);
  s.schedule('b', 'health', 10, () => n++);
  s.close();
  s.schedule('c', 'restart', 1, () => n++);
  await wait(30);
  assert.equal(n, 0);
  assert.equal(s.size, 0);
});
