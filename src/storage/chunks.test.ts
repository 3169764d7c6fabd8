import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { chunks } from './chunks.js';

test('chunks yields the written buffers themselves, not concatenations', async () => {
  const bufs = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1000, i));
  const p = new PassThrough({ highWaterMark: 1 << 20 });
  for (const b of bufs) p.write(b); // all buffered before reading starts
  p.end();
  const got: Buffer[] = [];
  for await (const c of chunks(p)) got.push(c);
  assert.equal(got.length, 50);
  assert.ok(got.every((c, i) => c === bufs[i]));
});

test('chunks applies backpressure, reports errors and premature close, and stops the source on break', async () => {
  let reads = 0;
  // 64 KiB chunks over a 16 KiB highWaterMark: the source's own buffer holds one chunk ahead
  const slow = new Readable({
    read() {
      reads++;
      this.push(Buffer.alloc(65536));
      if (reads === 100) this.push(null);
    },
  });
  let n = 0;
  for await (const c of chunks(slow)) {
    n++;
    if (n === 5) {
      await new Promise((r) => setTimeout(r, 20)); // a slow consumer: the source must wait
      assert.ok(reads < 30, `read ahead ${reads}`);
    }
    assert.equal(c.length, 65536);
  }
  assert.equal(n, 100);

  const bad = new PassThrough();
  bad.write('a');
  setImmediate(() => bad.destroy(new Error('boom')));
  await assert.rejects(async () => {
    for await (const _ of chunks(bad)) {
      /* drain */
    }
  }, /boom/);

  const cut = new PassThrough();
  setImmediate(() => cut.destroy());
  await assert.rejects(async () => {
    for await (const _ of chunks(cut)) {
      /* drain */
    }
  }, /Premature close/);

  const src = new PassThrough();
  src.write('x');
  for await (const _ of chunks(src)) break;
  assert.equal(src.destroyed, true);
});
