import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonPhases } from './run-breakdown.js';

test("daemonPhases: medians of berthd's start and remove debug lines", () => {
  const log = [
    'time="x" level=debug msg="start 0123456789ab: task 100.0 persist 2.0 ms"',
    'time="x" level=debug msg="start 0123456789ab: task 120.0 persist 4.0 ms"',
    'time="x" level=debug msg="start 0123456789ab: task 300.0 persist 3.0 ms"',
    'time="x" level=debug msg="remove 0123456789ab: unmount 0.5 data 4.0 record 1.0 ms"',
    'time="x" level=info msg="something else"',
  ].join('\n');
  assert.deepEqual(
    [...daemonPhases(log)],
    [
      ['berthd start: task (mount, network, spec, conmon, runc create+start)', 120],
      ['berthd start: persist running', 3],
      ['berthd remove: rootfs unmount', 0.5],
      ['berthd remove: bundle, snapshot, endpoints, log reader', 4],
      ['berthd remove: record', 1],
    ],
  );
  assert.equal(daemonPhases('').size, 0);
});
