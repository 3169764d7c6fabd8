import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKOFF_MAX_MS, nextBackoff, Supervisor, type TimerKind } from './supervisor.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A supervisor with one timer per [id, kind, ms, label?]; each pushes its label (`id-kind`) when it fires. */
function scheduled(...timers: [string, TimerKind, number, string?][]) {
  const s = new Supervisor();
  const fired: string[] = [];
  for (const [id, kind, ms, label = `${id}-${kind}`] of timers) s.schedule(id, kind, ms, () => fired.push(label));
  return { s, fired };
}

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
  const { s, fired } = scheduled(
    ['c', 'restart', 10, 'restart-1'],
    ['c', 'restart', 20, 'restart-2'],
    ['c', 'health', 15],
  );
  assert.equal(s.size, 2);
  assert.ok(s.pending('c', 'restart'));
  await wait(60);
  assert.deepEqual(fired.sort(), ['c-health', 'restart-2']);
  assert.equal(s.size, 0, 'fired timers are forgotten');
});

test("cancel(id) drops all of a container's timers, cancel(id, kind) only one", async () => {
  const { s, fired } = scheduled(['x', 'restart', 10], ['x', 'health', 10], ['y', 'restart', 10], ['y', 'health', 10]);
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
