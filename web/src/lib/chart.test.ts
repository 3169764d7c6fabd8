import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linePath, niceMax } from './chart.js';

test('values scale into the box, y up, clamped to the top', () => {
  assert.equal(linePath([0, 50, 100], 100, 10, 100), 'M0.0 10.0 L50.0 5.0 L100.0 0.0');
  assert.equal(linePath([200], 100, 10, 100), 'M0.0 0.0');
  assert.equal(linePath([], 100, 10), '');
});

test('the y axis top is 1, 2 or 5 times a power of ten', () => {
  assert.equal(niceMax(0.3), 1);
  assert.equal(niceMax(37), 50);
  assert.equal(niceMax(101), 200);
  assert.equal(niceMax(3, 100), 100);
});
