import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ShellGone, SmallSpawner, shQuote } from './small-spawner.js';

test('small spawner: runs commands in order with their exit codes and output, quoting every word', async () => {
  const s = new SmallSpawner();
  try {
    const odd = `it's "quoted" $HOME \`x\` ; exit 9`;
    const [a, b, c] = await Promise.all([
      s.run(['printf', '%s', odd]),
      s.run(['sh', '-c', 'echo out; echo err >&2; exit 3']),
      s.run(['cat']), // stdin is /dev/null, not the helper's own
    ]);
    assert.deepEqual(a, { code: 0, output: odd });
    assert.deepEqual(b, { code: 3, output: 'out\nerr' });
    assert.deepEqual(c, { code: 0, output: '' });
    assert.equal((await s.run(['/nonexistent/cmd'])).code, 127);
  } finally {
    s.close();
  }
});

test('small spawner: a helper that dies fails its pending commands with ShellGone, and the next run starts a new one', async () => {
  const s = new SmallSpawner();
  try {
    await assert.rejects(s.run(['sh', '-c', 'kill -9 $PPID; sleep 5']), ShellGone);
    assert.deepEqual(await s.run(['echo', 'again']), { code: 0, output: 'again' });
  } finally {
    s.close();
  }
});

test('small spawner: an idle helper ends (no process or fds held by a quiet daemon), the next run starts one', async () => {
  const s = new SmallSpawner(50);
  try {
    const pid = Number((await s.run(['sh', '-c', 'echo $PPID'])).output);
    assert.ok(pid > 0);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await sleep(20);
    assert.equal(alive(), false, 'the idle helper shell is still running');
    assert.deepEqual(await s.run(['echo', 'again']), { code: 0, output: 'again' });
  } finally {
    s.close();
  }
});

test('shQuote: single quotes survive', () => {
  assert.equal(shQuote(`a'b`), `'a'\\''b'`);
});
