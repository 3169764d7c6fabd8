// The log driver contract, run against every driver in the one table: what a container writes is
// what `docker logs` reads back, with tail, since, until, the stream filter and follow. Drivers that
// keep their own file get the records through their sink (as the shipper hands them over); the
// others are read from conmon's k8s-file, which the test writes as conmon does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testDir } from '../util/test-dirs.js';
import type { K8sRecord } from './common/k8s-follower.js';
import type { LogMessage, ReadOptions } from './common/log-reader.js';
import { formatRFC3339NanoFixed } from './common/timestamps.js';
import type { DriverContext, LogDriver, LogSink, LogTarget } from './driver.js';
import { LOG_DRIVER_TABLE } from './drivers.js';
import { LogManager } from './manager.js';
import { latch } from '../util/latch.js';

const CTX: DriverContext = { daemonName: 'berth', pollMs: 10 };
const T0 = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z
const SEC = 1_000_000_000n;

const record = (i: number): K8sRecord => ({
  stream: i % 3 === 2 ? 'stderr' : 'stdout',
  time: T0 + BigInt(i) * SEC,
  line: Buffer.from(`line ${i}\n`),
  partial: false,
});
const records = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => record(from + k));
/** conmon's k8s-file line for a record: F for a full line, P for a piece of one. */
const k8sLine = (r: K8sRecord) =>
  `${formatRFC3339NanoFixed(r.time)} ${r.stream} ${r.partial ? 'P' : 'F'} ${r.line.toString().replace(/\n$/, '')}\n`;

interface Fixture {
  driver: LogDriver;
  target: LogTarget;
  /** What the container printed: into conmon's file, and through the sink when the driver keeps its own. */
  write(rs: K8sRecord[]): Promise<void>;
  read(o: Partial<ReadOptions>, signal?: AbortSignal, done?: Promise<void>): AsyncIterable<LogMessage[]>;
  close(): Promise<void>;
}

async function fixture(driver: LogDriver): Promise<Fixture> {
  const dir = await testDir(`berth-contract-${driver.name}-`);
  const id = 'c0ffee'.padEnd(64, '0');
  const target: LogTarget = {
    id,
    name: 'ctr',
    image: 'busybox',
    imageId: 'sha256:' + 'a'.repeat(64),
    logConfig: { Type: driver.name, Config: {} },
    k8sPath: join(dir, 'ctr.log'),
  };
  await appendFile(target.k8sPath, '');
  const ownFile = driver.openSink !== undefined && driver.logPath(id, target.k8sPath) !== '';
  const sink: LogSink | null = ownFile ? await driver.openSink!(target, CTX, false) : null;
  return {
    driver,
    target,
    write: async (rs) => {
      await appendFile(target.k8sPath, rs.map(k8sLine).join(''));
      if (sink) await sink.write(rs);
    },
    read: (o, signal = new AbortController().signal, done) =>
      driver.reader!(target, CTX).readBatches({ follow: false, stdout: true, stderr: true, ...o }, signal, done),
    close: async () => sink?.close(),
  };
}

/** Reads to the end; the lines' numbers. */
async function numbers(it: AsyncIterable<LogMessage[]>): Promise<number[]> {
  const out: number[] = [];
  for await (const b of it) for (const m of b) out.push(Number(m.line.toString().split(' ')[1]));
  return out;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
const readable = [...LOG_DRIVER_TABLE.values()].filter((d) => d.reader);

test('contract: the table has readable drivers and Docker’s default among them', () => {
  assert.ok(readable.some((d) => d.name === 'json-file'));
  assert.ok(readable.length >= 3);
});

for (const driver of readable) {
  test(`contract ${driver.name}: messages read back whole, in order, with stream and time`, async () => {
    const f = await fixture(driver);
    await f.write(records(0, 10));
    const got: LogMessage[] = [];
    for await (const b of f.read({})) got.push(...b);
    assert.deepEqual(
      got.map((m) => [m.stream, m.line.toString(), m.time, m.timestamp]),
      records(0, 10).map((r) => [r.stream, r.line.toString(), r.time, formatRFC3339NanoFixed(r.time)]),
    );
    await f.close();
  });

  test(`contract ${driver.name}: tail, since, until and the stream filter select like Docker`, async () => {
    const f = await fixture(driver);
    await f.write(records(0, 10));
    assert.deepEqual(await numbers(f.read({ tail: 3 })), [7, 8, 9]);
    assert.deepEqual(await numbers(f.read({ tail: 100 })), range(0, 10));
    assert.deepEqual(await numbers(f.read({ tail: -1 })), range(0, 10));
    assert.deepEqual(await numbers(f.read({ since: T0 + 4n * SEC })), range(4, 10));
    assert.deepEqual(await numbers(f.read({ until: T0 + 6n * SEC })), range(0, 7));
    assert.deepEqual(await numbers(f.read({ since: T0 + 3n * SEC, until: T0 + 5n * SEC })), [3, 4, 5]);
    // tail first, then since (json-file's order): of the last 5, those from 6 on
    assert.deepEqual(await numbers(f.read({ tail: 5, since: T0 + 6n * SEC })), [6, 7, 8, 9]);
    assert.deepEqual(
      await numbers(f.read({ stderr: false })),
      range(0, 10).filter((i) => i % 3 !== 2),
    );
    assert.deepEqual(await numbers(f.read({ stdout: false })), [2, 5, 8]);
    assert.deepEqual(await numbers(f.read({ stdout: false, stderr: false })), []);
    await f.close();
  });

  test(`contract ${driver.name}: follow delivers later output and ends when the container is done`, async () => {
    const f = await fixture(driver);
    await f.write(records(0, 3));
    const { promise: done, open: finish } = latch();
    const got: number[] = [];
    const reading = (async () => {
      for await (const b of f.read({ follow: true, tail: 1 }, undefined, done)) {
        for (const m of b) got.push(Number(m.line.toString().split(' ')[1]));
        // the first batch is the tail: now the container prints more, then exits
        if (got.length === 1)
          void f.write(records(3, 6)).then(async () => {
            await f.write(records(6, 8));
            finish();
          });
      }
    })();
    await reading;
    assert.deepEqual(got, [2, 3, 4, 5, 6, 7]);
    await f.close();
  });

  test(`contract ${driver.name}: a line cut into pieces reads back as the same bytes`, async () => {
    const f = await fixture(driver);
    const piece = (i: number, text: string, partial: boolean): K8sRecord => ({
      stream: 'stdout',
      time: T0 + BigInt(i) * SEC,
      line: Buffer.from(text),
      partial,
    });
    await f.write([piece(0, 'hel', true), piece(1, 'lo\n', false), piece(2, 'next\n', false)]);
    const out: string[] = [];
    for await (const b of f.read({})) for (const m of b) out.push(m.line.toString());
    assert.equal(out.join(''), 'hello\nnext\n');
    await f.close();
  });

  test(`contract ${driver.name}: follow stops when the client goes away`, async () => {
    const f = await fixture(driver);
    await f.write(records(0, 2));
    const ac = new AbortController();
    const got: number[] = [];
    for await (const b of f.read({ follow: true }, ac.signal, new Promise<void>(() => {}))) {
      for (const m of b) got.push(Number(m.line.toString().split(' ')[1]));
      if (got.length === 2) ac.abort();
    }
    assert.deepEqual(got, [0, 1]);
    await f.close();
  });
}

for (const driver of LOG_DRIVER_TABLE.values()) {
  test(`contract ${driver.name}: shipped drivers leave rotation to the shipper; unreadable ones refuse docker logs`, async () => {
    const cfg = { Type: driver.name, Config: {} };
    if (driver.openSink)
      assert.equal(driver.sizeMax(cfg), -1, 'conmon must not rotate a file the shipper is still reading');
    else assert.ok(driver.sizeMax(cfg) !== 0);
    if (driver.reader) return;
    const m = new LogManager({ defaults: { Type: 'json-file', Config: {} } });
    const dir = await testDir('berth-contract-none-');
    const t: LogTarget = {
      id: 'x',
      name: 'x',
      image: 'i',
      imageId: 'i',
      logConfig: cfg,
      k8sPath: join(dir, 'ctr.log'),
    };
    assert.throws(() => m.readBatches(t, { follow: false, stdout: true, stderr: true }, new AbortController().signal), {
      message: 'configured logging driver does not support reading',
    });
  });
}
