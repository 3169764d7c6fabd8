import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchLabels, untilTime } from './filters.js';

test('untilTime: unix seconds, Go durations before now (any form Go parses), RFC 3339', () => {
  assert.equal(untilTime('1700000000'), 1_700_000_000_000);
  assert.equal(untilTime('1700000000.5'), 1_700_000_000_500);
  assert.equal(untilTime('0'), 0, '"0" is the epoch, not a zero duration (Docker checks it first)');
  for (const [d, ms] of [
    ['10m', 600_000],
    ['1.5h', 5_400_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
  ] as const) {
    const before = Date.now();
    const t = untilTime(d);
    const after = Date.now();
    assert.ok(t >= before - ms && t <= after - ms, `${d}: ${ms} ms before now`);
  }
  assert.equal(untilTime('2024-01-02T03:04:05Z'), Date.UTC(2024, 0, 2, 3, 4, 5));
  assert.throws(() => untilTime('yesterday'), { message: "invalid filter 'until=yesterday'" });
});

test('matchLabels: key, key=value, every or any', () => {
  const l = { a: '1', b: '2' };
  assert.equal(matchLabels(l, ['a', 'b=2']), true);
  assert.equal(matchLabels(l, ['a', 'b=3']), false);
  assert.equal(matchLabels(l, ['c', 'b=2'], true), true);
});
