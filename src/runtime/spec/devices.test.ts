import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceNumbers, hostDevices, resolveDevice } from './devices.js';
import { parseDeviceCgroupRule } from './resources.js';

test('--device /dev/null:/dev/mynull:rw', async () => {
  const [d] = await resolveDevice({ pathOnHost: '/dev/null', pathInContainer: '/dev/mynull', cgroupPermissions: 'rw' });
  assert.deepEqual(
    { ...d.device, fileMode: undefined, uid: undefined, gid: undefined },
    { type: 'c', path: '/dev/mynull', major: 1, minor: 3, fileMode: undefined, uid: undefined, gid: undefined },
  );
  assert.deepEqual(d.rule, { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' });
  assert.deepEqual(await deviceNumbers('/dev/zero'), { major: 1, minor: 5 });
});

test('--device errors use Docker text', async () => {
  await assert.rejects(
    resolveDevice({ pathOnHost: '/nonexistent' }),
    /error gathering device information while adding custom device "\/nonexistent"/,
  );
  await assert.rejects(resolveDevice({ pathOnHost: '/etc/hostname' }), /not a device node/);
  await assert.rejects(
    resolveDevice({ pathOnHost: '/dev/null', cgroupPermissions: 'rwx' }),
    /invalid device mode: rwx/,
  );
});

test('hostDevices lists char devices, not pts or console', async () => {
  const all = await hostDevices();
  assert.ok(all.some((d) => d.device.path === '/dev/null'));
  assert.ok(!all.some((d) => d.device.path.startsWith('/dev/pts/') || d.device.path === '/dev/console'));
});

test('device cgroup rules', () => {
  assert.deepEqual(parseDeviceCgroupRule('b *:* m'), { allow: true, type: 'b', access: 'm' });
  assert.throws(() => parseDeviceCgroupRule('x 1:2 r'), /invalid device cgroup format/);
});
