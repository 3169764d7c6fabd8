// Property tests for Go durations, the one parser behind every duration reader in berth
// (Dockerfile HEALTHCHECK, the build-cache `until` filter, the CLI's --since/--health-*, compose;
// their own property tests check they agree with it): any string parses or throws Go's error, and
// Duration.String() output parses back to the same value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DurationError, formatGoDuration, goQuote, parseGoDuration, parseGoDurationNs } from './go-duration.js';
import { near, params } from './prop-check.js';

const text = near('0123456789.+-nsuµμmh ', 30);
const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const GO_TEXT = /^time: (invalid duration|missing unit in duration|unknown unit "[\s\S]*" in duration) "[\s\S]*"$/;

test("any string is a duration or a DurationError with one of Go's texts", () => {
  fc.assert(
    fc.property(text, (s) => {
      try {
        const ns = parseGoDurationNs(s);
        assert.ok(ns >= -(1n << 63n) && ns < 1n << 63n);
        assert.equal(parseGoDurationNs(formatGoDuration(ns)), ns);
      } catch (e) {
        assert.ok(e instanceof DurationError, String(e));
        assert.match(e.message, GO_TEXT);
      }
    }),
    params(1000),
  );
});

test('Duration.String() parses back to the same nanoseconds, and formats the same again', () => {
  fc.assert(
    fc.property(int64, (ns) => {
      const s = formatGoDuration(ns);
      assert.equal(parseGoDurationNs(s), ns);
      assert.equal(formatGoDuration(parseGoDurationNs(s)), s);
    }),
    params(1000),
  );
});

test('sums of generated terms parse to their total', () => {
  const term = fc.record({
    n: fc.integer({ min: 0, max: 10_000 }),
    unit: fc.constantFrom(
      ['ns', 1n],
      ['us', 1_000n],
      ['µs', 1_000n],
      ['ms', 1_000_000n],
      ['s', 1_000_000_000n],
      ['m', 60_000_000_000n],
      ['h', 3_600_000_000_000n],
    ),
  });
  fc.assert(
    fc.property(fc.array(term, { minLength: 1, maxLength: 5 }), fc.constantFrom('', '+', '-'), (terms, sign) => {
      const total = terms.reduce((a, t) => a + BigInt(t.n) * t.unit[1], 0n);
      const got = parseGoDurationNs(sign + terms.map((t) => `${t.n}${t.unit[0]}`).join(''));
      assert.equal(got, sign === '-' ? -total : total);
    }),
    params(),
  );
});

test("Go's corner cases, texts and overflow", () => {
  assert.equal(parseGoDuration('.5s'), 5e8);
  assert.equal(parseGoDuration('1.s'), 1e9);
  assert.equal(parseGoDuration('-1.5h'), -5.4e12);
  assert.equal(parseGoDuration('+0'), 0);
  assert.equal(parseGoDuration('1.0000000000000000000000001s'), 1e9, 'digits past int64 are dropped');
  assert.equal(parseGoDurationNs('9223372036854775807ns'), (1n << 63n) - 1n);
  assert.equal(parseGoDurationNs('-9223372036854775808ns'), -(1n << 63n));
  for (const [s, m] of [
    ['', 'time: invalid duration ""'],
    ['.', 'time: invalid duration "."'],
    ['-', 'time: invalid duration "-"'],
    ['1', 'time: missing unit in duration "1"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['2562048h', 'time: invalid duration "2562048h"'],
    ['99999999999999999999s', 'time: invalid duration "99999999999999999999s"'],
    ['1é', 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"'],
  ])
    assert.throws(() => parseGoDuration(s), { name: 'DurationError', message: m });
  assert.equal(goQuote('a"b\\c\n'), '"a\\"b\\\\c\\x0a"');
});
