import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { pidAlive } from './pid-alive.js';

test('pidAlive: this process is alive; 0, negatives and a reaped child are not', () => {
  assert.equal(pidAlive(process.pid), true);
  assert.equal(pidAlive(0), false, 'signal 0 to pid 0 would probe our own process group');
  assert.equal(pidAlive(-1), false, 'and -1 every process we may signal');
  const child = spawnSync(process.execPath, ['-e', '0']);
  assert.equal(child.status, 0);
  assert.equal(pidAlive(child.pid!), false);
});
