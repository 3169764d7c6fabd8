import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Events } from './events.js';
import { HealthMonitor, healthOf, recordResult, type HealthContainers, type ProbeExecs } from './health.js';
import { Supervisor } from './supervisor.js';
import type { ContainerRecord } from './types.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls; the test's own timeout bounds it (a loaded machine runs probes late, not never). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await wait(5);
}

/** A running container record with a 20 ms health check, a fake store and exec service. */
function fixture(exitCode: () => number) {
  const rec = {
    id: 'c1',
    name: 'web',
    execIds: [] as string[],
    config: {
      Image: 'busybox',
      Labels: {},
      Healthcheck: { Test: ['CMD', 'true'], Interval: 20e6, Timeout: 1e9, Retries: 2 },
    },
    state: { status: 'running', startedAt: new Date().toISOString() },
  } as unknown as ContainerRecord;
  const supervisor = new Supervisor();
  let updates = 0;
  const containers: HealthContainers = {
    supervisor,
    d: { store: { get: (id: string) => (id === rec.id ? rec : undefined), all: () => [rec] } },
    // the monitor records results through the container service, the record's one writer
    updateRecord: async (id, mutate) => {
      assert.equal(id, rec.id);
      updates++;
      await mutate(rec);
    },
  };
  const records = new Map<string, { exitCode: number | null; proc: null }>();
  let created = 0;
  const execs: ProbeExecs = {
    create: (id) => {
      const Id = `e${++created}`;
      records.set(Id, { exitCode: null, proc: null });
      (rec.execIds as string[]).push(Id);
      assert.equal(id, rec.id);
      return { id: Id };
    },
    start: async (Id, _o, client) => {
      client?.write('stdout', Buffer.from('ok\n'));
      records.get(Id)!.exitCode = exitCode();
    },
    get: (Id) => records.get(Id) as unknown as ReturnType<ProbeExecs['get']>,
    remove: (Id) => {
      records.delete(Id);
      const i = rec.execIds.indexOf(Id);
      if (i >= 0) rec.execIds.splice(i, 1);
    },
  };
  return { rec, containers, execs, records, supervisor, created: () => created, updates: () => updates };
}

test('probe execs are unregistered after each run: the exec map and ExecIDs do not grow', async () => {
  const f = fixture(() => 0);
  const events = new Events();
  const statuses: string[] = [];
  events.subscribe((e) => e.Action.startsWith('health_status') && statuses.push(e.Action));
  const m = new HealthMonitor(f.containers, f.execs, events);
  m.attach();
  events.emit('container', 'start', 'c1');
  try {
    await until(() => f.created() >= 7);
  } finally {
    m.close();
  }
  // a probe in flight at close() still finishes and records its result
  await until(() => f.updates() === f.created());
  assert.equal(f.records.size, 0, 'no exec record left behind');
  assert.deepEqual(f.rec.execIds, []);
  assert.equal(healthOf(f.rec)?.Status, 'healthy');
  assert.equal(healthOf(f.rec)?.Log.length, 5, 'the log keeps the last 5 results');
  assert.deepEqual(statuses, ['health_status: healthy']);
  assert.equal(f.supervisor.size, 0, 'close() cancelled the probe timer');
});

test('probes run on the supervisor: cancelling the container there stops them', async () => {
  const f = fixture(() => 1);
  const events = new Events();
  const m = new HealthMonitor(f.containers, f.execs, events);
  m.attach();
  events.emit('container', 'start', 'c1');
  try {
    await until(() => healthOf(f.rec)?.Status === 'unhealthy' && f.supervisor.pending('c1', 'health'));
    events.emit('container', 'die', 'c1');
    assert.equal(f.supervisor.pending('c1', 'health'), false);
    const n = f.created();
    await wait(80);
    assert.equal(f.created(), n, 'no probe after die');
  } finally {
    m.close();
  }
});

test('recordResult: failures count only after the start period', () => {
  const s0 = { Status: 'starting' as const, FailingStreak: 0, Log: [] };
  const bad = { Start: '', End: '', ExitCode: 1, Output: '' };
  assert.equal(recordResult(s0, bad, 1, true).Status, 'starting');
  assert.equal(recordResult(s0, bad, 1, false).Status, 'unhealthy');
});
