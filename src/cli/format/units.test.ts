import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goG, humanSize, humanSizeWithPrecision, bytesSize, ramInBytes, goTimeString, timeAgo } from './units.js';

test('goG matches Go %g', () => {
  assert.equal(goG(4.2568, 3), '4.26');
  assert.equal(goG(4.0, 3), '4');
  assert.equal(goG(999.99, 3), '1e+03');
  assert.equal(goG(123.456, 4), '123.5');
  assert.equal(goG(0.5, 3), '0.5');
});

test('human sizes like docker', () => {
  assert.equal(humanSizeWithPrecision(4261000, 3), '4.26MB');
  assert.equal(humanSizeWithPrecision(0, 3), '0B');
  assert.equal(humanSizeWithPrecision(1500, 3), '1.5kB');
  assert.equal(humanSize(1234567), '1.235MB');
  assert.equal(bytesSize(1536 * 1024), '1.5MiB');
});

test('timeAgo: HumanDuration before "ago"', () => {
  const ago = (ms: number) => timeAgo(0, ms).replace(/ ago$/, '');
  assert.equal(ago(500), 'Less than a second');
  assert.equal(ago(1000), '1 second');
  assert.equal(ago(2500), '2 seconds');
  assert.equal(ago(61_000), 'About a minute');
  assert.equal(ago(5 * 60_000), '5 minutes');
  assert.equal(ago(60 * 60_000), 'About an hour');
  assert.equal(ago(3 * 3600_000), '3 hours');
  assert.equal(ago(3 * 86400_000), '3 days');
  assert.equal(ago(20 * 86400_000), '2 weeks');
  assert.equal(ago(90 * 86400_000), '3 months');
  assert.equal(ago(800 * 86400_000), '2 years');
  assert.equal(ago(2 * 365 * 86400_000 - 60_000), '1 years', 'years count whole hours, unrounded (Go)');
  assert.equal(timeAgo(100, 103_000), '3 seconds ago');
});

test('sizes and times parse/print', () => {
  assert.equal(ramInBytes('512m'), 512 * 1024 * 1024);
  assert.equal(ramInBytes('1g'), 1024 ** 3);
  assert.equal(ramInBytes('100'), 100);
  assert.throws(() => ramInBytes('x'), /invalid size/);
  assert.equal(goTimeString(0), '1970-01-01 00:00:00 +0000 UTC');
});
