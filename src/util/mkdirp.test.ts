// mkdirp ends, with Go's text, where fs.mkdir({ recursive: true }) would spin forever.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EngineError } from '../errdefs.js';
import { mkdirp } from './mkdirp.js';

test('a path under /proc that cannot be made is an invalid error, not an endless loop', async () => {
  await assert.rejects(
    mkdirp('/proc/berth-nope/x'),
    (e) =>
      e instanceof EngineError &&
      e.kind === 'invalid' &&
      e.message === 'mkdir /proc/berth-nope: no such file or directory',
  );
});

test('creates missing parents, tolerates existing ones, refuses a file in the way', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-mkdirp-'));
  try {
    await mkdirp(join(dir, 'a/b/c'));
    assert.ok(statSync(join(dir, 'a/b/c')).isDirectory());
    await mkdirp(join(dir, 'a/b'));
    writeFileSync(join(dir, 'f'), '');
    await assert.rejects(mkdirp(join(dir, 'f/g')), { message: `mkdir ${join(dir, 'f')}: not a directory` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
