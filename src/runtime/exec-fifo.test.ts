import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { testDir } from '../util/test-dirs.js';
import { startByExecFifo } from './exec-fifo.js';

/** A state root with <root>/<id>/exec.fifo, as `runc create` leaves it. */
async function withFifo(id: string): Promise<{ root: string; fifo: string }> {
  const root = await testDir('berth-fifo-');
  mkdirSync(join(root, id));
  const fifo = join(root, id, 'exec.fifo');
  execFileSync('mkfifo', [fifo]);
  return { root, fifo };
}

test('exec fifo: the waiting writer (runc init) gets its reader, runs on, and the fifo is removed', async () => {
  const { root, fifo } = await withFifo('c1');
  const marker = join(root, 'ran');
  // like runc init: blocks opening the fifo for writing, writes one byte, then goes on to "exec"
  const init = spawn('sh', ['-c', `printf 0 > '${fifo}'; echo ran > '${marker}'; sleep 5`], { stdio: 'ignore' });
  try {
    assert.equal(await startByExecFifo(root, 'c1', init.pid!), 'started');
    assert.equal(existsSync(fifo), false, 'the fifo goes, so runc state says running');
    for (let i = 0; i < 100 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(readFileSync(marker, 'utf8'), 'ran\n');
  } finally {
    init.kill('SIGKILL');
  }
});

test('exec fifo: no fifo (crun, an already started container) falls back to the runtime', async () => {
  const root = await testDir('berth-fifo-');
  assert.equal(await startByExecFifo(root, 'nope', process.pid), 'fallback');
});

test('exec fifo: an init that died before writing falls back (runc start reports it) instead of hanging', async () => {
  const { root, fifo } = await withFifo('c2');
  const dead = spawn('true', { stdio: 'ignore' });
  await new Promise((r) => dead.on('exit', r));
  assert.equal(await startByExecFifo(root, 'c2', dead.pid!), 'fallback');
  assert.equal(existsSync(fifo), true, 'left for runc');
});
