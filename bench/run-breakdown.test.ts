import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonPhases } from './run-breakdown.js';

test("daemonPhases: medians of berthd's start, create, exit and remove debug lines", () => {
  const log = [
    'time="x" level=debug msg="start 0123456789ab: mount 5.0 task 100.0 persist 2.0 ms"',
    'time="x" level=debug msg="start 0123456789ab: mount 7.0 task 120.0 persist 4.0 ms"',
    'time="x" level=debug msg="start 0123456789ab: mount 9.0 task 300.0 persist 3.0 ms"',
    'time="x" level=debug msg="create 0123456789ab: network 20.0 spec 1.5 runtime 60.0 ms"',
    'time="x" level=debug msg="exit 0123456789ab: delete 12.0 flush 0.5 unmount 9.0 release 30.0 ms (ends since the exit)"',
    'time="x" level=debug msg="remove 0123456789ab: unmount 0.5 data 4.0 record 1.0 ms"',
    'time="x" level=info msg="something else"',
  ].join('\n');
  assert.deepEqual(
    [...daemonPhases(log)],
    [
      ['berthd start: rootfs mount', 7],
      ['berthd start: task (network, spec, conmon, runc create+start)', 120],
      ['berthd start: persist running', 3],
      ['berthd start task: netns, endpoints, etc files', 20],
      ['berthd start task: volumes and OCI spec', 1.5],
      ['berthd start task: conmon and runc create', 60],
      ['berthd exit, ended at: runtime delete', 12],
      ['berthd exit, ended at: log streams flushed', 0.5],
      ['berthd exit, ended at: rootfs unmount', 9],
      ['berthd exit, ended at: volumes and network released', 30],
      ['berthd remove: rootfs unmount', 0.5],
      ['berthd remove: bundle, snapshot, endpoints, log reader', 4],
      ['berthd remove: record', 1],
    ],
  );
  assert.equal(daemonPhases('').size, 0);
});
