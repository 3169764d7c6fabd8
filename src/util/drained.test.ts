import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { drainedOrClosed } from './drained.js';

for (const ev of ['drain', 'close'] as const) {
  test(`drainedOrClosed resolves on '${ev}' and removes both listeners`, async () => {
    const w = new EventEmitter();
    const p = drainedOrClosed(w);
    assert.equal(w.listenerCount('drain') + w.listenerCount('close'), 2);
    w.emit(ev);
    await p;
    assert.equal(w.listenerCount('drain') + w.listenerCount('close'), 0);
  });
}

test("drainedOrClosed with a closer: the writer's 'drain' or the closer's 'close', never the writer's 'close'", async () => {
  for (const [who, ev] of [
    ['w', 'drain'],
    ['closer', 'close'],
  ] as const) {
    const w = new EventEmitter();
    const closer = new EventEmitter();
    let done = false;
    const p = drainedOrClosed(w, closer).then(() => {
      done = true;
    });
    w.emit('close');
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false, "the writer's own close is not waited on");
    (who === 'w' ? w : closer).emit(ev);
    await p;
    assert.equal(w.listenerCount('drain') + closer.listenerCount('close'), 0);
  }
});
