// Endpoint settings in container inspect show what the request asked for: driver options of a
// running container's endpoint, and the MAC address of a created container connected to a network
// (docker-py's test_create_with_driveropt and test_connect_with_mac_address).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile();
const skip = berthd.skip;

test('endpoint DriverOpts and a requested MacAddress appear in inspect', { skip: skip ?? false }, async () => {
  const d = berthd.d;
  const c = await d.dockerode.createContainer({
    Image: 'busybox',
    Cmd: ['sleep', '300'],
    HostConfig: { NetworkMode: 'bridge' },
    NetworkingConfig: { EndpointsConfig: { bridge: { DriverOpts: { 'com.example.setting': 'on' } } } },
  });
  await c.start();
  const bridge = (await c.inspect()).NetworkSettings.Networks['bridge'] as
    | { DriverOpts?: unknown; MacAddress?: string }
    | undefined;
  assert.deepEqual(bridge?.DriverOpts, { 'com.example.setting': 'on' });
  assert.match(bridge?.MacAddress ?? '', /^02:42:ac:11:/, 'a running endpoint shows its real MAC');

  assert.equal((await d.docker(['network', 'create', 'macnet'])).code, 0);
  const created = await d.dockerode.createContainer({ Image: 'busybox', Cmd: ['top'] });
  await d.dockerode
    .getNetwork('macnet')
    .connect({ Container: created.id, EndpointConfig: { MacAddress: '02:42:ac:11:00:02' } });
  assert.equal((await created.inspect()).NetworkSettings.Networks['macnet']?.MacAddress, '02:42:ac:11:00:02');
  await created.remove({ force: true });
  await c.remove({ force: true });
  await d.dockerode.getNetwork('macnet').remove();
});
