// Exercises the harness with real containers: docker(), stdin, pty() and the leak check
// after running, exec'ing and removing containers on a user network.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon } from '../harness/daemon.js';

const skip: string | false = daemonUnavailable() ?? false;
let d: Daemon | undefined;

// Skips (with daemonUnavailable()'s reason) only where berthd cannot run: not root, outside the harness, not built.
before(async () => {
  if (!skip) d = await startDaemon();
});
after(async () => {
  if (d) assert.deepEqual((await d.stop()).leaks, []);
});

test('docker run prints to stdout and returns the exit code', async (t) => {
  if (!d) return t.skip(`needs a running berthd: ${skip || 'it did not start'}`);
  const r = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
});

test('docker() feeds stdin to -i', async (t) => {
  if (!d) return t.skip(`needs a running berthd: ${skip || 'it did not start'}`);
  const r = await d.docker(['run', '--rm', '-i', 'busybox', 'tr', 'a-z', 'A-Z'], { input: 'hello\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'HELLO\n');
});

test('pty() gives -t a terminal', async (t) => {
  if (!d) return t.skip(`needs a running berthd: ${skip || 'it did not start'}`);
  const r = await d.pty(['run', '--rm', '-t', 'busybox', 'sh', '-c', 'test -t 0 && echo tty']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /tty\r*\n/); // one CR per pty layer (script's and the container's)
});

test('a container on a user network with exec, left running for stop() to clean', async (t) => {
  if (!d) return t.skip(`needs a running berthd: ${skip || 'it did not start'}`);
  assert.equal((await d.docker(['network', 'create', 'harnessnet'])).code, 0);
  const run = await d.docker(['run', '-d', '--network', 'harnessnet', 'busybox', 'sleep', '300']);
  assert.equal(run.code, 0, run.stderr);
  const ex = await d.docker(['exec', run.stdout.trim(), 'hostname']);
  assert.equal(ex.code, 0, ex.stderr);
  assert.equal(ex.stdout.trim(), run.stdout.trim().slice(0, 12));
});
