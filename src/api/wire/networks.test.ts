import assert from 'node:assert/strict';
import { test } from 'node:test';
import { container, rig, run } from '../../network/fake-rig.js';
import { containerNetworkView, networkCreate, networkJson } from './networks.js';

const id = (c: string) => c.repeat(64);

test('NetworkSettings: top-level fields from the default bridge, per-network EndpointSettings, Ports', async () => {
  const r = await rig();
  await r.svc.create(networkCreate({ Name: 'app', IPAM: { Config: [{ Subnet: '10.5.0.0/24' }] } }));
  const c = container(
    id('a'),
    'web',
    { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] } },
    r.dir,
  );
  c.config.ExposedPorts = { '80/tcp': {}, '53/udp': {} };
  c.networkingConfig = { EndpointsConfig: { bridge: {}, app: { Aliases: ['w'], DriverOpts: { k: 'v' } } } };
  await run(r, c);
  const { settings, ports } = containerNetworkView(r.svc)(c);
  const s = settings as Record<string, unknown> & { Networks: Record<string, Record<string, unknown>> };
  assert.equal(s.IPAddress, '172.17.0.2');
  assert.equal(s.Gateway, '172.17.0.1');
  assert.equal(s.MacAddress, '02:42:ac:11:00:02');
  assert.equal(s.SandboxKey, r.netns.pathOf(c.id));
  assert.deepEqual(s.Ports, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': null });
  assert.equal(s.Networks.bridge!.Aliases, null, 'no aliases on the default bridge');
  assert.equal(s.Networks.bridge!.DNSNames, null);
  const app = s.Networks.app!;
  assert.deepEqual(app.Aliases, ['w'], 'user aliases only, as moby 1.45+ (the short id is a DNS name)');
  assert.deepEqual(app.DNSNames, ['web', 'w', c.id.slice(0, 12)]);
  assert.deepEqual(
    [app.IPAddress, app.IPPrefixLen, app.Gateway, app.NetworkID],
    ['10.5.0.2', 24, '10.5.0.1', r.svc.find('app').id],
  );
  assert.deepEqual(app.DriverOpts, { k: 'v' });
  assert.deepEqual(ports, [
    { IP: '127.0.0.1', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { PrivatePort: 53, Type: 'udp' },
  ]);
});

test('a container not running shows what it asked for: MAC, no address, no sandbox', async () => {
  const r = await rig();
  const c = r.add(container(id('b'), 'idle', {}, r.dir));
  c.networkingConfig = { EndpointsConfig: { bridge: { MacAddress: '02:00:00:00:00:01' } } };
  const s = containerNetworkView(r.svc)(c).settings as Record<string, unknown> & {
    Networks: Record<string, Record<string, unknown>>;
  };
  assert.equal(s.SandboxKey, '');
  assert.equal(s.IPAddress, '');
  assert.equal(s.Networks.bridge!.MacAddress, '02:00:00:00:00:01');
  assert.equal(s.Networks.bridge!.EndpointID, '');
  const host = r.add(container(id('c'), 'h', { NetworkMode: 'host' }, r.dir));
  assert.deepEqual(Object.keys((containerNetworkView(r.svc)(host).settings as { Networks: object }).Networks), [
    'host',
  ]);
});

test('network JSON: IPAM Options only for user networks, containers only on inspect', async () => {
  const r = await rig();
  await r.svc.create(networkCreate({ Name: 'app', IPAM: { Options: { o: '1' } } }));
  const c = await run(r, container(id('d'), 'web', { NetworkMode: 'app' }, r.dir));
  const app = networkJson(r.svc.find('app'), true) as {
    IPAM: { Options: unknown };
    Containers: Record<string, { Name: string; IPv4Address: string }>;
  };
  assert.deepEqual(app.IPAM.Options, { o: '1' });
  assert.deepEqual(Object.keys(app.Containers), [c.id]);
  assert.equal(app.Containers[c.id]!.IPv4Address, `${r.svc.find('app').endpoints[c.id]!.ip}/16`);
  assert.deepEqual((networkJson(r.svc.find('app'), false) as { Containers: object }).Containers, {});
  assert.equal((networkJson(r.svc.find('bridge'), false) as { IPAM: { Options: unknown } }).IPAM.Options, null);
});
