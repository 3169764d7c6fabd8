// restore() after a daemon restart, over fakes: a second service on the first one's data dir.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FakeTask, fakeEngine } from './testing.js';
import type { ContainerRecord } from './types.js';

const onDisk = (dir: string, id: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, 'containers', id, 'config.v2.json'), 'utf8')) as ContainerRecord;

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

/** A second daemon on `dir` restores, and container `id` is gone from its store and from disk. */
async function assertRestoreRemoves(dir: string, id: string): Promise<void> {
  const e2 = fakeEngine(dir);
  try {
    await e2.svc.restore();
    assert.equal(e2.store.get(id), undefined);
    assert.equal(fs.existsSync(path.join(dir, 'containers', id)), false);
  } finally {
    e2.close();
  }
}

/** Three running containers under a first daemon, which then goes away without stopping them. */
async function firstDaemon() {
  const e1 = fakeEngine();
  const ids: Record<string, string> = {};
  for (const [name, policy] of [
    ['gone', 'no'],
    ['flap', 'always'],
    ['alive', 'no'],
  ] as const) {
    const { id: Id } = await e1.svc.create({
      name,
      config: { Image: 'busybox' },
      hostConfig: { RestartPolicy: { Name: policy, MaximumRetryCount: 0 } },
    });
    await e1.svc.start(Id);
    ids[name] = Id;
  }
  e1.svc.supervisor.close();
  return { dir: e1.dir, ids };
}

test('restore: a container whose monitor is gone is exited 255; its restart policy applies; a live one is watched again', async () => {
  const { dir, ids } = await firstDaemon();
  const e2 = fakeEngine(dir);
  try {
    // conmon kept "alive" running (its pid is a live process): reattach to it
    const survivor = new FakeTask(ids.alive!, process.pid);
    e2.runtime.survivors.set(ids.alive!, survivor);
    await e2.svc.restore();
    const gone = onDisk(dir, ids.gone!);
    assert.deepEqual([gone.state.status, gone.state.exitCode, gone.state.pid], ['exited', 255, 0]);
    assert.equal(e2.store.get(ids.alive!)?.state.status, 'running');
    // "flap" has restart=always: restarting, then started again by the new daemon
    await until(() => e2.store.get(ids.flap!)?.state.status === 'running' && e2.runtime.tasks.length === 1);
    assert.equal(e2.store.get(ids.flap!)?.restartCount, 1);
    // the reattached task's exit is handled like any other
    survivor.exit(7);
    const w = await e2.svc.wait(ids.alive!, 'not-running', new AbortController().signal);
    await until(() => e2.store.get(ids.alive!)?.state.status === 'exited');
    assert.equal(onDisk(dir, ids.alive!).state.exitCode, 7);
    assert.equal(w.statusCode, 7);
    await e2.svc.kill(ids.flap!);
  } finally {
    e2.close();
  }
});

test('restore: a record left in "removing" (a crash mid-rm) is removed', async () => {
  const e1 = fakeEngine();
  const { id: Id } = await e1.svc.create({ name: 'xy', config: { Image: 'busybox' } });
  // what a crash between marking and deleting would leave on disk
  const file = path.join(e1.dir, 'containers', Id, 'config.v2.json');
  const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as ContainerRecord;
  fs.writeFileSync(file, JSON.stringify({ ...rec, state: { ...rec.state, status: 'removing' } }));
  await assertRestoreRemoves(e1.dir, Id);
});

test('restore: an auto-removed container left running on disk (its exit is never written: a crash before its removal) is removed', async () => {
  const e1 = fakeEngine();
  const { id: Id } = await e1.svc.create({
    name: 'rm1',
    config: { Image: 'busybox' },
    hostConfig: { AutoRemove: true },
  });
  await e1.svc.start(Id);
  e1.svc.supervisor.close();
  assert.equal(onDisk(e1.dir, Id).state.status, 'running');
  await assertRestoreRemoves(e1.dir, Id);
});
