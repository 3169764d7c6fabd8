// The NetworkDriver contract, run against every driver (over recorded plumbing, no host changes). A new driver
// (macvlan, ipvlan: a folder of its own) adds its factory to DRIVERS and must pass the same checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BridgeOps, BridgeDriver } from './bridge/driver.js';
import type { NetworkDriver } from './driver.js';
import { newEndpoint } from './endpoints.js';
import { newNetworkRecord } from './store.js';
import type { EndpointRecord, NetworkRecord } from './types.js';

function recordingBridgeOps(log: string[]): BridgeOps {
  return {
    ensureBridge: async (name, gw) => void log.push(`ensure ${name} ${gw}`),
    deleteBridge: async (name) => void log.push(`delete ${name}`),
    joinBridge: async (br, ns, ep) => void log.push(`join ${br} ${ns} ${ep.ifname}`),
    leaveBridge: async (ep) => void log.push(`leave ${ep.ifname}`),
  };
}

const DRIVERS: Record<string, (log: string[]) => NetworkDriver> = {
  bridge: (log) => new BridgeDriver(recordingBridgeOps(log)),
};

function record(id: string, subnet: string, options: Record<string, string> = {}): NetworkRecord {
  const n = newNetworkRecord(`net-${id}`, '', options, id.repeat(64).slice(0, 64));
  n.ipam = [{ Subnet: subnet, Gateway: `${subnet.replace(/\.0\/\d+$/, '')}.1` }];
  return n;
}

function endpoint(n: NetworkRecord, cid: string, ip: string): EndpointRecord {
  const lease = { ip, prefixLen: 24, gateway: n.ipam[0]!.Gateway! };
  return newEndpoint({ id: cid.repeat(64).slice(0, 64), name: `c-${cid}` }, 'eth0', lease, '02:42:00:00:00:01', {
    aliases: [],
    links: [],
  });
}

for (const [name, make] of Object.entries(DRIVERS)) {
  test(`${name}: configure gives new networks distinct driver fields; create and delete are idempotent`, async () => {
    const log: string[] = [];
    const d = make(log);
    assert.equal(d.type, name);
    const a = { ...record('a', '10.1.0.0/24'), driver: d.type };
    const b = { ...record('b', '10.2.0.0/24'), driver: d.type };
    d.configure(a, []);
    d.configure(b, [a]);
    assert.notDeepEqual(d.firewall(a).networks, d.firewall(b).networks);
    await d.createNetwork(a);
    await d.createNetwork(a);
    await d.deleteNetwork(a);
    await d.deleteNetwork(a);
    assert.ok(log.length > 0, 'the plumbing went through the driver');
  });

  test(`${name}: endpoints get their own host-side names; join/leave; leave after a failed join is safe`, async () => {
    const d = make([]);
    const n = { ...record('c', '10.3.0.0/24'), driver: d.type };
    d.configure(n, []);
    const e1 = endpoint(n, '1', '10.3.0.2');
    const e2 = endpoint(n, '2', '10.3.0.3');
    d.createEndpoint(n, e1);
    d.createEndpoint(n, e2);
    assert.notEqual(
      JSON.stringify({ ...e1, id: '', containerId: '', name: '', ip: '' }),
      JSON.stringify({ ...e2, id: '', containerId: '', name: '', ip: '' }),
    );
    await d.join(n, e1, '/run/netns/x', { defaultRoute: true });
    await d.leave(n, e1);
    await d.deleteEndpoint(n, e1);
    await d.leave(n, e2); // never joined
    await d.deleteEndpoint(n, e2);
  });

  test(`${name}: firewall() is pure and carries every published port of the network's endpoints`, () => {
    const d = make([]);
    const n = { ...record('d', '10.4.0.0/24'), driver: d.type };
    d.configure(n, []);
    const e = endpoint(n, '1', '10.4.0.2');
    e.ports.push({ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80 });
    n.endpoints[e.containerId] = e;
    const before = JSON.stringify(n);
    const s1 = d.firewall(n);
    assert.deepEqual(d.firewall(n), s1);
    assert.equal(JSON.stringify(n), before);
    assert.deepEqual(
      s1.ports.map((p) => [p.hostPort, p.containerIp, p.containerPort]),
      [[8080, '10.4.0.2', 80]],
    );
  });
}
