import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Demuxer, demuxAll, FrameParser, frame, frameAll, header, type StdFrame, type StdStream } from './stdcopy.js';

test('frame: 8-byte header then payload', () => {
  const f = frame(2, Buffer.from('oops'));
  assert.deepEqual([...f.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 4]);
  assert.equal(f.subarray(8).toString(), 'oops');
  assert.deepEqual([...frame(1, Buffer.alloc(0))], [1, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...header(1, 0x01020304)], [1, 0, 0, 0, 1, 2, 3, 4]);
  const big = frame(1, Buffer.alloc(70000, 0x61));
  assert.equal(big.readUInt32BE(4), 70000);
});

test('frameAll equals concatenated frames', () => {
  const fs: StdFrame[] = [
    { stream: 1, payload: Buffer.from('a\n') },
    { stream: 2, payload: Buffer.from('') },
    { stream: 1, payload: Buffer.from('ccc') },
  ];
  assert.deepEqual(frameAll(fs), Buffer.concat(fs.map((f) => frame(f.stream, f.payload))));
  assert.deepEqual(
    demuxAll(frameAll(fs)).map((f) => [f.stream, f.payload.toString()]),
    [
      [1, 'a\n'],
      [2, ''],
      [1, 'ccc'],
    ],
  );
});

async function demux(chunks: Buffer[]): Promise<StdFrame[]> {
  const out: StdFrame[] = [];
  for await (const f of Readable.from(chunks, { objectMode: false }).pipe(new Demuxer())) out.push(f as StdFrame);
  return out;
}

test('Demuxer: random chunking, including frames split inside the header', async () => {
  const frames: StdFrame[] = [];
  for (let i = 0; i < 300; i++) {
    const len = i % 17 === 0 ? 5000 + i : i % 40;
    frames.push({ stream: (i % 3) as StdStream, payload: Buffer.alloc(len, i & 0xff) });
  }
  const wire = frameAll(frames);
  for (let round = 0; round < 20; round++) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < wire.length; ) {
      const n = round === 0 ? 1 : 1 + Math.floor(Math.random() * (round < 10 ? 16 : 9000));
      chunks.push(wire.subarray(at, at + n));
      at += n;
    }
    const got = await demux(chunks);
    assert.equal(got.length, frames.length);
    for (let i = 0; i < frames.length; i++) {
      assert.equal(got[i]!.stream, frames[i]!.stream);
      assert.deepEqual(got[i]!.payload, frames[i]!.payload);
    }
  }
});

test('Demuxer: bad stream id is an error with moby text; truncated tail is dropped', async () => {
  const bad = Buffer.from([9, 0, 0, 0, 0, 0, 0, 1, 0x41]);
  await assert.rejects(demux([bad]), /Unrecognized input header: 9/);
  const ok = frame(1, Buffer.from('hi'));
  const got = await demux([ok, frame(2, Buffer.from('cut')).subarray(0, 9)]);
  assert.deepEqual(
    got.map((f) => f.payload.toString()),
    ['hi'],
  );
  assert.throws(() => demuxAll(bad), /Unrecognized input header: 9/);
});

test('FrameParser: frames whatever the chunking, pending bytes of a partial frame, moby text for a bad header', () => {
  const all = Buffer.concat([frame(1, 'hello\n'), frame(2, ''), frame(3, 'boom'), frame(0, 'in')]);
  for (const step of [1, 3, 8, 9, all.length]) {
    const p = new FrameParser();
    const got: Array<[number, string]> = [];
    for (let i = 0; i < all.length; i += step)
      p.push(all.subarray(i, i + step), (f) => got.push([f.stream, f.payload.toString()]));
    assert.deepEqual(
      got,
      [
        [1, 'hello\n'],
        [2, ''],
        [3, 'boom'],
        [0, 'in'],
      ],
      `step ${step}`,
    );
    assert.equal(p.pending, 0);
  }
  const p = new FrameParser();
  p.push(frame(1, 'abcdef').subarray(0, 10), () => assert.fail('no whole frame yet'));
  assert.equal(p.pending, 10);
  const bad = frame(1, 'x');
  bad[0] = 7;
  assert.throws(() => new FrameParser().push(bad, () => {}), /Unrecognized input header: 7/);
  assert.deepEqual(frame(1, 'ab'), frame(1, Buffer.from('ab')), 'a string payload is framed as its bytes');
});
