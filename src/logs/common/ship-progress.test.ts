import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { testDir } from '../../util/test-dirs.js';
import { ShipProgress } from './ship-progress.js';

test('ShipProgress: waits until the shipped position reaches what the file held, bounded by maxMs', async () => {
  const f = join(await testDir('berth-progress-'), 'ctr.log');
  await writeFile(f, '');
  const p = new ShipProgress();
  await p.caughtUp(f, 10_000); // an empty file: nothing to wait for
  await writeFile(f, 'abcdef');
  const { ino } = await stat(f);
  let caught = false;
  const w = p.caughtUp(f, 10_000).then(() => (caught = true));
  p.advance({ ino, offset: 3 });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(caught, false, 'half shipped is not caught up');
  p.advance({ ino, offset: 6 });
  await w;
  assert.equal(caught, true);
  // a shipper that never moves: the read goes on after maxMs (a hang would time the test out)
  await new ShipProgress({ ino, offset: 0 }).caughtUp(f, 50);
});
