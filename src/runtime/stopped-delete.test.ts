import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { testDir } from '../util/test-dirs.js';
import { deleteStopped } from './stopped-delete.js';

const ID = 'abc123';

/** A runc state dir for ID and plain directories standing in for its cgroups (one nested). */
async function fixture(over: Record<string, unknown> = {}, config: Record<string, unknown> = {}) {
  const base = await testDir('berth-rdel-');
  const root = join(base, 'root');
  const cg = [join(base, 'cpu', ID), join(base, 'memory', 'parent', ID)];
  for (const d of cg) mkdirSync(d, { recursive: true });
  mkdirSync(join(cg[0]!, 'nested', 'deeper'), { recursive: true });
  mkdirSync(join(root, ID), { recursive: true });
  const state = {
    init_process_pid: 0,
    intel_rdt_path: '',
    cgroup_paths: { cpu: cg[0], cpuacct: cg[0], memory: cg[1] },
    config: { hooks: null, cgroups: { Systemd: false }, namespaces: [{ type: 'NEWPID', path: '' }], ...config },
    ...over,
  };
  writeFileSync(join(root, ID, 'state.json'), JSON.stringify(state));
  return { root, cg, base };
}

test('stopped delete: removes the cgroups (sub-cgroups first) and the state dir, as runc delete', async () => {
  const { root, cg, base } = await fixture();
  assert.equal(await deleteStopped(root, ID), 'deleted');
  for (const d of cg) assert.equal(existsSync(d), false, d);
  assert.equal(existsSync(join(root, ID)), false);
  assert.equal(existsSync(join(base, 'memory', 'parent')), true, 'the parent cgroup stays');
});

test('stopped delete: hooks, systemd, a shared PID namespace or a foreign cgroup go to runc, untouched', async () => {
  const cases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
    [{}, { hooks: { poststop: [{ path: '/bin/true' }] } }],
    [{}, { cgroups: { Systemd: true } }],
    [{}, { namespaces: [{ type: 'NEWPID', path: '/proc/1/ns/pid' }] }],
    [{ intel_rdt_path: '/sys/fs/resctrl/x' }, {}],
    [{ cgroup_paths: { cpu: '/sys/fs/cgroup/cpu' } }, {}],
  ];
  for (const [over, config] of cases) {
    const { root } = await fixture(over, config);
    assert.equal(await deleteStopped(root, ID), 'fallback', JSON.stringify([over, config]));
    assert.equal(existsSync(join(root, ID, 'state.json')), true);
  }
  const empty = await testDir('berth-rdel-');
  assert.equal(await deleteStopped(empty, ID), 'fallback', 'no state: runc answers');
});

test('stopped delete: an init still running (same pid and start time) goes to runc', async () => {
  const child = spawn('sleep', ['5'], { stdio: 'ignore' });
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const { root, cg } = await fixture({ init_process_pid: child.pid, init_process_start: start });
    assert.equal(await deleteStopped(root, ID), 'fallback');
    assert.equal(existsSync(cg[0]!), true);
    // the pid reused by another process (another start time) is not the init
    const reused = await fixture({ init_process_pid: child.pid, init_process_start: start + 1 });
    assert.equal(await deleteStopped(reused.root, ID), 'deleted');
  } finally {
    child.kill('SIGKILL');
  }
});
