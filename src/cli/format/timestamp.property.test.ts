// Property tests for the CLI's --since/--until (docker's GetTimestamp): any value becomes the
// daemon's "sec[.nanos]" form, which the daemon then parses, or fails with the CLI's Error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { near, onlyThrows, params } from '../../util/prop-check.js';
import { getTimestamp } from './timestamp.js';

const now = new Date(Date.UTC(2024, 0, 2, 12, 0, 0));

test('any --since value is a unix "sec[.nanos]" string or an Error', () => {
  const dates = fc
    .date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true })
    .map((d) => d.toISOString());
  fc.assert(
    fc.property(
      fc.oneof(
        near('0123456789-:.TZz+hms ', 30),
        dates,
        dates.map((d) => d.slice(0, 10)),
        dates.map((d) => d.replace('Z', '+05:30')),
      ),
      (s) => {
        const t = onlyThrows(() => getTimestamp(s, now), Error);
        if (t !== undefined) assert.match(t, /^-?\d+(\.\d{1,9})?$/, `${s} → ${t}`);
      },
    ),
    params(1000),
  );
});
