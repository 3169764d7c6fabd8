import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { testFile } from '../../util/test-dirs.js';
import { ShipProgress } from './ship-progress.js';

/** A container log holding `text`, and its inode. */
async function logFile(text: string): Promise<{ f: string; ino: number }> {
  const f = await testFile('berth-progress-', 'ctr.log');
  await writeFile(f, text);
  return { f, ino: (await stat(f)).ino };
}

test('ShipProgress: waits until the shipped position reaches what the file held, bounded by a stall', async () => {
  const f = await testFile('berth-progress-', 'ctr.log');
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
  // a shipper that never moves: the read goes on after the stall bound (a hang would time the test out)
  await new ShipProgress({ ino, offset: 0 }).caughtUp(f, 50);
});

test('ShipProgress: a shipper that keeps moving is waited for beyond the stall bound', async () => {
  const { f, ino } = await logFile('x'.repeat(100));
  const p = new ShipProgress({ ino, offset: 0 });
  let caught = false;
  const w = p.caughtUp(f, 40).then(() => (caught = true));
  // ten steps 20 ms apart: 200 ms in all, five times the stall bound
  for (let off = 10; off <= 90; off += 10) {
    await new Promise((r) => setTimeout(r, 20));
    p.advance({ ino, offset: off });
  }
  assert.equal(caught, false, 'still moving, not yet at the end');
  p.advance({ ino, offset: 100 });
  await w;
  assert.equal(caught, true);
});

test('ShipProgress: the shipper moving on from the file to a new inode (rotation) is caught up', async () => {
  const { f, ino } = await logFile('x'.repeat(100));
  const p = new ShipProgress({ ino: ino + 1000, offset: 5 }); // still in an older file
  let caught = false;
  const w = p.caughtUp(f, 10_000).then(() => (caught = true));
  p.advance({ ino, offset: 50 });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(caught, false);
  p.advance({ ino: ino + 1, offset: 0 }); // read to its end, renamed, the next file begun
  await w;
  assert.equal(caught, true);
});

test('ShipProgress: the overall bound ends a wait however the shipper moves', async () => {
  const { f, ino } = await logFile('x'.repeat(100));
  const p = new ShipProgress({ ino, offset: 0 });
  const t = setInterval(() => p.advance({ ino, offset: 1 }), 5);
  try {
    await p.caughtUp(f, 1000, 60);
  } finally {
    clearInterval(t);
  }
});

test('ShipProgress: no file at the path (rotated away after the container exited): wait for the shipper to end', async () => {
  const f = await testFile('berth-progress-', 'ctr.log');
  const p = new ShipProgress({ ino: 1, offset: 5 });
  let caught = false;
  const w = p.caughtUp(f, 10_000).then(() => (caught = true));
  p.advance({ ino: 1, offset: 50 });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(caught, false, 'the shipper is still moving through the renamed file');
  p.end();
  await w;
  assert.equal(caught, true);
});

test('ShipProgress: an empty file the shipper has not reached yet is waited for', async () => {
  const { f, ino } = await logFile('');
  const p = new ShipProgress({ ino: ino + 1000, offset: 5 }); // the renamed file, not yet read to its end
  let caught = false;
  const w = p.caughtUp(f, 10_000).then(() => (caught = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(caught, false);
  p.advance({ ino, offset: 0 });
  await w;
  assert.equal(caught, true);
});
