import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ExecStderr } from './exec-stderr.js';

const collect = () => {
  const out: string[] = [];
  return { out, emit: (c: Buffer) => out.push(c.toString()) };
};

test('runc: logrus error lines are the failure, the rest is the process output, live', async () => {
  const { out, emit } = collect();
  const s = new ExecStderr(emit, null);
  s.data(Buffer.from('from the process\n'));
  assert.deepEqual(out, ['from the process\n'], 'not held');
  s.data(Buffer.from('time="t" level=error msg="exec failed: executable file not found in $PATH"\n'));
  assert.match(await s.finish(), /level=error msg="exec failed/);
  assert.deepEqual(out, ['from the process\n']);
});

test('crun: a logged failure replaces its echo on stderr; a run exec keeps all its stderr', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-exec-stderr-'));
  const log = join(dir, 'x.log');
  const msg = 'executable file `nosuch` not found in $PATH: No such file or directory';
  writeFileSync(log, `${JSON.stringify({ msg, level: 'error', time: 't' })}\n{"msg":"note","level":"warning"}\n`);
  const failed = collect();
  const a = new ExecStderr(failed.emit, log);
  a.data(Buffer.from(`${msg}\n`));
  assert.deepEqual(failed.out, [], 'held until the process runs or the runtime exits');
  assert.equal(await a.finish(), msg);
  assert.deepEqual(failed.out, [], 'the echo is not the process output');

  const ran = collect();
  const b = new ExecStderr(ran.emit, join(dir, 'absent.log'));
  b.data(Buffer.from('early\n'));
  b.started();
  b.data(Buffer.from('late\n'));
  assert.equal(await b.finish(), '');
  assert.deepEqual(ran.out, ['early\n', 'late\n']);

  const quick = collect(); // exited before its pid was seen: held output still comes out
  const c = new ExecStderr(quick.emit, join(dir, 'absent.log'));
  c.data(Buffer.from('only\n'));
  assert.equal(await c.finish(), '');
  assert.deepEqual(quick.out, ['only\n']);
  rmSync(dir, { recursive: true, force: true });
});
