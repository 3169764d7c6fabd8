import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conflict } from '../../errdefs.js';
import { container, req, rig, run } from '../fake-rig.js';
import { renderRules } from '../firewall/rules.js';
import type { ContainerView, EndpointRecord, PortMapping } from '../types.js';
import { PortAllocator } from './allocator.js';
import { PortPublisher } from './publisher.js';

/** A publisher over fake proxies: `live` lists what listens; `refuse` makes one host address:port fail to bind. */
function setup(o: { ipv6: boolean; proxy?: boolean; refuse?: string[] }) {
  const live: string[] = [];
  const ports = new PortAllocator([40000, 40003]);
  const key = (m: PortMapping) => `${m.hostIp}:${m.hostPort}`;
  const pub = new PortPublisher(
    ports,
    o.proxy ?? true,
    () => {},
    async (m, to) => {
      if (o.refuse?.includes(key(m))) throw conflict(`Bind for ${key(m)} failed: port is already allocated`);
      const s = `${m.proto} ${key(m)} -> ${to}:${m.containerPort}`;
      live.push(s);
      return { close: () => void live.splice(live.indexOf(s), 1) };
    },
    async () => o.ipv6,
  );
  return { pub, ports, live };
}

const ctr = (id: string, bindings: ContainerView['hostConfig']['PortBindings'], publishAll = false) =>
  ({
    id,
    name: id,
    config: { Hostname: id, Domainname: '', Env: null, ExposedPorts: { '80/tcp': {} } },
    hostConfig: { PortBindings: bindings, PublishAllPorts: publishAll },
  }) as unknown as ContainerView;

const endpoint = (cid: string, ip: string, ipv6 = ''): EndpointRecord =>
  ({ id: `ep-${cid}`, containerId: cid, ip, ipv6, ports: [] }) as unknown as EndpointRecord;

test('-p 8080:80 on an IPv6 host: 0.0.0.0 and [::] on 8080, [::] proxied to the IPv4-only container', async () => {
  const { pub, live } = setup({ ipv6: true });
  const ep = endpoint('a', '172.17.0.2');
  await pub.publish(ctr('a', { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }), ep);
  assert.deepEqual(ep.ports, [
    { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80 },
    { proto: 'tcp', hostIp: '::', hostPort: 8080, containerPort: 80 },
  ]);
  assert.deepEqual(live, ['tcp 0.0.0.0:8080 -> 172.17.0.2:80', 'tcp :::8080 -> 172.17.0.2:80']);
  // the second container gets Docker's text and holds nothing afterwards
  const b = endpoint('b', '172.17.0.3');
  await assert.rejects(pub.publish(ctr('b', { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }), b), {
    message: /\(ep-b\): Bind for 0\.0\.0\.0:8080 failed: port is already allocated$/,
  });
  assert.deepEqual(b.ports, []);
  pub.unpublish('a', ep);
  assert.deepEqual(live, []);
  await pub.publish(ctr('b', { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }), b); // both released
  assert.equal(b.ports.length, 2);
});

test('without host IPv6 only 0.0.0.0; an explicit address publishes its own family only', async () => {
  const { pub } = setup({ ipv6: false });
  const ep = endpoint('a', '172.17.0.2');
  await pub.publish(ctr('a', { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }), ep);
  assert.deepEqual(
    ep.ports.map((p) => p.hostIp),
    ['0.0.0.0'],
  );
  const six = setup({ ipv6: true });
  const e2 = endpoint('c', '172.17.0.4');
  await six.pub.publish(
    ctr('c', {
      '80/tcp': [
        { HostIp: '127.0.0.1', HostPort: '8081' },
        { HostIp: '::1', HostPort: '8082' },
      ],
    }),
    e2,
  );
  assert.deepEqual(
    e2.ports.map((p) => `${p.hostIp}:${p.hostPort}`),
    ['127.0.0.1:8081', '::1:8082'],
  );
});

test('-P: one ephemeral port for both families; a port [::] cannot bind moves both to the next one', async () => {
  const { pub, ports, live } = setup({ ipv6: true, refuse: [':::40000', ':::40001', ':::40002'] });
  const ep = endpoint('a', '172.17.0.2');
  await pub.publish(ctr('a', null, true), ep);
  assert.deepEqual(
    ep.ports.map((p) => `${p.hostIp}:${p.hostPort}`),
    ['0.0.0.0:40003', ':::40003'],
  );
  assert.deepEqual(live, ['tcp 0.0.0.0:40003 -> 172.17.0.2:80', 'tcp :::40003 -> 172.17.0.2:80']);
  for (const p of [40000, 40001, 40002]) assert.ok(ports.isFree('tcp', '0.0.0.0', p), `${p} released`);
});

test('a dual-stack container: [::] goes to its IPv6 address; without the proxy an IPv4-only one gets no [::]', async () => {
  const { pub, live } = setup({ ipv6: true });
  const ep = endpoint('a', '172.18.0.2', 'fd00::2');
  await pub.publish(ctr('a', { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }), ep);
  assert.deepEqual(live, ['tcp 0.0.0.0:8080 -> 172.18.0.2:80', 'tcp :::8080 -> fd00::2:80']);
  const noProxy = setup({ ipv6: true, proxy: false });
  const v4 = endpoint('b', '172.17.0.2');
  await noProxy.pub.publish(ctr('b', { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }), v4);
  assert.deepEqual(
    v4.ports.map((p) => p.hostIp),
    ['0.0.0.0'],
  );
  const dual = endpoint('c', '172.18.0.3', 'fd00::3');
  await noProxy.pub.publish(ctr('c', { '80/tcp': [{ HostIp: '', HostPort: '9090' }] }), dual);
  assert.deepEqual(
    dual.ports.map((p) => p.hostIp),
    ['0.0.0.0', '::'],
  );
  assert.deepEqual(noProxy.live, []);
});

test('restore after a daemon restart re-reserves both families and restarts both proxies', async () => {
  const { pub, ports, live } = setup({ ipv6: true });
  const ep = endpoint('a', '172.17.0.2');
  ep.ports.push(
    { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80 },
    { proto: 'tcp', hostIp: '::', hostPort: 8080, containerPort: 80 },
  );
  await pub.restore(ep);
  assert.deepEqual(live, ['tcp 0.0.0.0:8080 -> 172.17.0.2:80', 'tcp :::8080 -> 172.17.0.2:80']);
  assert.equal(ports.isFree('tcp', '::1', 8080), false);
  pub.closeAll();
  assert.deepEqual(live, []);
});

test('through the service: a dual-stack network DNATs [::] to the container IPv6 address, the default bridge does not', async () => {
  const r = await rig({ ipv6: true });
  await r.svc.create(
    req({ name: 'six', enableIPv6: true, pools: [{ Subnet: '10.6.0.0/24' }, { Subnet: 'fd00:6::/64' }] }),
  );
  const web = container(
    'a'.repeat(64),
    'web',
    { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } },
    r.dir,
  );
  web.hostConfig.NetworkMode = 'six';
  await run(r, web);
  await run(
    r,
    container('b'.repeat(64), 'old', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '9090' }] } }, r.dir),
  );
  const fw = r.fw.at(-1)!.ports.map((p) => `${p.hostIp} ${p.hostPort} -> ${p.containerIp}`);
  assert.deepEqual(fw.sort(), [
    '0.0.0.0 8080 -> 10.6.0.2',
    '0.0.0.0 9090 -> 172.17.0.2',
    ':: 8080 -> fd00:6::2',
    ':: 9090 -> 172.17.0.2',
  ]);
  assert.deepEqual(r.proxies.sort(), [
    'tcp 0.0.0.0:8080 -> 10.6.0.2:80',
    'tcp 0.0.0.0:9090 -> 172.17.0.2:80',
    'tcp :::8080 -> fd00:6::2:80',
    'tcp :::9090 -> 172.17.0.2:80',
  ]);
  const six = renderRules(r.fw.at(-1)!, 6);
  assert.match(six, /--dport 8080 -j DNAT --to-destination \[fd00:6::2\]:80/);
  assert.doesNotMatch(six, /9090/);
  assert.doesNotMatch(renderRules(r.fw.at(-1)!, 4), /fd00|-d ::/);
});

test('a range stops at the first error that is not a port in use (an address the host does not have)', async () => {
  let tries = 0;
  const pub = new PortPublisher(
    new PortAllocator([40000, 40003]),
    true,
    () => {},
    async (m) => {
      tries++;
      throw conflict(`listen EADDRNOTAVAIL ${m.hostIp}:${m.hostPort}: cannot assign`);
    },
    async () => true,
  );
  const ep = endpoint('a', '172.17.0.2');
  await assert.rejects(
    pub.publish(ctr('a', { '80/tcp': [{ HostIp: '10.9.9.9', HostPort: '' }] }), ep),
    /EADDRNOTAVAIL/,
  );
  assert.equal(tries, 1);
});

test('a network with host_binding_ipv4 publishes `-p 8080:80` on that address only; a bad value fails create', async () => {
  const r = await rig({ ipv6: true });
  const opt = 'com.docker.network.bridge.host_binding_ipv4';
  await r.svc.create(req({ name: 'lo4', options: { [opt]: '127.0.0.1' } }));
  const c = container('a'.repeat(64), 'web', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }, r.dir);
  c.hostConfig.NetworkMode = 'lo4';
  await run(r, c);
  assert.deepEqual(
    r.svc.find('lo4').endpoints[c.id]!.ports.map((p) => `${p.hostIp}:${p.hostPort}`),
    ['127.0.0.1:8080'],
  );
  await assert.rejects(r.svc.create(req({ name: 'bad', options: { [opt]: 'nope' } })), {
    message: `failed to parse ${opt} value: nope (nil ip)`,
  });
  assert.equal(r.svc.tryFind('bad'), undefined);
});
