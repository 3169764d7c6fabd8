import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { shutdownHandler } from './shutdown.js';

test('shutdown: api closed, timers stopped, drain awaited, then files removed, lock released, exit 0; once only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-shutdown-'));
  const sock = join(dir, 'berth.sock');
  const pid = join(dir, 'berthd.pid');
  writeFileSync(sock, '');
  writeFileSync(pid, '1');
  const steps: string[] = [];
  let drained!: () => void;
  const exited = new Promise<number>((resolve) => {
    const h = shutdownHandler({
      log: (l, m) => steps.push(`${l}: ${m}`),
      closeApi: () => steps.push('close api'),
      stopTimers: [() => steps.push('supervisor'), () => steps.push('sampler')],
      drain: () => new Promise<void>((r) => (drained = () => (steps.push('drained'), r()))),
      files: [sock, pid],
      releaseLock: () => steps.push('unlock'),
      exit: resolve,
      graceMs: 60_000,
    });
    h('SIGTERM');
    h('SIGINT'); // a second signal while stopping is ignored
  });
  assert.deepEqual(steps, [
    'info: received SIGTERM, shutting down; containers keep running',
    'close api',
    'supervisor',
    'sampler',
  ]);
  assert.ok(existsSync(sock), 'files stay until the drain is done');
  drained();
  assert.equal(await exited, 0);
  assert.deepEqual(steps.slice(4), ['drained', 'unlock']);
  assert.equal(existsSync(sock) || existsSync(pid), false);
  rmSync(dir, { recursive: true, force: true });
});

test('shutdown does not wait past the grace period for a drain that hangs', async () => {
  const code = await new Promise<number>((resolve) => {
    shutdownHandler({
      log: () => {},
      closeApi: () => {},
      stopTimers: [],
      drain: () => new Promise(() => {}),
      files: [],
      releaseLock: () => {},
      exit: resolve,
      graceMs: 1,
    })('SIGTERM');
  });
  assert.equal(code, 0);
});
