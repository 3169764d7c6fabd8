// Property tests for the logs/events `since`/`until` values: any string is a time in int64
// seconds or an `invalid` EngineError with Go's strconv text; whole seconds round-trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EngineError } from '../../errdefs.js';
import { near, onlyThrows, params } from '../../util/prop-check.js';
import { formatRFC3339Nano, parseUnixTimestamp } from './timestamps.js';

const NS = 1_000_000_000n;

test('any since/until value is a time or an invalid EngineError', () => {
  fc.assert(
    fc.property(near('0123456789.+-e ', 40), (s) => {
      const t = onlyThrows(() => parseUnixTimestamp(s), EngineError);
      if (t !== undefined) assert.ok(t >= -(2n ** 63n) * NS - NS && t < 2n ** 63n * NS, String(t));
    }),
    params(1000),
  );
});

test('unix seconds with a fraction parse to their nanoseconds and format as RFC 3339', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 253402300799 }), fc.stringMatching(/^\d{0,12}$/), (sec, frac) => {
      const t = parseUnixTimestamp(frac ? `${sec}.${frac}` : String(sec));
      assert.equal(t, BigInt(sec) * NS + BigInt((frac + '000000000').slice(0, 9)));
      assert.equal(Date.parse(formatRFC3339Nano(t)), sec * 1000 + Math.floor(Number((frac + '000').slice(0, 3))));
    }),
    params(),
  );
});

test("regression: a since beyond int64 seconds is Go's out-of-range error", () => {
  assert.throws(() => parseUnixTimestamp('9'.repeat(40)), {
    name: 'EngineError',
    message: `strconv.ParseInt: parsing "${'9'.repeat(40)}": value out of range`,
  });
  assert.equal(parseUnixTimestamp('9223372036854775807'), 9223372036854775807n * NS);
});
