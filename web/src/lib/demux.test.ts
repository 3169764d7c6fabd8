import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter, StdDemux } from './demux.js';

const frame = (stream: number, text: string) => {
  const body = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
};

test('frames split anywhere come out whole, with their stream', () => {
  const all = Buffer.concat([frame(1, 'out one\n'), frame(2, 'err\n'), frame(1, 'out two\n')]);
  for (let cut = 1; cut < all.length; cut++) {
    const d = new StdDemux();
    const got = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
    assert.deepEqual(
      got.map((c) => [c.stream, Buffer.from(c.data).toString()]),
      [
        ['stdout', 'out one\n'],
        ['stderr', 'err\n'],
        ['stdout', 'out two\n'],
      ],
      `cut at ${cut}`,
    );
  }
});

test('a frame bigger than 16 MiB headers is sized as unsigned', () => {
  const d = new StdDemux();
  const h = Buffer.from([1, 0, 0, 0, 0x80, 0, 0, 0]);
  assert.deepEqual(d.push(h), [], 'waits for 2 GiB, never a negative size');
});

test('lines are split per stream, a multi-byte character across chunks intact, CR dropped', () => {
  const s = new LineSplitter();
  const euro = Buffer.from('€');
  assert.deepEqual(s.push('stdout', Buffer.concat([Buffer.from('a\r\nb'), euro.subarray(0, 1)])), ['a']);
  assert.deepEqual(s.push('stderr', Buffer.from('e1\n')), ['e1']);
  assert.deepEqual(s.push('stdout', Buffer.concat([euro.subarray(1), Buffer.from('\n')])), ['b€']);
});
