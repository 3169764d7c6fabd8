// Property tests for reading log files back (`docker logs`): json-file lines, local frames and
// k8s-file records that are corrupt or cut short (a full disk, a crash mid-write) parse to
// messages whose every field can be read, never an exception that would end the logs stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { params } from '../util/prop-check.js';
import { encodeJsonEntry, parseChunk } from './json-file/json-file.js';
import { K8sRecordParser } from './common/k8s-record-parser.js';
import type { LogMessage } from './common/log-reader.js';
import { localEncoder, parseLocalFrames } from './local/local-file.js';

function readAll(msgs: LogMessage[]): void {
  for (const m of msgs) {
    assert.ok(m.stream === 'stdout' || m.stream === 'stderr');
    assert.equal(typeof m.time, 'bigint');
    assert.equal(typeof m.timestamp, 'string');
    assert.ok(Buffer.isBuffer(m.line));
  }
}

const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 });
const mutate = (b: Buffer, f: [number, number][], cut: number) => {
  const c = Buffer.from(b);
  if (c.length) for (const [at, v] of f) c[at % c.length] = v;
  return c.subarray(0, Math.max(0, c.length - cut));
};
const entry = fc.record({
  stream: fc.constantFrom('stdout' as const, 'stderr' as const),
  time: fc.bigInt({ min: 0n, max: 4_000_000_000n * 1_000_000_000n }),
  line: fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b)),
  partial: fc.boolean(),
});

test('corrupt json-file lines parse to readable messages or are skipped', () => {
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 5 }), flips, fc.nat({ max: 20 }), fc.nat(), (es, f, cut, split) => {
      const text = Buffer.from(es.map((e) => encodeJsonEntry(e)).join(''));
      const b = mutate(text, f, cut);
      const out: LogMessage[] = [];
      const at = b.length ? split % b.length : 0;
      const carry = parseChunk(b.subarray(0, at), null, out);
      parseChunk(b.subarray(at), carry, out);
      readAll(out);
    }),
    params(1000),
  );
});

test('corrupt local frames and k8s-file records parse to readable messages or are skipped', () => {
  const enc = localEncoder();
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 5 }), flips, fc.nat({ max: 20 }), (es, f, cut) => {
      const buf = Buffer.alloc(es.reduce((n, e) => n + enc.maxLen(e), 0));
      let end = 0;
      for (const e of es) end = enc.encodeInto(buf, end, e);
      const frames = buf.subarray(0, end);
      const out: LogMessage[] = [];
      parseLocalFrames(mutate(frames, f, cut), out);
      readAll(out);
      const k8s = Buffer.from(
        es
          .map(
            (e) =>
              `2024-01-02T03:04:05.${String(e.time % 1_000_000_000n).padStart(9, '0')}Z ${e.stream} ${e.partial ? 'P' : 'F'} ${e.line.toString('latin1')}\n`,
          )
          .join(''),
        'latin1',
      );
      const m = mutate(k8s, f, cut);
      const out2: LogMessage[] = [];
      new K8sRecordParser().parse(m, 0, m.length, out2);
      readAll(out2);
    }),
    params(1000),
  );
});
