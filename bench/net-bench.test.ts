import assert from 'node:assert/strict';
import { test } from 'node:test';
import { busyboxReal } from './net-bench.js';

test('busyboxReal reads the real time of busybox `time`', () => {
  assert.equal(busyboxReal('real\t0m 1.23s\nuser\t0m 0.10s\nsys\t0m 0.20s\n'), 1.23);
  assert.equal(busyboxReal('real\t2m 3.50s\n'), 123.5);
  assert.equal(busyboxReal('real\t1h 0m 1.00s\n'), 3601);
  assert.ok(Number.isNaN(busyboxReal('wget: bad address')));
});
