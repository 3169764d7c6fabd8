import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import { frame } from '../api/wire/stdcopy.js';
import { CoalescingDemuxer, copyLogs } from './log-demux.js';

/** A seeded generator, so a failure is reproducible. */
function rng(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x / 0x80000000);
}

test('random frames cut at random places demux to the same bytes per stream', () => {
  for (let seed = 1; seed <= 50; seed++) {
    const r = rng(seed);
    const want = { 1: [] as Buffer[], 2: [] as Buffer[] };
    const frames: Buffer[] = [];
    for (let i = 0; i < 40; i++) {
      const s = ([0, 1, 1, 2, 3] as const)[Math.floor(r() * 5)]!;
      const p = Buffer.from(Array.from({ length: Math.floor(r() * 30) }, () => Math.floor(r() * 256)));
      frames.push(frame(s, p));
      want[s <= 1 ? 1 : 2].push(p);
    }
    const all = Buffer.concat(frames);
    const got = { 1: [] as Buffer[], 2: [] as Buffer[] };
    const d = new CoalescingDemuxer();
    for (let at = 0; at < all.length; ) {
      const n = 1 + Math.floor(r() * 50);
      d.push(all.subarray(at, at + n), (s, b) => got[s].push(Buffer.from(b)));
      at += n;
    }
    assert.deepEqual(Buffer.concat(got[1]), Buffer.concat(want[1]), `seed ${seed} stdout`);
    assert.deepEqual(Buffer.concat(got[2]), Buffer.concat(want[2]), `seed ${seed} stderr`);
    assert.equal(d.pending, 0);
  }
});

test('a chunk of many stdout frames is one write', () => {
  const chunk = Buffer.concat(Array.from({ length: 100 }, (_, i) => frame(1, `line ${i}\n`)));
  const writes: Buffer[] = [];
  new CoalescingDemuxer().push(chunk, (_s, b) => writes.push(b));
  assert.equal(writes.length, 1);
  assert.equal(writes[0]!.toString(), Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''));
});

test('an unknown stream id is an error with moby text', () => {
  assert.throws(() => new CoalescingDemuxer().push(Buffer.from([9, 0, 0, 0, 0, 0, 0, 1, 65]), () => {}), {
    message: 'Unrecognized input header: 9',
  });
});

/** A sink that completes writes on a later turn and is full past 4 bytes; `maxBacklog`: bytes queued before a write. */
function slowSink(): { w: Writable; got: Buffer[]; maxBacklog: () => number } {
  const got: Buffer[] = [];
  let max = 0;
  const w = new Writable({
    highWaterMark: 4,
    write(b: Buffer, _e, cb) {
      setImmediate(() => {
        got.push(b);
        cb();
      });
    },
  });
  const write = w.write.bind(w) as (b: Buffer) => boolean;
  w.write = ((b: Buffer) => ((max = Math.max(max, w.writableLength)), write(b))) as typeof w.write;
  return { w, got, maxBacklog: () => max };
}

test('copyLogs waits for a full stdout to drain and keeps the order', async () => {
  const chunks = Array.from({ length: 20 }, (_, i) => frame(1, `chunk ${i}\n`));
  const out = slowSink();
  await copyLogs(Readable.from(chunks), out.w, slowSink().w, false);
  await new Promise<void>((r) => out.w.end(r));
  assert.equal(Buffer.concat(out.got).toString(), Array.from({ length: 20 }, (_, i) => `chunk ${i}\n`).join(''));
  // without the wait for 'drain' every chunk's write would queue behind the first ones
  assert.equal(out.maxBacklog(), 0);
});

test('with a TTY the body is copied as it is', async () => {
  const out = slowSink();
  const body = Buffer.from([1, 0, 0, 0, 0, 0, 0, 2, 104, 105]);
  await copyLogs(Readable.from([body]), out.w, slowSink().w, true);
  await new Promise<void>((r) => out.w.end(r));
  assert.deepEqual(Buffer.concat(out.got), body);
});
