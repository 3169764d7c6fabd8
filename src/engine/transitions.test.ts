// Transitions.to(), the one writer of container state: inside the queue only, the table checked,
// persisted (or not, as asked), events after the write.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../errdefs.js';
import { Events } from './events.js';
import type { ContainerStore } from './store.js';
import { Transitions } from './transitions.js';
import type { ContainerRecord, Status } from './types.js';

function setup(saveFails = false) {
  const saved: Status[] = [];
  const store = {
    save: async (r: ContainerRecord) => {
      if (saveFails) throw new Error('ENOSPC: no space left on device');
      saved.push(r.state.status);
    },
    get: () => rec,
  } as unknown as ContainerStore;
  const events = new Events();
  const emitted: string[] = [];
  events.subscribe((e) => emitted.push(`${e.Action}@${saved.length}`));
  const logged: string[] = [];
  const tx = new Transitions(store, events, (_l, m) => logged.push(m));
  const rec = {
    id: 'c1',
    name: 'web',
    config: { Image: 'busybox', Labels: {} },
    state: { status: 'exited', pid: 0, exitCode: 0, error: '', startedAt: '', finishedAt: '', oomKilled: false },
  } as unknown as ContainerRecord;
  return { tx, rec, saved, emitted, logged };
}

test('a state change outside the container queue is refused (internal), nothing changes', async () => {
  const { tx, rec, saved } = setup();
  await assert.rejects(tx.to(rec, 'running'), (e: unknown) => e instanceof EngineError && e.kind === 'internal');
  assert.equal(rec.state.status, 'exited');
  assert.deepEqual(saved, []);
});

test("an illegal transition is the table's conflict; nothing persisted or emitted", async () => {
  const { tx, rec, saved, emitted } = setup();
  await assert.rejects(
    tx.locked(rec.id, () => tx.to(rec, 'paused', { events: [['pause']] })),
    (e: unknown) =>
      e instanceof EngineError &&
      e.kind === 'conflict' &&
      e.message === 'cannot change container state from exited to paused',
  );
  assert.equal(rec.state.status, 'exited');
  assert.deepEqual([saved, emitted], [[], []]);
});

test('a legal one: fields and status applied, persisted, then its events in order', async () => {
  const { tx, rec, saved, emitted } = setup();
  await tx.locked(rec.id, () =>
    tx.to(rec, 'running', {
      fresh: { pid: 42, exitCode: 0, error: '', startedAt: 'now', finishedAt: '', oomKilled: false },
      events: [['start'], ['restart']],
    }),
  );
  assert.deepEqual([rec.state.status, rec.state.pid], ['running', 42]);
  assert.deepEqual(saved, ['running']);
  assert.deepEqual(emitted, ['start@1', 'restart@1'], 'events come after the write');
});

test('a full disk: "yes" fails the change, "best-effort" logs and goes on (exit handling), "no" never writes', async () => {
  const a = setup(true);
  await assert.rejects(
    a.tx.locked(a.rec.id, () => a.tx.to(a.rec, 'running')),
    /ENOSPC/,
  );
  const b = setup(true);
  await b.tx.locked(b.rec.id, () => b.tx.to(b.rec, 'restarting', { persist: 'best-effort', events: [['die']] }));
  assert.equal(b.rec.state.status, 'restarting');
  assert.deepEqual(b.emitted, ['die@0']);
  assert.match(b.logged.join('\n'), /ENOSPC/);
  const c = setup();
  await c.tx.locked(c.rec.id, () => c.tx.to(c.rec, 'removing', { persist: 'no' }));
  assert.deepEqual([c.rec.state.status, c.saved], ['removing', []]);
});

test('update(): mutations queue one after another and are persisted; a status change is undone and refused', async () => {
  const { tx, rec, saved } = setup();
  const order: string[] = [];
  const first = tx.update(rec.id, async () => {
    await new Promise((r) => setTimeout(r, 10));
    order.push('first');
  });
  const second = tx.update(rec.id, () => void order.push('second'));
  await Promise.all([first, second]);
  assert.deepEqual(order, ['first', 'second']);
  assert.equal(saved.length, 2);
  await assert.rejects(
    tx.update(rec.id, (r) => {
      r.state.status = 'running';
    }),
    (e: unknown) => e instanceof EngineError && e.kind === 'internal',
  );
  assert.equal(rec.state.status, 'exited');
  assert.equal(saved.length, 2);
});
