import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyConfigFile, parseArgs } from './flags.js';

function withConfig(doc: unknown, argv: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-flags-rt-'));
  const file = join(dir, 'daemon.json');
  writeFileSync(file, JSON.stringify(doc));
  try {
    const p = parseArgs(['--config-file', file, ...argv]);
    applyConfigFile(p, true);
    return p.options;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('--add-runtime and --default-runtime as dockerd parses them', () => {
  const o = parseArgs([
    '--add-runtime',
    'fast=/usr/bin/crun',
    '--add-runtime=oci=runc',
    '--default-runtime',
    'fast',
  ]).options;
  assert.deepEqual(o.runtimes, { fast: '/usr/bin/crun', oci: 'runc' });
  assert.equal(o.defaultRuntime, 'fast');
  assert.throws(() => parseArgs(['--add-runtime', 'runc=/x']), { message: "runtime name 'runc' is reserved" });
  assert.throws(() => parseArgs(['--add-runtime', 'crun']), { message: 'invalid runtime argument: crun' });
  assert.throws(() => parseArgs(['--add-runtime', 'a=/x', '--add-runtime', 'a=/y']), {
    message: "runtime 'a' was already defined",
  });
});

test('daemon.json runtimes: path and runtimeArgs kept; dockerd errors for the rest', () => {
  const o = withConfig({
    'default-runtime': 'crun',
    runtimes: { crun: { path: '/usr/bin/crun', runtimeArgs: ['--log-level=debug'] }, other: { path: 'runc' } },
  });
  assert.equal(o.defaultRuntime, 'crun');
  assert.deepEqual(o.runtimes, { crun: '/usr/bin/crun', other: 'runc' });
  assert.deepEqual(o.runtimeArgs, { crun: ['--log-level=debug'] });
  assert.throws(() => withConfig({ runtimes: { runc: { path: '/x' } } }), {
    message: "runtime name 'runc' is reserved",
  });
  assert.throws(() => withConfig({ runtimes: { x: {} } }), {
    message: 'runtime x: either a runtimeType or a path must be configured',
  });
  assert.throws(() => withConfig({ runtimes: { x: { path: '/x', runtimeArgs: '--debug' } } }), {
    kind: 'invalid',
    message: /cannot unmarshal object into Go struct field Config.runtimes of type map\[string\]types.Runtime/,
  });
  assert.throws(() => withConfig({ runtimes: { x: { path: '/x' } } }, ['--add-runtime', 'y=/y']), {
    message: /specified both as a flag and in the configuration file: runtimes/,
  });
});
