import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StdDemuxer, frame } from './stdcopy.js';

test('demuxes frames split across chunks', () => {
  const out: string[] = [];
  const err: string[] = [];
  const d = new StdDemuxer({ stdout: (b) => out.push(b.toString()), stderr: (b) => err.push(b.toString()) });
  const all = Buffer.concat([frame(1, 'hello\n'), frame(2, 'oops\n'), frame(1, 'bye')]);
  for (let i = 0; i < all.length; i += 3) d.push(all.subarray(i, i + 3));
  assert.deepEqual(out, ['hello\n', 'bye']);
  assert.deepEqual(err, ['oops\n']);
  assert.equal(d.pending, 0);
});

test('systemerr frames go to their own sink; unknown stream throws', () => {
  let sys = '';
  const d = new StdDemuxer({ stdout: () => {}, stderr: () => {}, systemErr: (t) => (sys = t) });
  d.push(frame(3, 'boom'));
  assert.equal(sys, 'boom');
  const bad = frame(1, 'x');
  bad[0] = 7;
  assert.throws(() => d.push(bad), /Unrecognized input header: 7/);
});

test('keeps an incomplete frame pending', () => {
  const d = new StdDemuxer({ stdout: () => {}, stderr: () => {} });
  d.push(frame(1, 'abcdef').subarray(0, 10));
  assert.equal(d.pending, 10);
});
