import { test } from 'node:test';
import assert from 'node:assert/strict';
import { K8sRecordParser } from './k8s-record-parser.js';
import type { LogMessage } from './log-reader.js';

const T1 = '2016-09-25T03:12:59.123456789+02:00';
const T2 = '2016-09-25T01:13:00.000000001+00:00';

function parseAll(text: string, flush = true): { msgs: LogMessage[]; rest: number } {
  const p = new K8sRecordParser();
  const out: LogMessage[] = [];
  const b = Buffer.from(text);
  const rest = p.parse(b, 0, b.length, out);
  if (flush) p.flush(out);
  return { msgs: out, rest };
}

test('full lines keep their newline and carry stream and time', () => {
  const { msgs } = parseAll(`${T1} stdout F hello\n${T2} stderr F oops\n${T2} stdout F \n`);
  assert.deepEqual(
    msgs.map((m) => [m.stream, m.line.toString()]),
    [
      ['stdout', 'hello\n'],
      ['stderr', 'oops\n'],
      ['stdout', '\n'],
    ],
  );
  assert.equal(msgs[0]!.time, 1474765979_123456789n);
  assert.equal(msgs[0]!.timestamp, '2016-09-25T01:12:59.123456789Z');
  assert.equal(msgs[1]!.timestamp, '2016-09-25T01:13:00.000000001Z');
});

test('partial records join per stream; the first piece gives the time', () => {
  const { msgs } = parseAll(
    `${T1} stdout P abc\n${T2} stderr P err-\n${T2} stdout P def\n${T2} stderr F line\n${T2} stdout F ghi\n`,
  );
  assert.deepEqual(
    msgs.map((m) => [m.stream, m.line.toString()]),
    [
      ['stderr', 'err-line\n'],
      ['stdout', 'abcdefghi\n'],
    ],
  );
  assert.equal(msgs[1]!.time, 1474765979_123456789n);
  assert.equal(msgs[0]!.time, 1474765980_000000001n);
});

test('an unterminated line is emitted without newline on flush only', () => {
  const text = `${T1} stdout F a\n${T1} stdout P no newline\n`;
  assert.deepEqual(
    parseAll(text, false).msgs.map((m) => m.line.toString()),
    ['a\n'],
  );
  assert.deepEqual(
    parseAll(text).msgs.map((m) => m.line.toString()),
    ['a\n', 'no newline'],
  );
});

test('an incomplete trailing record is left for the next chunk', () => {
  const text = `${T1} stdout F a\n${T1} stdout F b`;
  const { msgs, rest } = parseAll(text, false);
  assert.equal(msgs.length, 1);
  assert.equal(rest, text.indexOf(T1, 1));
});

test('malformed records are skipped, content may contain anything', () => {
  const { msgs } = parseAll(`junk\n\n${T1} stdin F x\n${T1} stdout X y\n${T1} stdout F  sp  \tF P \n`);
  assert.deepEqual(
    msgs.map((m) => m.line.toString()),
    [' sp  \tF P \n'],
  );
});

test('random chunking gives the same messages', () => {
  const lines: string[] = [];
  for (let i = 0; i < 500; i++) {
    const s = i % 3 === 0 ? 'stderr' : 'stdout';
    lines.push(`${T1} ${s} ${i % 7 === 0 ? 'P' : 'F'} line ${i} ${'x'.repeat(i % 50)}\n`);
  }
  const text = lines.join('');
  const whole = parseAll(text).msgs.map((m) => m.stream + m.line.toString());
  const b = Buffer.from(text);
  const p = new K8sRecordParser();
  const out: LogMessage[] = [];
  let carry = Buffer.alloc(0);
  for (let off = 0; off < b.length; ) {
    const n = 1 + Math.floor(Math.random() * 200);
    const chunk = Buffer.concat([carry, b.subarray(off, off + n)]);
    off += n;
    const used = p.parse(chunk, 0, chunk.length, out);
    carry = Buffer.from(chunk.subarray(used));
  }
  p.flush(out);
  assert.deepEqual(
    out.map((m) => m.stream + m.line.toString()),
    whole,
  );
  assert.ok(whole.length > 400);
});
