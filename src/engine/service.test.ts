// The container service over fakes (runtime, ports, temp-dir store): legal and illegal transitions
// with Docker's 409 texts, what is persisted and emitted, stop/kill/restart ordering, and the one
// writer's queue (updateRecord).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { EngineError } from '../errdefs.js';
import { type FakeEngine, fakeEngine } from './testing.js';
import type { ContainerRecord } from './types.js';

let eng: FakeEngine | undefined;
afterEach(() => eng?.close());

async function setup(hostConfig: Record<string, unknown> = {}): Promise<FakeEngine & { id: string }> {
  eng = fakeEngine();
  const { id: Id } = await eng.svc.create({ name: 'web', config: { Image: 'busybox' }, hostConfig });
  return { ...eng, id: Id };
}

/** An EngineError of that kind whose message is exactly text. */
const rejectsWith = (p: Promise<unknown>, kind: string, text: string) =>
  assert.rejects(p, (e: unknown) => e instanceof EngineError && e.kind === kind && e.message === text);

/** The record as persisted on disk. */
function onDisk(e: FakeEngine, id: string): ContainerRecord {
  return JSON.parse(fs.readFileSync(path.join(e.store.dir(id), 'config.v2.json'), 'utf8')) as ContainerRecord;
}

const status = (e: FakeEngine, id: string) => e.store.get(id)?.state.status;

/** Polls (no time limit of its own: the test's timeout is the bound). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

test('create, start, pause, unpause, stop: each status persisted and its event emitted', async () => {
  const e = await setup();
  assert.equal(onDisk(e, e.id).state.status, 'created');
  await e.svc.start('web');
  assert.equal(onDisk(e, e.id).state.status, 'running');
  assert.equal(onDisk(e, e.id).state.pid, e.runtime.last().pid);
  await e.svc.pause('web');
  assert.equal(onDisk(e, e.id).state.status, 'paused');
  await e.svc.unpause('web');
  assert.equal(onDisk(e, e.id).state.status, 'running');
  await e.svc.stop('web', { timeout: 5 });
  const rec = onDisk(e, e.id);
  assert.deepEqual(
    [rec.state.status, rec.state.exitCode, rec.state.pid, rec.manuallyStopped],
    ['exited', 143, 0, true],
  );
  // moby's stop: kill (the signal sent), die, then stop
  assert.deepEqual(e.events, ['create', 'start', 'pause', 'unpause', 'kill', 'die', 'stop']);
  assert.deepEqual(e.runtime.last().signals, [15]);
});

test("illegal requests get Docker's statuses and texts and change nothing", async () => {
  const e = await setup();
  const id = e.id;
  await rejectsWith(e.svc.kill('web'), 'conflict', `Container ${id} is not running`);
  await rejectsWith(e.svc.pause('web'), 'conflict', `Container ${id} is not running`);
  await rejectsWith(e.svc.unpause('web'), 'conflict', `Container ${id} is not paused`);
  await rejectsWith(e.svc.stop('web'), 'not-modified', '');
  await e.svc.start('web');
  await rejectsWith(e.svc.start('web'), 'not-modified', '');
  await rejectsWith(
    e.svc.remove('web'),
    'conflict',
    `You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`,
  );
  await e.svc.pause('web');
  await rejectsWith(e.svc.pause('web'), 'conflict', `Container ${id} is already paused`);
  await rejectsWith(e.svc.start('web'), 'conflict', 'cannot start a paused container, try unpause instead');
  await rejectsWith(
    e.svc.remove('web'),
    'conflict',
    `You cannot remove a paused container ${id}. Unpause and then stop the container before attempting removal or force remove`,
  );
  assert.equal(status(e, id), 'paused');
  assert.equal(onDisk(e, id).state.status, 'paused');
  assert.deepEqual(e.events, ['create', 'start', 'pause']);
});

test('a failed start keeps the status (created), records the error and exit code 127, and is 400', async () => {
  const e = await setup();
  e.runtime.failNext = 'exec: "nope": executable file not found in $PATH';
  await assert.rejects(
    async () => e.svc.start('web'),
    (x: unknown) => x instanceof EngineError && x.kind === 'invalid',
  );
  const rec = onDisk(e, e.id);
  assert.deepEqual(
    [rec.state.status, rec.state.exitCode, rec.state.error],
    ['created', 127, 'exec: "nope": executable file not found in $PATH'],
  );
  assert.deepEqual(e.events, ['create']);
});

test('stop of a paused container thaws it (unpause event) so the signal is seen', async () => {
  const e = await setup();
  await e.svc.start('web');
  await e.svc.pause('web');
  await e.svc.stop('web', { timeout: 5 });
  assert.equal(status(e, e.id), 'exited');
  assert.deepEqual(e.runtime.last().calls, ['start', 'pause', 'resume', 'delete']);
  assert.deepEqual(e.events, ['create', 'start', 'pause', 'kill', 'unpause', 'die', 'stop']);
});

test('stop timeout 0 on a process ignoring SIGTERM: SIGKILL follows', async () => {
  const e = await setup();
  await e.svc.start('web');
  e.runtime.last().ignoreTerm = true;
  await e.svc.stop('web', { timeout: 0 });
  assert.deepEqual(e.runtime.last().signals, [15, 9]);
  assert.equal(onDisk(e, e.id).state.exitCode, 137);
});

test('kill interrupts a stop waiting out its timeout (the queue does not hold the wait)', async () => {
  const e = await setup();
  await e.svc.start('web');
  const task = e.runtime.last();
  task.ignoreTerm = true;
  const stopping = e.svc.stop('web', { timeout: 3600 });
  while (task.signals.length === 0) await new Promise((r) => setImmediate(r));
  await e.svc.kill('web');
  await stopping;
  assert.deepEqual(task.signals, [15, 9]);
  assert.deepEqual(e.events, ['create', 'start', 'kill', 'kill', 'die', 'stop']);
  assert.equal(status(e, e.id), 'exited');
});

test('stop queued behind a start in progress stops the started container (Docker holds the container lock)', async () => {
  const e = await setup();
  let open!: () => void;
  e.runtime.gate = new Promise((r) => (open = r));
  const starting = e.svc.start('web');
  const stopping = e.svc.stop('web', { timeout: 5 });
  open();
  await starting;
  await stopping;
  assert.equal(status(e, e.id), 'exited');
  assert.deepEqual(e.events, ['create', 'start', 'kill', 'die', 'stop']);
});

test('restart: stop, then start; a restart event after the new start', async () => {
  const e = await setup();
  await e.svc.start('web');
  await e.svc.restart('web', 5);
  assert.equal(e.runtime.tasks.length, 2);
  assert.equal(status(e, e.id), 'running');
  assert.deepEqual(e.events, ['create', 'start', 'kill', 'die', 'stop', 'start', 'restart']);
  await e.svc.kill('web');
});

test('restart policy on-failure: restarting (persisted), then running again with RestartCount 1', async () => {
  const e = await setup({ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 1 } });
  await e.svc.start('web');
  e.runtime.last().exit(3);
  // persisted, so a daemon restart resumes the policy
  await until(() => onDisk(e, e.id).state.status === 'restarting');
  await until(() => e.runtime.tasks.length === 2 && status(e, e.id) === 'running');
  assert.equal(e.store.get(e.id)?.restartCount, 1);
  // the retry count is used up: the next failure leaves it exited
  e.runtime.last().exit(3);
  await e.svc.wait('web', 'not-running', new AbortController().signal);
  await until(() => status(e, e.id) === 'exited');
  assert.deepEqual(e.events, ['create', 'start', 'die', 'start', 'restart', 'die']);
});

test('stop of a container waiting for its restart: the timer is cancelled, it stays exited; kill then is 409', async () => {
  const e = await setup({ RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } });
  await e.svc.start('web');
  // a container that keeps failing: its back-off has grown to a minute, so the restart cannot race the test
  for (let i = 0; i < 12; i++) e.svc.supervisor.restartDelay(e.id, 0);
  e.runtime.last().exit(1);
  await until(() => status(e, e.id) === 'restarting');
  await rejectsWith(e.svc.kill('web'), 'conflict', `Container ${e.id} is not running`);
  await e.svc.stop('web');
  assert.equal(onDisk(e, e.id).state.status, 'exited');
  assert.equal(e.svc.supervisor.pending(e.id, 'restart'), false);
  assert.equal(e.runtime.tasks.length, 1);
});

test('rm -f of a running container: SIGKILL, exit handled, record and directory gone, waiters for removal told', async () => {
  const e = await setup();
  await e.svc.start('web');
  const removed = e.svc.wait('web', 'removed', new AbortController().signal);
  await e.svc.remove('web', { force: true });
  assert.deepEqual(e.runtime.last().signals, [9]);
  assert.equal(e.store.get(e.id), undefined);
  assert.equal(fs.existsSync(e.store.dir(e.id)), false);
  assert.equal((await removed).statusCode, 137);
  assert.deepEqual(e.events, ['create', 'start', 'die', 'destroy']);
  await assert.rejects(
    async () => e.svc.start('web'),
    (x: unknown) => x instanceof EngineError && x.kind === 'not-found',
  );
});

test('AutoRemove: the container is removed after it exits', async () => {
  const e = await setup({ AutoRemove: true });
  await e.svc.start('web');
  const removed = e.svc.wait('web', 'removed', new AbortController().signal);
  e.runtime.last().exit(0);
  await removed;
  assert.equal(e.store.get(e.id), undefined);
});

test('updateRecord: mutations of one container run one at a time, in order, and are persisted', async () => {
  const e = await setup();
  const order: string[] = [];
  const slow = e.svc.updateRecord('web', async (r) => {
    order.push('a begins');
    await new Promise((res) => setTimeout(res, 20));
    r.config.Labels = { ...r.config.Labels, a: '1' };
    order.push('a ends');
  });
  const fast = e.svc.updateRecord(e.id, (r) => {
    order.push('b');
    r.config.Labels = { ...r.config.Labels, b: '2' };
  });
  await Promise.all([slow, fast]);
  assert.deepEqual(order, ['a begins', 'a ends', 'b']);
  assert.deepEqual(onDisk(e, e.id).config.Labels, { a: '1', b: '2' });
});

test('updateRecord cannot change the status, nor touch a removed container', async () => {
  const e = await setup();
  await assert.rejects(
    e.svc.updateRecord('web', (r) => {
      Object.assign(r, { state: { ...r.state, status: 'running' } });
    }),
    (x: unknown) => x instanceof EngineError && x.kind === 'internal',
  );
  assert.equal(onDisk(e, e.id).state.status, 'created');
  await e.svc.remove('web');
  await assert.rejects(
    async () => e.svc.updateRecord(e.id, () => {}),
    (x: unknown) => x instanceof EngineError && x.kind === 'not-found',
  );
});

test("rename: the new name is persisted, the old one freed; a taken name is Docker's conflict", async () => {
  const e = await setup();
  const { id: other } = await e.svc.create({ name: 'db', config: { Image: 'busybox' } });
  await rejectsWith(
    e.svc.rename('web', 'db'),
    'conflict',
    `Conflict. The container name "/db" is already in use by container "${other}". You have to remove (or rename) that container to be able to reuse that name.`,
  );
  await e.svc.rename('web', 'api');
  assert.equal(onDisk(e, e.id).name, 'api');
  assert.equal(e.store.nameOwner('web'), undefined);
  assert.equal(e.events.at(-1), 'rename');
});

test('a start whose record cannot be saved (disk full) still starts: the task runs, memory holds the state', async () => {
  const e = await setup();
  const save = e.store.save.bind(e.store);
  e.store.save = async () => {
    throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
  };
  await e.svc.start('web'); // moby logs "failed to store container" and goes on
  assert.equal(status(e, e.id), 'running');
  assert.deepEqual(e.runtime.last().signals, [], 'the started task is not killed');
  assert.ok(e.events.includes('start'));
  e.store.save = save;
});
