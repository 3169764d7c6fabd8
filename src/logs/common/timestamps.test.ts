import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRFC3339Nano, formatRFC3339NanoFixed, parseRFC3339Bytes, parseUnixTimestamp } from './timestamps.js';
import { EngineError } from '../../errdefs.js';

test('parseUnixTimestamp: seconds and fractions as the docker CLI sends them', () => {
  assert.equal(parseUnixTimestamp('1474765979'), 1474765979_000000000n);
  assert.equal(parseUnixTimestamp('1474765979.123456789'), 1474765979_123456789n);
  assert.equal(parseUnixTimestamp('1474765979.5'), 1474765979_500000000n);
  assert.equal(parseUnixTimestamp('1474765979.0000001'), 1474765979_000000100n);
  assert.equal(parseUnixTimestamp('1.1234567891'), 1_123456789n);
  assert.equal(parseUnixTimestamp('0'), 0n);
  assert.equal(parseUnixTimestamp('-1.5'), -500000000n);
});

test('parseUnixTimestamp: garbage is an invalid error with strconv text', () => {
  assert.throws(
    () => parseUnixTimestamp('10m'),
    (e: unknown) =>
      e instanceof EngineError &&
      e.kind === 'invalid' &&
      e.message === 'strconv.ParseInt: parsing "10m": invalid syntax',
  );
  assert.throws(() => parseUnixTimestamp('1.x'), /parsing "x": invalid syntax/);
  assert.throws(() => parseUnixTimestamp(''), EngineError);
});

test('formatRFC3339Nano trims zeros like Go', () => {
  assert.equal(formatRFC3339Nano(1474765979_123456789n), '2016-09-25T01:12:59.123456789Z');
  assert.equal(formatRFC3339Nano(1474765979_120000000n), '2016-09-25T01:12:59.12Z');
  assert.equal(formatRFC3339Nano(1474765979_000000000n), '2016-09-25T01:12:59Z');
  assert.equal(formatRFC3339Nano(1474765979_000000001n), '2016-09-25T01:12:59.000000001Z');
  assert.equal(formatRFC3339Nano(0n), '1970-01-01T00:00:00Z');
  assert.equal(formatRFC3339Nano(-1n), '1969-12-31T23:59:59.999999999Z');
});

test('formatRFC3339NanoFixed keeps 9 digits (docker logs -t)', () => {
  assert.equal(formatRFC3339NanoFixed(1474765979_120000000n), '2016-09-25T01:12:59.120000000Z');
  assert.equal(formatRFC3339NanoFixed(1474765979_000000000n), '2016-09-25T01:12:59.000000000Z');
});

test('parseRFC3339Bytes: conmon local time with offset, Z, short fractions', () => {
  const p = (s: string) => parseRFC3339Bytes(Buffer.from(s), 0, s.length);
  assert.equal(p('2016-09-25T01:12:59.123456789+00:00'), 1474765979_123456789n);
  assert.equal(p('2016-09-25T03:12:59.123456789+02:00'), 1474765979_123456789n);
  assert.equal(p('2016-09-24T20:42:59.123456789-04:30'), 1474765979_123456789n);
  assert.equal(p('2016-09-25T01:12:59.5Z'), 1474765979_500000000n);
  assert.equal(p('2016-09-25T01:12:59Z'), 1474765979_000000000n);
  assert.equal(p('2000-02-29T00:00:00Z'), BigInt(Date.UTC(2000, 1, 29)) * 1_000_000n);
  assert.equal(p('1969-12-31T23:59:59Z'), -1_000_000_000n);
  assert.equal(p('2016-09-25 01:12:59Z'), -1n);
  assert.equal(p('garbage'), -1n);
  // Offsets inside a larger buffer.
  const b = Buffer.from('xx2016-09-25T01:12:59.000000001Z stdout');
  assert.equal(parseRFC3339Bytes(b, 2, 33), 1474765979_000000001n);
});

test('round trip through format and parse', () => {
  for (const ns of [0n, 1n, 1474765979_123456789n, 4102444800_000000000n, 951782400_999999999n]) {
    const s = formatRFC3339Nano(ns);
    assert.equal(parseRFC3339Bytes(Buffer.from(s), 0, s.length), ns, s);
  }
});
