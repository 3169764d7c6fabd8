// IPv6 on bridge networks and link names in user-network DNS (issue 16), over part C's fakes (fake-rig.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../errdefs.js';
import { container, req, rig, run } from './fake-rig.js';
import type { ContainerView, EndpointsConfigEntry } from './types.js';

const id = (c: string) => c.repeat(64).slice(0, 64);
const rejects = (p: Promise<unknown>, kind: string, message: string) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof EngineError, String(e));
    assert.deepEqual([e.kind, e.message], [kind, message]);
    return true;
  });
const on = (c: ContainerView, net: string, cfg: EndpointsConfigEntry = {}): ContainerView => {
  c.hostConfig.NetworkMode = net;
  c.networkingConfig = { EndpointsConfig: { [net]: cfg } };
  return c;
};
const bytes6 = (b: Buffer) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

test('EnableIPv6 with a subnet, range and gateway: dual-stack bridge, endpoint, firewall and AAAA answers', async () => {
  const r = await rig();
  await r.svc.create(
    req({
      name: 'six',
      enableIPv6: true,
      pools: [{ Subnet: '10.6.0.0/24' }, { Subnet: 'fd00:6::/64', IPRange: 'fd00:6::/96', Gateway: 'fd00:6::ffff' }],
    }),
  );
  const n = r.svc.find('six');
  assert.deepEqual(n.ipam, [
    { Subnet: '10.6.0.0/24', Gateway: '10.6.0.1' },
    { Subnet: 'fd00:6::/64', IPRange: 'fd00:6::/96', Gateway: 'fd00:6::ffff' },
  ]);
  assert.ok(r.ops.includes(`up ${n.bridge} 10.6.0.1/24 fd00:6::ffff/64`), r.ops.join('\n'));
  assert.deepEqual(r.fw.at(-1)!.networks.at(-1), {
    bridge: n.bridge,
    subnet: '10.6.0.0/24',
    internal: false,
    subnet6: 'fd00:6::/64',
  });
  const a = await run(r, on(container(id('a'), 'a', {}, r.dir), 'six'));
  const b = await run(
    r,
    on(container(id('b'), 'b', {}, r.dir), 'six', { IPAMConfig: { IPv6Address: 'fd00:6::f00d' } }),
  );
  const ea = n.endpoints[a.id]!;
  assert.deepEqual([ea.ip, ea.ipv6, ea.ipv6PrefixLen, ea.ipv6Gateway], ['10.6.0.2', 'fd00:6::1', 64, 'fd00:6::ffff']);
  assert.equal(n.endpoints[b.id]!.ipv6, 'fd00:6::f00d');
  assert.ok(r.ops.includes(`join ${n.bridge} eth0 10.6.0.2 fd00:6::1 route`), r.ops.join('\n'));
  const ask = (from: ContainerView, name: string, type: number) =>
    r.resolve()(n.endpoints[from.id]!.ip, { id: 1, flags: 0, name, type, cls: 1, end: 0 })?.addrs;
  assert.deepEqual(ask(a, 'b', 28)!.map(bytes6), ['fd000006' + '0'.repeat(20) + 'f00d']);
  assert.deepEqual(
    ask(a, 'b', 1)!.map((x) => [...x].join('.')),
    ['10.6.0.3'],
  );
  // a wanted address that is taken, or outside the subnet, is refused with Docker's texts
  const c = r.add(on(container(id('c'), 'c', {}, r.dir), 'six'));
  c.state = { status: 'running', pid: 1 };
  await r.queue.run(c.id, () => r.svc.setup(c));
  await r.svc.disconnect('six', 'c', false);
  await rejects(
    r.svc.connect('six', 'c', { IPAMConfig: { IPv6Address: 'fd00:6::f00d' } }),
    'conflict',
    'Address already in use',
  );
  await rejects(
    r.svc.connect('six', 'c', { IPAMConfig: { IPv6Address: 'fd00:7::1' } }),
    'invalid',
    "Invalid address fd00:7::1: It does not belong to any of this network's subnets",
  );
  await r.svc.connect('six', 'c', { IPAMConfig: { IPv6Address: 'fd00:6::c' } });
  assert.equal(n.endpoints[c.id]!.ipv6, 'fd00:6::c');
  await r.svc.disconnect('six', 'c', false);
  assert.equal(n.endpoints[c.id], undefined);
});

test('an IPv6 subnet without EnableIPv6 is recorded but unused (Docker 27); the endpoint keeps its IPv6Address', async () => {
  const r = await rig();
  await r.svc.create(req({ name: 'v6off', pools: [{ Subnet: '2001:389::/64', IPRange: '2001:389::/96' }] }));
  const n = r.svc.find('v6off');
  assert.equal(n.enableIPv6, false);
  assert.equal(n.ipam.length, 2);
  assert.deepEqual(n.ipam[0], { Subnet: '2001:389::/64', IPRange: '2001:389::/96' }, 'given pools first, as given');
  assert.match(n.ipam[1]!.Subnet, /^172\.\d+\.0\.0\/16$/);
  assert.ok(r.ops.includes(`up ${n.bridge} ${n.ipam[1]!.Gateway}/16`), 'no IPv6 gateway on the bridge');
  assert.equal(r.fw.at(-1)!.networks.at(-1)!.subnet6, undefined);
  const c = await run(
    r,
    on(container(id('a'), 'a', {}, r.dir), 'v6off', { IPAMConfig: { IPv6Address: '2001:389::f00d' } }),
  );
  const cfg = (c.networkingConfig as { EndpointsConfig: Record<string, EndpointsConfigEntry> }).EndpointsConfig;
  assert.equal(cfg.v6off!.IPAMConfig?.IPv6Address, '2001:389::f00d');
  assert.equal(n.endpoints[c.id]!.ipv6, '', 'no IPv6 address is assigned');
  // an IPv6 address on a network with no IPv6 subnet at all, or a malformed one, is refused
  await r.svc.create(req({ name: 'plain', pools: [{ Subnet: '10.7.0.0/24' }] }));
  await rejects(
    r.svc.prepare(on(container(id('b'), 'b', {}, r.dir), 'plain', { IPAMConfig: { IPv6Address: 'fd00::5' } })),
    'invalid',
    'user specified IP address is supported only when connecting to networks with user configured subnets',
  );
  await rejects(
    r.svc.prepare(on(container(id('b'), 'b', {}, r.dir), 'v6off', { IPAMConfig: { IPv6Address: 'fd00::zz' } })),
    'invalid',
    'invalid IPv6 address: fd00::zz',
  );
});

test('EnableIPv6 without a subnet takes the next /64 of fd00::/8; bad or overlapping IPv6 pools are refused', async () => {
  const r = await rig();
  await r.svc.create(req({ name: 'x1', enableIPv6: true }));
  await r.svc.create(req({ name: 'x2', enableIPv6: true }));
  assert.deepEqual(r.svc.find('x1').ipam[1], { Subnet: 'fd00::/64', Gateway: 'fd00::1' });
  assert.deepEqual(r.svc.find('x2').ipam[1], { Subnet: 'fd00:0:0:1::/64', Gateway: 'fd00:0:0:1::1' });
  const six = (cfg: object, name = 'bad') => r.svc.create(req({ name, enableIPv6: true, pools: [cfg] }));
  await rejects(six({ Subnet: 'fd00::/48' }), 'conflict', 'Pool overlaps with other one on this address space');
  const invalidPools: Array<[object, string]> = [
    [{ Subnet: 'fd01::1/64' }, 'invalid subnet fd01::1/64: it should be fd01::/64'],
    [
      { Subnet: 'fd01::/64', IPRange: 'fd02::/96' },
      "invalid ip-range fd02::/96: parent subnet fd01::/64 doesn't contain ip-range",
    ],
    [
      { Subnet: 'fd01::/64', IPRange: 'fd01::/32' },
      'invalid ip-range fd01::/32: CIDR block is bigger than its parent subnet fd01::/64',
    ],
    [
      { Subnet: 'fd01::/64', Gateway: 'fd02::1' },
      "invalid gateway fd02::1: parent subnet fd01::/64 doesn't contain this address",
    ],
    [{ Subnet: 'fd01::/64', Gateway: '10.0.0.1' }, 'invalid gateway 10.0.0.1: parent subnet is an IPv6 block'],
  ];
  for (const [cfg, why] of invalidPools) await rejects(six(cfg), 'invalid', `invalid network config:\n${why}`);
  assert.equal(r.svc.tryFind('bad'), undefined, 'nothing left behind');
});

test('links given in EndpointsConfig resolve for the linking container only, to a target started after it', async () => {
  const r = await rig();
  await r.svc.create(req({ name: 'app', pools: [{ Subnet: '10.5.0.0/24' }] }));
  const linker = await run(r, on(container(id('a'), 'linker', {}, r.dir), 'app', { Links: ['upstream:bar'] }));
  const other = await run(r, on(container(id('b'), 'other', {}, r.dir), 'app'));
  const ipOf = (c: ContainerView) => r.svc.find('app').endpoints[c.id]!.ip;
  const ask = (from: ContainerView, name: string) =>
    r
      .resolve()(ipOf(from), { id: 1, flags: 0, name, type: 1, cls: 1, end: 0 })
      ?.addrs.map((x) => [...x].join('.')) ?? null;
  assert.equal(ask(linker, 'bar'), null, 'no target yet');
  const up = await run(r, on(container(id('c'), 'upstream', {}, r.dir), 'app'));
  assert.deepEqual(ask(linker, 'bar'), [ipOf(up)]);
  assert.equal(ask(other, 'bar'), null, 'only for the linking container');
  // connect with links (docker-py's connect_container_to_network(links=…))
  await r.svc.disconnect('app', 'other', false);
  await r.svc.connect('app', 'other', { Links: ['upstream:baz'] });
  assert.deepEqual(ask(other, 'baz'), [ipOf(up)]);
  assert.equal(ask(linker, 'baz'), null);
});

test('after a daemon restart an IPv6 network comes back dual-stack and its running endpoint keeps its address', async () => {
  const r = await rig();
  await r.svc.create(req({ name: 'six', enableIPv6: true, pools: [{ Subnet: 'fd00:9::/64' }] }));
  const c = await run(r, on(container(id('a'), 'a', {}, r.dir), 'six'));
  const r2 = await rig({ dataRoot: r.dir });
  r2.add(c);
  await r2.svc.restore();
  const n = r2.svc.find('six');
  assert.equal(n.enableIPv6, true);
  const gw4 = n.ipam.find((p) => !p.Subnet.includes(':'))!.Gateway;
  assert.ok(r2.ops.includes(`up ${n.bridge} ${gw4}/16 fd00:9::1/64`), r2.ops.join('\n'));
  assert.equal(n.endpoints[c.id]!.ipv6, 'fd00:9::2');
  assert.equal(r2.fw.at(-1)!.networks.find((x) => x.bridge === n.bridge)!.subnet6, 'fd00:9::/64');
  // the next container gets the next address, not the kept one
  const b = await run(r2, on(container(id('b'), 'b', {}, r.dir), 'six'));
  assert.equal(n.endpoints[b.id]!.ipv6, 'fd00:9::3');
});
