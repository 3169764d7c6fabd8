import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { forAll, stringsOr } from './prop-check.js';

test('forAll fails when the check throws for some value, and ignores what the check returns', () => {
  assert.throws(
    () =>
      forAll(fc.integer(), (n) => {
        if (n > 10) throw new Error('too big');
      }),
    /Property failed/,
  );
  const seen: number[] = [];
  forAll(fc.integer(), (n) => seen.push(n), 20); // push returns a number: not a failure
  assert.equal(seen.length, 20);
});

test('stringsOr draws the edge values as well as random strings up to maxLength', () => {
  const values = fc.sample(stringsOr(['EDGE'], 3), { seed: 1, numRuns: 200 });
  assert.ok(values.includes('EDGE'));
  assert.ok(values.some((v) => v !== 'EDGE'));
  assert.ok(values.every((v) => v === 'EDGE' || v.length <= 3));
});
