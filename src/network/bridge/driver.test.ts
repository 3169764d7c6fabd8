import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetworkRecord } from '../types.js';
import { newNetworkRecord } from '../store.js';
import { BridgeDriver } from './driver.js';

const net = (o: Partial<NetworkRecord> = {}): NetworkRecord => ({
  ...newNetworkRecord('n', 'bridge', {}, 'f'.repeat(64)),
  internal: true,
  ipam: [{ Subnet: '10.8.0.0/16', Gateway: '10.8.0.1' }],
  ...o,
});

test('bridge names: br-<id12> by default, the option when given; too long or taken is refused', () => {
  const d = new BridgeDriver();
  const a = net();
  d.configure(a, []);
  assert.equal(a.bridge, 'br-ffffffffffff');
  const b = net({ options: { 'com.docker.network.bridge.name': 'mybr' } });
  d.configure(b, [a]);
  assert.equal(b.bridge, 'mybr');
  assert.throws(
    () => d.configure(net({ options: { 'com.docker.network.bridge.name': 'x'.repeat(16) } }), []),
    /is too long/,
  );
  assert.throws(
    () => d.configure(net({ options: { 'com.docker.network.bridge.name': 'mybr' } }), [b]),
    /bridge name mybr is already in use/,
  );
});

test('the bridge comes up with the gateway of each family IPv6 is enabled for; firewall state of both', async () => {
  const calls: string[] = [];
  const d = new BridgeDriver({
    ensureBridge: async (name, gw, gw6) => void calls.push(`${name} ${gw} ${gw6 ?? '-'}`),
    deleteBridge: async () => {},
    joinBridge: async () => {},
    leaveBridge: async () => {},
  });
  const n = net({
    bridge: 'br0',
    enableIPv6: true,
    ipam: [
      { Subnet: '10.8.0.0/16', Gateway: '10.8.0.1' },
      { Subnet: 'fd00::/64', Gateway: 'fd00::1' },
    ],
  });
  await d.createNetwork(n);
  assert.deepEqual(calls, ['br0 10.8.0.1/16 fd00::1/64']);
  assert.deepEqual(d.firewall(n).networks, [
    { bridge: 'br0', subnet: '10.8.0.0/16', internal: true, subnet6: 'fd00::/64' },
  ]);
  // an IPv6 pool without EnableIPv6 is only recorded (Docker 27): no IPv6 gateway, no IPv6 rules
  const off = { ...n, enableIPv6: false };
  await d.createNetwork(off);
  assert.equal(calls[1], 'br0 10.8.0.1/16 -');
  assert.deepEqual(d.firewall(off).networks, [{ bridge: 'br0', subnet: '10.8.0.0/16', internal: true }]);
  assert.deepEqual(d.firewall(net({ ipam: [] })), { networks: [], ports: [] });
});
