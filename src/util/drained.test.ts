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
