import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { testDir } from '../../util/test-dirs.js';
import { writeConmonCtl } from './ctl.js';

/** A FIFO with a reader holding it open (as conmon does), so O_NONBLOCK writes succeed. */
function fifoWithReader(dir: string): { ctl: string; read: () => string; close: () => void } {
  const ctl = path.join(dir, 'ctl');
  execFileSync('mkfifo', [ctl]);
  const fd = fs.openSync(ctl, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  return {
    ctl,
    read: () => {
      const b = Buffer.alloc(256);
      const n = fs.readSync(fd, b, 0, b.length, null);
      return b.toString('utf8', 0, n);
    },
    close: () => fs.closeSync(fd),
  };
}

test('writeConmonCtl: resize and reopen-log are conmon’s lines', async () => {
  const f = fifoWithReader(await testDir('ctl'));
  try {
    writeConmonCtl(f.ctl, { op: 'resize', height: 40, width: 120 });
    assert.equal(f.read(), '1 40 120\n');
    writeConmonCtl(f.ctl, { op: 'reopen-log' });
    assert.equal(f.read(), '2 0 0\n');
  } finally {
    f.close();
  }
});

test('writeConmonCtl: no conmon reading throws instead of hanging', async () => {
  const dir = await testDir('ctl');
  const ctl = path.join(dir, 'ctl');
  execFileSync('mkfifo', [ctl]);
  assert.throws(() => writeConmonCtl(ctl, { op: 'reopen-log' }), { code: 'ENXIO' });
  assert.throws(() => writeConmonCtl(path.join(dir, 'missing'), { op: 'reopen-log' }), { code: 'ENOENT' });
});
