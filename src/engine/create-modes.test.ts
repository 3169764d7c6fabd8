import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adaptModes, defaultCgroupns } from './create-modes.js';

const host = (mode: 'v1' | 'hybrid' | 'v2', ns = true) => ({
  cgroupMode: mode,
  cgroupNamespaces: ns,
  idOf: (ref: string) => (ref === 'donor' || ref === 'abc' ? 'abc123' : undefined),
});
const fields = (o: Partial<{ IpcMode: string; CgroupnsMode: string; Privileged: boolean; Runtime: string }> = {}) => ({
  IpcMode: '',
  CgroupnsMode: '',
  Privileged: false,
  Runtime: '',
  ...o,
});

test('unset modes get moby defaults: ipc private; cgroupns private on v2, host on v1/hybrid or privileged v1', () => {
  for (const [mode, priv, want] of [
    ['v2', false, 'private'],
    ['v2', true, 'private'],
    ['v1', false, 'host'],
    ['hybrid', false, 'host'],
    ['v1', true, 'host'],
  ] as const) {
    const h = fields({ Privileged: priv });
    adaptModes(h, {}, host(mode));
    assert.equal(h.CgroupnsMode, want, `${mode} privileged=${priv}`);
    assert.equal(h.IpcMode, 'private');
    assert.equal(h.Runtime, 'runc');
    assert.equal(defaultCgroupns(mode, priv), want);
  }
});

test('given modes are kept; container:<name> becomes container:<id>; a missing donor is a 404', () => {
  const h = fields({ IpcMode: 'container:donor', CgroupnsMode: 'private' });
  assert.deepEqual(adaptModes(h, h, host('v1')), []);
  assert.equal(h.IpcMode, 'container:abc123');
  assert.equal(h.CgroupnsMode, 'private');
  const pid = { ...fields(), PidMode: 'container:donor' };
  adaptModes(pid, pid, host('v1'));
  assert.equal(pid.PidMode, 'container:abc123');
  const unknownPid = { ...fields(), PidMode: 'container:nosuch' };
  adaptModes(unknownPid, unknownPid, host('v1'));
  assert.equal(unknownPid.PidMode, 'container:nosuch', 'left for start to refuse, as moby');
  const m = fields({ IpcMode: 'container:nosuch' });
  assert.throws(() => adaptModes(m, m, host('v1')), { kind: 'not-found', message: 'No such container: nosuch' });
  const e = fields({ IpcMode: 'container:' });
  assert.throws(() => adaptModes(e, e, host('v1')), { kind: 'invalid', message: 'invalid IPC mode: container:' });
});

test('private cgroupns without kernel support warns as moby; unknown runtimes are a 400', () => {
  const h = fields({ CgroupnsMode: 'private' });
  assert.deepEqual(adaptModes(h, h, host('v2', false)), [
    'Your kernel does not support cgroup namespaces.  Cgroup namespace setting discarded.',
  ]);
  const r = fields({ Runtime: 'kata' });
  assert.throws(() => adaptModes(r, r, host('v2')), {
    kind: 'invalid',
    message: 'unknown or invalid runtime name: kata',
  });
});
