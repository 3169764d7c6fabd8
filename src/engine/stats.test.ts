import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CgroupStats } from '../runtime/cgroups.js';
import type { Sample } from '../runtime/cgroups-sampler.js';
import { ContainerStats, type StatsFrame, type StatsSource } from './stats.js';
import type { ContainerRecord } from './types.js';

/** A sampler the test drives by hand: push() delivers a sample to every watcher. */
class FakeSource implements StatsSource {
  watchers = new Set<(s: Sample | null) => void>();
  watched: Array<{ id: string; pid: number }> = [];
  watch(id: string, pid: number, fn: (s: Sample | null) => void): () => void {
    this.watched.push({ id, pid });
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }
  push(s: Sample | null): void {
    for (const w of [...this.watchers]) w(s);
  }
}

const sample = (n: number): Sample => ({
  stats: { systemUsage: n } as unknown as CgroupStats,
  networks: { eth0: {} as Sample['networks'][string] },
  at: new Date(n * 1000),
});
const rec = (status: string, pid: number, networkMode = 'bridge'): ContainerRecord =>
  ({
    id: 'c1',
    name: 'web',
    state: { status, pid },
    hostConfig: { NetworkMode: networkMode },
  }) as unknown as ContainerRecord;

function run(src: FakeSource, r: ContainerRecord, stream: boolean, ac = new AbortController()) {
  const frames: StatsFrame[] = [];
  const done = new ContainerStats(src).stream(r, { stream }, ac.signal, (f) => frames.push(f));
  return { frames, done, ac };
}

test('a container that is not running gets one empty frame and no watch', async () => {
  const src = new FakeSource();
  const { frames, done } = run(src, rec('exited', 0), true);
  await done;
  assert.deepEqual(frames, [{ id: 'c1', name: 'web', withNetworks: true, cur: null, prev: null }]);
  assert.equal(src.watched.length, 0);
});

test('one-shot: the first sample is held back, the second is sent with it as prev, then the watch ends', async () => {
  const src = new FakeSource();
  const { frames, done } = run(src, rec('running', 42), false);
  assert.deepEqual(src.watched, [{ id: 'c1', pid: 42 }]);
  src.push(sample(1));
  assert.equal(frames.length, 0);
  src.push(sample(2));
  await done;
  assert.equal(frames.length, 1);
  assert.equal(frames[0].cur?.at.getTime(), 2000);
  assert.equal(frames[0].prev?.at.getTime(), 1000);
  assert.equal(src.watchers.size, 0, 'unwatched');
});

test('streaming: a frame per sample, each with the previous one, until the client aborts', async () => {
  const src = new FakeSource();
  const { frames, done, ac } = run(src, rec('running', 42), true);
  src.push(sample(1));
  src.push(sample(2));
  src.push(sample(3));
  ac.abort();
  await done;
  assert.deepEqual(
    frames.map((f) => [f.cur?.at.getTime(), f.prev?.at.getTime() ?? null]),
    [
      [1000, null],
      [2000, 1000],
      [3000, 2000],
    ],
  );
  assert.equal(src.watchers.size, 0);
  src.push(sample(4)); // after the end nothing more is sent
  assert.equal(frames.length, 3);
});

test('the container stopping mid-stream sends one empty frame and ends the stream', async () => {
  const src = new FakeSource();
  const { frames, done } = run(src, rec('running', 42), true);
  src.push(sample(1));
  src.push(null);
  await done;
  assert.equal(frames.length, 2);
  assert.equal(frames[1].cur, null);
  assert.equal(frames[1].prev, null);
});

test('a client that left before the stream started ends it without frames', async () => {
  const src = new FakeSource();
  const ac = new AbortController();
  ac.abort();
  const { frames, done } = run(src, rec('running', 42), true, ac);
  await done;
  src.push(sample(1));
  assert.equal(frames.length, 0);
  assert.equal(src.watchers.size, 0);
});

test('host networking: frames say not to show networks', async () => {
  const src = new FakeSource();
  const { frames, done, ac } = run(src, rec('running', 42, 'host'), true);
  src.push(sample(1));
  ac.abort();
  await done;
  assert.equal(frames[0].withNetworks, false);
});

test('the engine seeing the container stop ends a stream whose cgroup lingers; the watch ends with the stream', async () => {
  const src = new FakeSource();
  let stop!: () => void;
  const watches: AbortSignal[] = [];
  const stopped = (_id: string, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      watches.push(signal);
      stop = resolve;
      signal.addEventListener('abort', () => reject(new Error('client left')));
    });
  const frames: StatsFrame[] = [];
  const done = new ContainerStats(src, stopped).stream(
    rec('running', 42),
    { stream: true },
    new AbortController().signal,
    (f) => frames.push(f),
  );
  src.push(sample(1));
  stop(); // no fn(null) from the sampler: the cgroup is still there
  await done;
  assert.equal(frames.length, 2);
  assert.equal(frames[1]!.cur, null, 'a last empty frame, as when the cgroup goes');
  assert.equal(src.watchers.size, 0, 'unwatched');

  // a stream that ends by itself (one-shot) ends its engine watch too: no waiter piles up
  const second = new ContainerStats(src, stopped).stream(
    rec('running', 42),
    { stream: false },
    new AbortController().signal,
    () => {},
  );
  src.push(sample(1));
  src.push(sample(2));
  await second;
  assert.equal(watches[1]!.aborted, true);
});
