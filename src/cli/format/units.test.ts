import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goTimeString, timeAgo } from './units.js';

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

// goG and the byte sizes are util/go-units' (re-exported here), tested in util/go-units.test.ts.
test('goTimeString prints Go’s time.Time String in UTC', () => {
  assert.equal(goTimeString(0), '1970-01-01 00:00:00 +0000 UTC');
});
