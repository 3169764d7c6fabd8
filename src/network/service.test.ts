import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { EngineError } from '../errdefs.js';
import { container, req, rig, run } from './fake-rig.js';
import { mustCidr4 } from './ip.js';
import type { NetworkRecord } from './types.js';
import { latch } from '../util/latch.js';

const id = (c: string) => c.repeat(64).slice(0, 64);
const rejects = (p: Promise<unknown>, kind: string, message: string | RegExp) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof EngineError, String(e));
    assert.equal(e.kind, kind);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });

test('init: host, none and the default bridge on the first default pool, persisted and reloaded', async () => {
  const r = await rig();
  const names = r.svc.list().map((n) => n.name);
  assert.deepEqual(names.sort(), ['bridge', 'host', 'none']);
  const br = r.svc.find('bridge');
  assert.deepEqual(br.ipam, [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }]);
  assert.equal(br.bridge, 'berth0');
  assert.deepEqual(r.ops, ['up berth0 172.17.0.1/16']);
  assert.equal(r.dnsListening.size, 0, 'no embedded DNS on the default bridge');
  const again = await rig({ dataRoot: r.dir });
  assert.equal(again.svc.find('bridge').id, br.id);
  assert.equal(again.svc.list().length, 3);
});

test('create with IPAM config: subnet, range, gateway, options; bridge, DNS and firewall follow', async () => {
  const r = await rig();
  const { id: Id } = await r.svc.create(
    req({
      name: 'app',
      pools: [{ Subnet: '10.5.0.0/24', IPRange: '10.5.0.128/25', Gateway: '10.5.0.254' }],
      ipamOptions: { a: 'b' },
      labels: { l: '1' },
      internal: true,
    }),
  );
  const n = r.svc.find('app');
  assert.equal(n.id, Id);
  assert.deepEqual(n.ipam, [{ Subnet: '10.5.0.0/24', IPRange: '10.5.0.128/25', Gateway: '10.5.0.254' }]);
  assert.deepEqual(
    [n.bridge, n.internal, n.labels, n.ipamOptions],
    [`br-${Id.slice(0, 12)}`, true, { l: '1' }, { a: 'b' }],
  );
  assert.ok(r.ops.includes(`up br-${Id.slice(0, 12)} 10.5.0.254/24`));
  assert.ok(r.dnsListening.has('10.5.0.254'));
  assert.deepEqual(r.fw.at(-1)!.networks.at(-1), { bridge: n.bridge, subnet: '10.5.0.0/24', internal: true });
  assert.ok(fs.existsSync(path.join(r.dir, 'networks', `${Id}.json`)));
  // by id prefix, and the remove path undoes it all
  assert.equal(r.svc.find(Id.slice(0, 6)).name, 'app');
  await r.svc.remove('app');
  assert.equal(r.svc.tryFind('app'), undefined);
  assert.ok(r.ops.includes(`del ${n.bridge}`));
  assert.equal(r.dnsListening.has('10.5.0.254'), false);
  assert.equal(fs.existsSync(path.join(r.dir, 'networks', `${Id}.json`)), false);
});

test('create without IPAM config takes the next default pool that no network or host route uses', async () => {
  const r = await rig({ routes: [mustCidr4('172.18.5.0/24')] });
  await r.svc.create(req({ name: 'a' }));
  assert.deepEqual(r.svc.find('a').ipam, [{ Subnet: '172.19.0.0/16', Gateway: '172.19.0.1' }]);
  await r.svc.create(req({ name: 'b' }));
  assert.equal(r.svc.find('b').ipam[0]!.Subnet, '172.20.0.0/16');
});

test('refused creates: Docker texts and kinds, nothing left behind', async () => {
  const r = await rig();
  await r.svc.create(req({ name: 'a', pools: [{ Subnet: '10.1.0.0/16' }] }));
  const before = fs.readdirSync(path.join(r.dir, 'networks')).length;
  await rejects(
    r.svc.create(req({ name: 'b', pools: [{ Subnet: '10.1.2.0/24' }] })),
    'conflict',
    'Pool overlaps with other one on this address space',
  );
  await rejects(
    r.svc.create(req({ name: 'c', pools: [{ Subnet: '172.17.0.0/20' }] })),
    'conflict',
    'Pool overlaps with other one on this address space',
  );
  await rejects(r.svc.create(req({ name: 'a' })), 'conflict', 'network with name a already exists');
  await rejects(r.svc.create(req({ name: '' })), 'invalid', 'network name cannot be empty');
  await rejects(r.svc.create(req({ name: 'd', driver: 'macvlan' })), 'not-found', 'plugin "macvlan" not found');
  await rejects(
    r.svc.create(req({ name: 'd', driver: 'host' })),
    'forbidden',
    'only one instance of "host" network is allowed',
  );
  // the API may omit Subnet
  const noSubnet = { Gateway: '10.2.0.1' };
  await rejects(
    r.svc.create(req({ name: 'd', pools: [noSubnet] })),
    'invalid',
    'ip-range and gateway require a subnet',
  );
  await rejects(
    r.svc.create(req({ name: 'd', pools: [{ Subnet: '10.3.0.0/24', Gateway: '10.4.0.1' }] })),
    'invalid',
    'Invalid Address: gateway 10.4.0.1 does not belong to subnet 10.3.0.0/24',
  );
  await rejects(
    r.svc.create(req({ name: 'd', options: { 'com.docker.network.bridge.name': 'berth0' } })),
    'conflict',
    'bridge name berth0 is already in use',
  );
  await rejects(r.svc.remove('bridge'), 'forbidden', 'bridge is a pre-defined network and cannot be removed');
  assert.deepEqual(
    r.svc
      .list()
      .map((n) => n.name)
      .sort(),
    ['a', 'bridge', 'host', 'none'],
  );
  assert.equal(fs.readdirSync(path.join(r.dir, 'networks')).length, before);
});

test('prepare normalises links and EndpointsConfig and refuses what Docker refuses', async () => {
  const r = await rig();
  await r.svc.create(req({ name: 'app' }));
  const t = r.add(container(id('a'), 'target'));
  const c = r.add(container(id('b'), 'web', { NetworkMode: 'app', Links: ['target:db'] }));
  c.networkingConfig = { EndpointsConfig: { app: { Aliases: ['w'] }, bridge: {} } };
  await r.svc.prepare(c);
  assert.deepEqual(c.hostConfig.Links, ['/target:/web/db']);
  assert.deepEqual(Object.keys((c.networkingConfig as { EndpointsConfig: object }).EndpointsConfig), ['app', 'bridge']);
  void t;
  const bad = r.add(container(id('c'), 'bad'));
  bad.networkingConfig = { EndpointsConfig: { bridge: { Aliases: ['x'] } } };
  await rejects(
    r.svc.prepare(bad),
    'invalid',
    'network-scoped alias is supported only for containers in user defined networks',
  );
  const ip = r.add(container(id('d'), 'ip', { NetworkMode: 'app' }));
  ip.networkingConfig = { EndpointsConfig: { app: { IPAMConfig: { IPv4Address: '10.99.0.5' } } } };
  await rejects(r.svc.prepare(ip), 'invalid', /^Invalid address 10\.99\.0\.5: It does not belong/);
  await rejects(
    r.svc.prepare(r.add(container(id('e'), 'l', { Links: ['nope:x'] }))),
    'not-found',
    /No such container: nope/,
  );
  await rejects(
    r.svc.prepare(r.add(container(id('f'), 'm', { NetworkMode: 'gone' }))),
    'not-found',
    'network gone not found',
  );
});

test('setup: endpoint, published port (proxy + DNAT), hosts and resolv.conf written; teardown releases it all', async () => {
  const r = await rig();
  const dir = r.dir;
  const c = await run(
    r,
    container(id('a'), 'web', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }, dir),
  );
  const ep = r.svc.find('bridge').endpoints[c.id]!;
  assert.deepEqual(
    [ep.ifname, ep.ip, ep.prefixLen, ep.gateway, ep.mac],
    ['eth0', '172.17.0.2', 16, '172.17.0.1', '02:42:ac:11:00:02'],
  );
  assert.deepEqual(ep.ports, [{ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80 }]);
  assert.deepEqual(r.proxies, ['tcp 0.0.0.0:8080 -> 172.17.0.2:80']);
  assert.equal(r.fw.at(-1)!.ports[0]!.hostPort, 8080);
  assert.match(fs.readFileSync(c.hostsPath, 'utf8'), /\n172\.17\.0\.2\taaaaaaaaaaaa\n$/);
  assert.equal(fs.readFileSync(c.resolvConfPath, 'utf8'), 'nameserver 10.9.9.9\nsearch example.org\n');
  assert.ok(r.ops.includes(`join berth0 eth0 172.17.0.2 route`));
  // the same host port for another container is refused with Docker's text while the first holds it
  const d = container(id('b'), 'other', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }, dir);
  await assert.rejects(
    run(r, d),
    /driver failed programming external connectivity on endpoint other .*Bind for 0\.0\.0\.0:8080 failed: port is already allocated/,
  );
  assert.equal(r.svc.find('bridge').endpoints[d.id], undefined, 'a failed setup leaves no endpoint');
  assert.equal(r.netns.exists(d.id), false);
  await r.svc.teardown(c);
  assert.deepEqual(r.svc.find('bridge').endpoints, {});
  assert.deepEqual(r.proxies, []);
  assert.equal(r.netns.exists(c.id), false);
  await run(r, d);
  assert.equal(r.svc.find('bridge').endpoints[d.id]!.ports[0]!.hostPort, 8080);
});

test('connect/disconnect a running container: endpoint on ethN, embedded DNS, record changed through update()', async () => {
  const r = await rig();
  await r.svc.create(req({ name: 'app', pools: [{ Subnet: '10.5.0.0/24' }] }));
  const c = await run(r, container(id('a'), 'web', {}, r.dir));
  await r.svc.connect('app', 'web', { Aliases: ['w1'], IPAMConfig: { IPv4Address: '10.5.0.9' } });
  const ep = r.svc.find('app').endpoints[c.id]!;
  assert.deepEqual([ep.ifname, ep.ip, ep.aliases], ['eth1', '10.5.0.9', ['w1']]);
  assert.ok(r.ops.includes('join br-' + r.svc.find('app').id.slice(0, 12) + ' eth1 10.5.0.9'), 'not the default route');
  assert.deepEqual(r.netns.redirects, ['eth1 10.5.0.1 10.5.0.9']);
  assert.equal(
    fs.readFileSync(c.resolvConfPath, 'utf8'),
    'nameserver 127.0.0.11\nsearch example.org\noptions ndots:0\n',
  );
  assert.deepEqual(r.updates, [c.id]);
  const cfg = (c.networkingConfig as { EndpointsConfig: Record<string, { Aliases: string[] }> }).EndpointsConfig;
  assert.deepEqual(Object.keys(cfg), ['bridge', 'app']);
  assert.deepEqual(cfg.app!.Aliases, ['w1']);
  await rejects(r.svc.connect('app', 'web', null), 'forbidden', 'endpoint with name web already exists in network app');
  await rejects(r.svc.connect('app', 'gone', null), 'not-found', 'No such container: gone');
  await rejects(r.svc.connect('host', 'web', null), 'forbidden', /connected to host network/);
  await r.svc.disconnect('app', 'web', false);
  assert.equal(r.svc.find('app').endpoints[c.id], undefined);
  assert.deepEqual(Object.keys((c.networkingConfig as { EndpointsConfig: object }).EndpointsConfig), ['bridge']);
  assert.deepEqual(r.updates, [c.id, c.id]);
  await rejects(
    r.svc.disconnect('app', 'web', false),
    'forbidden',
    `container ${c.id} is not connected to network app`,
  );
});

test('connect a stopped container: only its EndpointsConfig changes; the next start joins', async () => {
  const r = await rig();
  await r.svc.create(req({ name: 'app' }));
  const c = r.add(container(id('a'), 'web', {}, r.dir));
  await r.svc.prepare(c);
  await r.svc.connect('app', c.id, null);
  assert.equal(r.svc.find('app').endpoints[c.id], undefined);
  c.state = { status: 'running', pid: 1 };
  await r.svc.setup(c);
  assert.equal(r.svc.find('app').endpoints[c.id]!.ifname, 'eth1');
});

test('connect while the container start waits in its queue does not deadlock (update runs after the network lock)', {
  timeout: 20_000,
}, async () => {
  const r = await rig();
  await r.svc.create(req({ name: 'app' }));
  const c = r.add(container(id('a'), 'web', {}, r.dir));
  await r.svc.prepare(c);
  const { promise: gate, open } = latch();
  // the engine's start: holds the container's queue, then sets the network up
  const start = r.queue.run(c.id, async () => {
    await gate;
    c.state = { status: 'running', pid: 1 };
    return r.svc.setup(c);
  });
  const connect = r.svc.connect('app', c.id, null);
  open();
  await Promise.all([start, connect]);
  assert.deepEqual(r.updates, [c.id]);
  assert.ok(r.svc.find('bridge').endpoints[c.id]);
});

test('embedded DNS: names, aliases, short ids, name.network, links for the linker only, round-robin', async () => {
  const r = await rig();
  await r.svc.create(req({ name: 'app', pools: [{ Subnet: '10.5.0.0/24' }] }));
  const on = (c: ReturnType<typeof container>, aliases: string[] = []) => {
    c.hostConfig.NetworkMode = 'app';
    c.networkingConfig = { EndpointsConfig: { app: { Aliases: aliases } } };
    return run(r, c);
  };
  const db = await on(container(id('d'), 'db', {}, r.dir), ['store']);
  const a = await on(container(id('a'), 'a', { Links: ['db:dbl'] }, r.dir), ['rr']);
  const b = await on(container(id('b'), 'b', {}, r.dir), ['rr']);
  const solo = await run(r, container(id('e'), 'solo', {}, r.dir)); // default bridge only
  const ipOf = (c: { id: string }) => r.svc.find('app').endpoints[c.id]?.ip ?? r.svc.find('bridge').endpoints[c.id]!.ip;
  const ask = (from: { id: string }, name: string, type = 1) => {
    const ans = r.resolve()(ipOf(from), { id: 1, flags: 0, name, type, cls: 1, end: 0 });
    return ans ? ans.addrs.map((x) => [...x].join('.')) : null;
  };
  assert.deepEqual(ask(a, 'db'), [ipOf(db)]);
  assert.deepEqual(ask(a, 'store'), [ipOf(db)]);
  assert.deepEqual(ask(a, 'db.app'), [ipOf(db)]);
  assert.deepEqual(ask(a, db.id.slice(0, 12)), [ipOf(db)]);
  assert.deepEqual(ask(a, 'dbl'), [ipOf(db)], 'the link alias resolves for the linking container');
  assert.equal(ask(b, 'dbl'), null, 'and only for it');
  assert.equal(ask(a, 'nope'), null);
  assert.equal(ask(solo, 'db'), null, 'no embedded DNS answers on the default bridge');
  assert.equal(ask(a, 'db', 15), null, 'MX is not ours');
  const first = ask(db, 'rr')!;
  const second = ask(db, 'rr')!;
  assert.deepEqual([...first].sort(), [ipOf(a), ipOf(b)].sort());
  assert.deepEqual(second, [first[1], first[0]], 'answers rotate');
  assert.deepEqual(ask(db, 'rr', 28), [], 'AAAA on an IPv4-only network: none');
});

test('restore after a restart keeps endpoints of running containers, drops the rest, re-reserves ports', async () => {
  const r = await rig();
  const keep = await run(
    r,
    container(id('a'), 'keep', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8081' }] } }, r.dir),
  );
  const gone = await run(r, container(id('b'), 'gone', {}, r.dir));
  gone.state = { status: 'exited', pid: 0 };
  const r2 = await rig({ dataRoot: r.dir });
  for (const c of [keep, gone]) r2.add(c);
  r2.netns.live.add(keep.id).add(gone.id);
  await r2.svc.restore();
  const eps = (n: NetworkRecord) => Object.keys(n.endpoints);
  assert.deepEqual(eps(r2.svc.find('bridge')), [keep.id]);
  assert.deepEqual(r2.netns.list(), [keep.id]);
  assert.deepEqual(r2.proxies, ['tcp 0.0.0.0:8081 -> 172.17.0.2:80']);
  const clash = container(id('c'), 'clash', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8081' }] } }, r.dir);
  await assert.rejects(run(r2, clash), /port is already allocated/);
});

test('legacy links on the default bridge: running targets only, hosts lines and <ALIAS>_ variables, recomputed after a restart', async () => {
  const r = await rig();
  const db = r.add(container(id('d'), 'db', {}, r.dir));
  db.config.ExposedPorts = { '5432/tcp': {} };
  db.config.Env = ['PGUSER=app', 'PATH=/bin'];
  await r.svc.prepare(db);
  const web = container(id('w'), 'web', { Links: ['db:dbl'] }, r.dir);
  r.add(web);
  await r.svc.prepare(web);
  web.state = { status: 'running', pid: 1 };
  await assert.rejects(r.svc.setup(web), /^EngineError: Cannot link to a non running container: \/db AS \/web\/dbl$/);
  db.state = { status: 'running', pid: 1 };
  await r.svc.setup(db);
  const s = await r.svc.setup(web);
  const dbIp = r.svc.find('bridge').endpoints[db.id]!.ip;
  assert.match(
    fs.readFileSync(web.hostsPath, 'utf8'),
    new RegExp(`\\n${dbIp.replace(/\./g, '\\.')}\\tdbl ${db.id.slice(0, 12)} db\\n`),
  );
  const env = [
    `DBL_PORT=tcp://${dbIp}:5432`,
    `DBL_PORT_5432_TCP=tcp://${dbIp}:5432`,
    `DBL_PORT_5432_TCP_ADDR=${dbIp}`,
    'DBL_PORT_5432_TCP_PORT=5432',
    'DBL_PORT_5432_TCP_PROTO=tcp',
    'DBL_NAME=/web/dbl',
    'DBL_ENV_PGUSER=app',
  ];
  assert.deepEqual(s.env, env);
  assert.deepEqual(r.svc.linkEnv(web.id), env);
  const r2 = await rig({ dataRoot: r.dir });
  r2.add(db);
  r2.add(web);
  assert.deepEqual(r2.svc.linkEnv(web.id), env, 'from the persisted endpoints');
});
