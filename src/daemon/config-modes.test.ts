// default-ipc-mode / default-cgroupns-mode: dockerd's validation texts from a flag and from
// daemon.json, and the modes a container then gets when it names none.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { adaptModes } from '../engine/create-modes.js';
import { verifyDefaultCgroupnsMode, verifyDefaultIpcMode } from './config-modes.js';
import { applyConfigFile, parseArgs } from './flags.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-modes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** berthd's flag and config-file steps as main() runs them. */
function load(argv: string[], json?: object) {
  const file = join(dir, `daemon-${Math.random().toString(36).slice(2)}.json`);
  if (json) writeFileSync(file, JSON.stringify(json));
  const p = parseArgs([...argv, '--config-file', file]);
  applyConfigFile(p, false);
  return p.options;
}

test('the values dockerd accepts, and its two kinds of refusal', () => {
  for (const m of ['', 'private', 'shareable']) verifyDefaultIpcMode(m);
  for (const m of ['', 'private', 'host']) verifyDefaultCgroupnsMode(m);
  assert.throws(() => verifyDefaultIpcMode('bogus'), {
    message: 'default IPC mode setting (bogus) is invalid; use "shareable" or "private"',
  });
  for (const m of ['host', 'none', 'container:db'])
    assert.throws(() => verifyDefaultIpcMode(m), {
      message: `IPC mode "${m}" is not supported as default value; use "shareable" or "private"`,
    });
  assert.throws(() => verifyDefaultCgroupnsMode('shareable'), {
    message: 'invalid default cgroup namespace (shareable): use "host" or "private"',
  });
});

test("flags and daemon.json set the defaults; a bad one stops berthd with dockerd's text", () => {
  assert.deepEqual(
    [load(['--default-ipc-mode', 'shareable']).defaultIpcMode, load([]).defaultIpcMode],
    ['shareable', ''],
  );
  const o = load([], { 'default-ipc-mode': 'shareable', 'default-cgroupns-mode': 'private' });
  assert.deepEqual([o.defaultIpcMode, o.defaultCgroupnsMode], ['shareable', 'private']);
  // no daemon.json: dockerd validates the flags alone
  assert.throws(() => load(['--default-ipc-mode=host']), {
    message: 'IPC mode "host" is not supported as default value; use "shareable" or "private"',
  });
  assert.throws(() => load([], { 'default-cgroupns-mode': 'x' }), {
    message:
      /^unable to configure the daemon with file .*: merged configuration validation from file and command line flags failed: invalid default cgroup namespace \(x\): use "host" or "private"$/,
  });
  assert.throws(() => load(['--default-cgroupns-mode', 'bogus'], {}), {
    message:
      /merged configuration validation from file and command line flags failed: invalid default cgroup namespace \(bogus\)/,
  });
  assert.throws(() => load([], { 'default-ipc-mode': 1 }), {
    message: /cannot unmarshal number into Go struct field Config.default-ipc-mode of type string$/,
  });
});

test("a container that names no mode gets the daemon's default; one that names a mode keeps it", () => {
  const host = (defaults?: { ipc?: string; cgroupns?: string }) => ({
    cgroupMode: 'v1' as const,
    cgroupNamespaces: true,
    idOf: () => undefined,
    defaults,
  });
  const modes = (given: object | null, defaults?: { ipc?: string; cgroupns?: string }, privileged = false) => {
    const h = { IpcMode: '', CgroupnsMode: '', Privileged: privileged, Runtime: '', ...(given ?? {}) };
    adaptModes(h, given, host(defaults));
    return [h.IpcMode, h.CgroupnsMode];
  };
  assert.deepEqual(modes(null), ['private', 'host']);
  assert.deepEqual(modes(null, { ipc: 'shareable', cgroupns: 'private' }), ['shareable', 'private']);
  assert.deepEqual(modes({ IpcMode: 'private', CgroupnsMode: 'host' }, { ipc: 'shareable', cgroupns: 'private' }), [
    'private',
    'host',
  ]);
  assert.deepEqual(modes(null, { ipc: '', cgroupns: 'private' }, true), ['private', 'host'], 'privileged on v1: host');
});
