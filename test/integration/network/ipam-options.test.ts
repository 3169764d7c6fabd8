// IPAM.Options in network inspect is what the create request gave, as in Docker: null when the
// client sent none (docker-py's IPAMConfig), {} when it sent an empty map (the docker CLI).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile({ busybox: false });
const skip = berthd.skip;

test('IPAM Options round-trip: null stays null, {} stays {}, given options stay', { skip: skip ?? false }, async () => {
  const d = berthd.d;
  const none = await d.dockerode.createNetwork({
    Name: 'ipam-null',
    IPAM: {
      Driver: 'default',
      Config: [{ Subnet: '172.28.0.0/16', IPRange: '172.28.5.0/24', Gateway: '172.28.5.254' }],
      Options: null,
    } as never,
  });
  assert.equal((await none.inspect()).IPAM?.Options, null);
  assert.equal((await d.docker(['network', 'create', 'ipam-cli'])).code, 0);
  assert.deepEqual((await d.dockerode.getNetwork('ipam-cli').inspect()).IPAM?.Options, {});
  const given = await d.dockerode.createNetwork({
    Name: 'ipam-opts',
    IPAM: { Driver: 'default', Options: { foo: 'bar' } },
  });
  assert.deepEqual((await given.inspect()).IPAM?.Options, { foo: 'bar' });
  for (const n of ['ipam-null', 'ipam-cli', 'ipam-opts']) await d.dockerode.getNetwork(n).remove();
});
