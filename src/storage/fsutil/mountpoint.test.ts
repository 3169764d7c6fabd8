import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { testDir } from '../../util/test-dirs.js';
import { isMountpoint } from './mountpoint.js';

test('isMountpoint: a plain directory or a missing one is not; /proc is', async () => {
  const d = await testDir('berth-mnt-');
  await mkdir(path.join(d, 'sub'));
  assert.equal(isMountpoint(path.join(d, 'sub')), false);
  assert.equal(isMountpoint(path.join(d, 'missing')), false);
  assert.equal(isMountpoint('/proc'), true);
});
