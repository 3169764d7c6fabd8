import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runcLiveUpdate } from './runc-update.js';

test('runcLiveUpdate runs `runc update <args> <id>` and passes its failure on', async () => {
  const calls: string[][] = [];
  const ok = runcLiveUpdate({ run: async (args) => (calls.push(args), { stdout: '', stderr: '' }) });
  await ok('c1', ['--memory', '1048576', '--pids-limit', '10']);
  assert.deepEqual(calls, [['update', '--memory', '1048576', '--pids-limit', '10', 'c1']]);
  const bad = runcLiveUpdate({ run: async () => Promise.reject(new Error('runc: container not running')) });
  await assert.rejects(bad('c1', ['--memory', '1']), /container not running/);
});
