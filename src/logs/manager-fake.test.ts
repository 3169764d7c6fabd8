// The LogManager's shipper over a fake shipped driver: what reaches a driver's sink, and when.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testDir } from '../util/test-dirs.js';
import type { K8sRecord } from './common/k8s-follower.js';
import type { LogDriver, LogTarget } from './driver.js';
import { LogManager } from './manager.js';

const line = (i: number) => `2026-01-01T00:00:0${i}.000000001+00:00 stdout F n${i}\n`;

interface FakeShip {
  driver: LogDriver;
  written: string[];
  opened: boolean[]; // `resuming` of each openSink
  closed: number;
}

function fakeShipped(fail?: NodeJS.ErrnoException): FakeShip {
  const f: FakeShip = { written: [], opened: [], closed: 0, driver: undefined as never };
  f.driver = {
    name: 'fake',
    validate: () => {},
    sizeMax: () => -1,
    logPath: () => '',
    async openSink(_t, _ctx, resuming) {
      f.opened.push(resuming);
      return {
        write: async (records: K8sRecord[]) => {
          if (fail) throw fail;
          for (const r of records) f.written.push(r.line.toString());
        },
        close: async () => void f.closed++,
      };
    },
  };
  return f;
}

async function targetIn(prefix: string): Promise<LogTarget> {
  const dir = await testDir(prefix);
  return {
    id: 'f'.repeat(64),
    name: 'c',
    image: 'i',
    imageId: 'i',
    logConfig: { Type: 'fake', Config: {} },
    k8sPath: join(dir, 'ctr.log'),
  };
}

const manager = (driver: LogDriver, log?: (level: string, m: string) => void) =>
  new LogManager({
    defaults: { Type: 'fake', Config: {} },
    pollMs: 10,
    drivers: new Map([[driver.name, driver]]),
    log,
  });

test('LogManager ships through the driver in its table: in order, and resumes after a restart without repeats', async () => {
  const f = fakeShipped();
  const t = await targetIn('berth-fake-ship-');
  await writeFile(t.k8sPath, line(0) + line(1));
  const m = manager(f.driver);
  m.follow(t);
  await m.flush(t.id); // the container exited: everything so far is forwarded
  assert.deepEqual(f.written, ['n0\n', 'n1\n']);
  await appendFile(t.k8sPath, line(2));
  const m2 = manager(f.driver); // berthd restarted
  m2.follow(t);
  await m2.flush(t.id);
  assert.deepEqual(f.written, ['n0\n', 'n1\n', 'n2\n']);
  assert.deepEqual(f.opened, [false, true], 'the second sink knows it resumes');
  assert.equal(f.closed, 2);
});

test('LogManager: a full disk drops lines with a warning and never stops the shipper', async () => {
  const enospc = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
  const f = fakeShipped(enospc);
  const t = await targetIn('berth-fake-full-');
  await writeFile(t.k8sPath, line(0) + line(1));
  const warnings: string[] = [];
  const m = manager(f.driver, (level, msg) => level === 'warn' && warnings.push(msg));
  m.follow(t);
  await m.flush(t.id);
  assert.deepEqual(f.written, []);
  assert.equal(f.closed, 1, 'the sink was closed normally');
  assert.ok(
    warnings.some((w) => w.includes('dropping lines until there is space')),
    warnings.join('\n'),
  );
});

test('LogManager: drivers without a sink are not shipped; without a reader, docker logs is refused', async () => {
  const t = await targetIn('berth-fake-none-');
  const logged: string[] = [];
  const plain: LogDriver = {
    name: 'fake',
    validate: () => {},
    sizeMax: () => 1234,
    logPath: () => '/x',
    openSink: undefined,
  };
  const m = manager(plain, (_l, msg) => logged.push(msg));
  m.follow(t);
  await m.flush(t.id);
  assert.equal(m.sizeMax(t.logConfig), 1234);
  assert.equal(m.logPath(t), '/x');
  assert.throws(() => m.readBatches(t, { follow: false, stdout: true, stderr: true }, new AbortController().signal), {
    message: 'configured logging driver does not support reading',
  });
  assert.deepEqual(logged, [], 'no shipper ran, so none logged');
});

test('LogManager: a read right after the container wrote sees it (the shipper catches up first, as Docker’s copier guarantees)', async () => {
  const f = fakeShipped();
  const sink = f.driver.openSink!;
  const slow: LogDriver = {
    ...f.driver,
    // a slow sink: before the catch-up, a read found nothing shipped yet
    openSink: async (t, ctx, resuming) => {
      const s = await sink(t, ctx, resuming);
      return { ...s, write: async (r) => (await new Promise((ok) => setTimeout(ok, 50)), s.write(r)) };
    },
    // reads what the sink holds at the time the read starts
    reader: () => ({
      readBatches: async function* () {
        yield f.written.map((l) => ({ stream: 'stdout' as const, time: 0n, timestamp: '', line: Buffer.from(l) }));
      },
    }),
  };
  const t = await targetIn('berth-fake-catchup-');
  await writeFile(t.k8sPath, line(0) + line(1));
  const m = manager(slow);
  m.follow(t);
  const got: string[] = [];
  for await (const b of m.readBatches(t, { follow: false, stdout: true, stderr: true }, new AbortController().signal))
    for (const msg of b) got.push(msg.line.toString());
  assert.deepEqual(got, ['n0\n', 'n1\n']);
  await m.flush(t.id);
});

test('LogManager: a shipped driver gets a conmon cap far above the shipper rotation (the backstop with berthd down)', () => {
  const f = fakeShipped();
  const m = new LogManager({
    defaults: { Type: 'fake', Config: {} },
    rotateAt: 1000,
    drivers: new Map([[f.driver.name, f.driver]]),
  });
  const cap = m.sizeMax({ Type: 'fake', Config: {} });
  assert.ok(cap >= 4 * 1000, `conmon's cap ${cap} must leave the shipper room to rotate first`);
  assert.ok(cap > 0, 'never unbounded');
});
