// writeArchive: export's and save's one way to write the daemon's tar (terminal refused, FILE renamed into place).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import type { CliContext, Io } from '../command.js';
import { writeArchive } from './archive-out.js';

const ctxOf = (stdout: Io['stdout']): CliContext => ({
  prog: 'berth',
  io: { stdin: new PassThrough(), stdout, stderr: new PassThrough() },
  client: () => {
    throw new Error('no client in this test');
  },
});

test('a terminal is refused before the daemon is asked; FILE is written 0600 and renamed into place', async () => {
  let asked = 0;
  const open = async () => {
    asked++;
    return Readable.from([Buffer.from('tar')]);
  };
  const tty = Object.assign(new PassThrough(), { isTTY: true });
  await assert.rejects(writeArchive(ctxOf(tty), '', open), { message: /^cowardly refusing to save to a terminal/ });
  assert.equal(asked, 0);
  const dir = mkdtempSync(join(tmpdir(), 'berth-archive-'));
  try {
    assert.equal(await writeArchive(ctxOf(tty), join(dir, 'a.tar'), open), 0);
    assert.equal(readFileSync(join(dir, 'a.tar'), 'utf8'), 'tar');
    assert.equal(statSync(join(dir, 'a.tar')).mode & 0o777, 0o600);
    const broken = async () =>
      new Readable({
        read() {
          this.destroy(new Error('unexpected EOF'));
        },
      });
    await assert.rejects(writeArchive(ctxOf(tty), join(dir, 'b.tar'), broken, 'failed to export container'), {
      message: 'failed to export container: unexpected EOF',
    });
    assert.deepEqual(readdirSync(dir), ['a.tar']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reader that stops early (EPIPE on stdout) is not an error', async () => {
  const closed = new Writable({
    write(_c, _e, cb) {
      cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  });
  assert.equal(await writeArchive(ctxOf(closed), '', async () => Readable.from([Buffer.from('x')])), 0);
});
