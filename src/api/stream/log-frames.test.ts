import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeLogBatch, type LogLine } from './log-frames.js';
import { demuxAll } from '../wire/stdcopy.js';

const batch: LogLine[] = [
  { stream: 'stdout', timestamp: '2016-09-25T01:12:59.123456789Z', line: Buffer.from('hello\n') },
  { stream: 'stderr', timestamp: '2016-09-25T01:13:00.000000000Z', line: Buffer.from('oops\n') },
  { stream: 'stdout', timestamp: '2016-09-25T01:13:01.000000000Z', line: Buffer.from('tail') },
];

test('non-TTY: one stdcopy frame per line, stream ids 1 and 2', () => {
  const frames = demuxAll(encodeLogBatch(batch, { tty: false, timestamps: false }));
  assert.deepEqual(
    frames.map((f) => [f.stream, f.payload.toString()]),
    [
      [1, 'hello\n'],
      [2, 'oops\n'],
      [1, 'tail'],
    ],
  );
});

test('timestamps prefix each line inside its frame', () => {
  const frames = demuxAll(encodeLogBatch(batch, { tty: false, timestamps: true }));
  assert.equal(frames[0]!.payload.toString(), '2016-09-25T01:12:59.123456789Z hello\n');
  assert.equal(frames[1]!.stream, 2);
});

test('TTY: raw concatenation', () => {
  assert.equal(encodeLogBatch(batch, { tty: true, timestamps: false }).toString(), 'hello\noops\ntail');
  assert.equal(encodeLogBatch([], { tty: false, timestamps: true }).length, 0);
  assert.equal(
    encodeLogBatch(batch.slice(0, 1), { tty: true, timestamps: true }).toString(),
    '2016-09-25T01:12:59.123456789Z hello\n',
  );
});
