import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getTimestamp } from './timestamp.js';

test('GetTimestamp: Go durations are before now', () => {
  const now = new Date(Date.UTC(2024, 0, 2, 12, 0, 0));
  const nowSec = now.getTime() / 1000;
  assert.equal(getTimestamp('1h30m', now), String(nowSec - 5400));
  assert.equal(getTimestamp('1.5s', now), String(nowSec - 2)); // floor, like Go's Unix()
  assert.equal(getTimestamp('-5s', now), String(nowSec + 5));
});

test('GetTimestamp: durations, dates, unix', () => {
  const now = new Date(Date.UTC(2024, 0, 2, 12, 0, 0));
  const nowSec = now.getTime() / 1000;
  assert.equal(getTimestamp('10m', now), String(nowSec - 600));
  assert.equal(getTimestamp('1704196800', now), '1704196800');
  assert.equal(getTimestamp('1704196800.5', now), '1704196800.5');
  assert.equal(getTimestamp('2024-01-02T12:00:00Z', now), `${nowSec}.000000000`);
  assert.equal(getTimestamp('2024-01-02T13:00:00+01:00', now), `${nowSec}.000000000`);
  assert.equal(getTimestamp('2024-01-02T12:00:00.25Z', now), `${nowSec}.250000000`);
  assert.equal(getTimestamp('2024-01-02T12Z', now), `${nowSec}.000000000`);
  assert.throws(() => getTimestamp('yesterday', now), /failed to parse value as time or duration: "yesterday"/);
  assert.throws(() => getTimestamp('2024-13-45T99', now));
});

test('local dates use the local zone', () => {
  const now = new Date();
  const local = new Date(2024, 0, 2, 0, 0, 0).getTime() / 1000;
  assert.equal(getTimestamp('2024-01-02', now), `${local}.000000000`);
});
