import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSpec } from '../spec/buildSpec.js';
import { ALL_CAPS } from '../spec/capabilities.js';
import { execProcess } from './exec-process.js';

const container = buildSpec({
  id: 'c1',
  rootfs: '/r',
  seccompProfile: null,
  process: {
    args: ['sleep', '1d'],
    env: ['A=1'],
    cwd: '/srv',
    user: { uid: 1000, gid: 1000, additionalGids: [27] },
    tty: true,
    consoleSize: { height: 24, width: 80 },
  },
  securityOpt: ['no-new-privileges'],
  capDrop: ['NET_RAW', 'CHOWN'],
  capAdd: ['SYS_PTRACE'],
  rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 }],
  oomScoreAdj: 100,
}).process;
container.apparmorProfile = 'docker-default';
container.selinuxLabel = 'system_u:system_r:container_t:s0:c1,c2';

const cmd = { args: ['sh', '-c', 'id'], env: ['PATH=/bin'], cwd: '/tmp', terminal: false };

test('an exec keeps the container confinement: no-new-privileges, capabilities, rlimits, labels, user', () => {
  const p = execProcess(container, cmd, ALL_CAPS);
  assert.equal(p.noNewPrivileges, true);
  assert.deepEqual(p.capabilities, container.capabilities);
  assert.ok(!p.capabilities!.bounding!.includes('CAP_NET_RAW') && p.capabilities!.bounding!.includes('CAP_SYS_PTRACE'));
  assert.deepEqual(p.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 }]);
  assert.equal(p.apparmorProfile, 'docker-default');
  assert.equal(p.selinuxLabel, 'system_u:system_r:container_t:s0:c1,c2');
  assert.equal(p.oomScoreAdj, 100);
  assert.deepEqual(p.user, { uid: 1000, gid: 1000, additionalGids: [27] });
  // the exec's own command, environment, cwd and terminal; no console size of the container's
  assert.deepEqual(
    [p.args, p.env, p.cwd, p.terminal, p.consoleSize],
    [['sh', '-c', 'id'], ['PATH=/bin'], '/tmp', false, undefined],
  );
  // the container's process is not changed
  assert.deepEqual(container.args, ['sleep', '1d']);
  p.capabilities!.bounding!.push('CAP_SYS_ADMIN');
  assert.ok(!container.capabilities!.bounding!.includes('CAP_SYS_ADMIN'));
});

test('-u replaces the user, --privileged the capabilities (all of them), --ulimit the rlimits', () => {
  const p = execProcess(
    container,
    { ...cmd, user: { uid: 0, gid: 0 }, privileged: true, rlimits: [{ type: 'RLIMIT_NPROC', soft: 5, hard: 5 }] },
    ALL_CAPS,
  );
  assert.deepEqual(p.user, { uid: 0, gid: 0, additionalGids: [] });
  assert.deepEqual(p.capabilities, { bounding: ALL_CAPS, effective: ALL_CAPS, permitted: ALL_CAPS });
  assert.deepEqual(p.rlimits, [{ type: 'RLIMIT_NPROC', soft: 5, hard: 5 }]);
  assert.equal(p.noNewPrivileges, true, '--privileged does not lift no-new-privileges (as in Docker)');
});

test('no container process (never happens) gives root and no extra rights', () => {
  const p = execProcess(null, cmd, ALL_CAPS);
  assert.deepEqual(p.user, { uid: 0, gid: 0 });
  assert.equal(p.capabilities, undefined);
  assert.equal(p.cwd, '/tmp');
  assert.equal(execProcess({}, { ...cmd, cwd: '' }, ALL_CAPS).cwd, '/');
});
