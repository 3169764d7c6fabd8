import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findBinaries, which } from './binaries.js';

test('which: the first executable in PATH; a non-executable file is skipped', () => {
  const a = mkdtempSync(join(tmpdir(), 'berth-which-a-'));
  const b = mkdtempSync(join(tmpdir(), 'berth-which-b-'));
  writeFileSync(join(a, 'tool-x1'), '');
  writeFileSync(join(b, 'tool-x1'), '#!/bin/sh\n');
  chmodSync(join(b, 'tool-x1'), 0o755);
  assert.equal(which('tool-x1', [], `${a}:${b}`), join(b, 'tool-x1'));
  assert.equal(which('tool-x1-missing', [], `${a}:${b}`), null);
  assert.equal(which('tool-x1', [b], a), join(b, 'tool-x1'), 'extra directories come last');
  rmSync(a, { recursive: true, force: true });
  rmSync(b, { recursive: true, force: true });
});

test('findBinaries: a configured runtime path wins; a missing runtime is unavailable with the fix', () => {
  try {
    assert.equal(findBinaries({ runtimes: { myrt: '/opt/myrt' }, defaultRuntime: 'myrt' }).runc, '/opt/myrt');
  } catch (e) {
    assert.match((e as Error).message, /conmon not found/); // hosts without conmon
  }
  // dockerd's text for a default that is neither stock, found nor configured
  assert.throws(
    () => findBinaries({ runtimes: {}, defaultRuntime: 'no-such-runtime-x' }),
    (e: Error & { kind?: string }) =>
      e.kind === 'invalid' && e.message === "specified default runtime 'no-such-runtime-x' does not exist",
  );
  // a configured one whose binary is gone: unavailable, with the fix
  assert.throws(
    () => findBinaries({ runtimes: { gone: 'no-such-runtime-binary-x' }, defaultRuntime: 'gone' }),
    (e: Error & { kind?: string }) => e.kind === 'unavailable' && /OCI runtime "gone" not found/.test(e.message),
  );
});
