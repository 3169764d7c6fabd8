// IPv6 on bridge networks and link names in user-network DNS (issue 16; docker-py's
// test_create_network_ipv6_enabled, test_create_with_ipv6_address, test_connect_with_ipv6_address,
// test_create_with_links and test_connect_with_links, checked here without the suite).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { daemonPerFile, runCommand } from '../../harness/daemon.js';

const berthd = daemonPerFile();
const noIpv6 = fs.existsSync('/proc/sys/net/ipv6') ? null : 'the kernel has no IPv6 (/proc/sys/net/ipv6 is absent)';
const skip = berthd.skip ?? noIpv6;

interface Ep {
  IPAMConfig?: { IPv6Address?: string } | null;
  Links?: string[] | null;
  IPAddress?: string;
  GlobalIPv6Address?: string;
  GlobalIPv6PrefixLen?: number;
  IPv6Gateway?: string;
}
const endpoint = async (name: string, net: string): Promise<Ep> =>
  (await berthd.d.dockerode.getContainer(name).inspect()).NetworkSettings.Networks[net] as Ep;

test('docker network create --ipv6: dual-stack containers, v6 address inside, gateway and peer over v6, AAAA', {
  skip: skip ?? false,
}, async () => {
  const d = berthd.d;
  const ok = async (args: string[]) => {
    const r = await d.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  await ok(['network', 'create', '--ipv6', '--subnet', 'fd00:be:27::/64', 'v6net']);
  const net = await d.dockerode.getNetwork('v6net').inspect();
  assert.equal(net.EnableIPv6, true);
  const pools = (net.IPAM?.Config ?? []) as Array<{ Subnet: string; Gateway?: string }>;
  const pool = pools.find((p) => p.Subnet.includes(':'));
  assert.deepEqual(pool, { Subnet: 'fd00:be:27::/64', Gateway: 'fd00:be:27::1' });
  await ok(['run', '-d', '--name', 'six', '--network', 'v6net', 'busybox', 'sleep', '300']);
  const six = await endpoint('six', 'v6net');
  assert.deepEqual(
    [six.GlobalIPv6Address, six.GlobalIPv6PrefixLen, six.IPv6Gateway],
    ['fd00:be:27::2', 64, 'fd00:be:27::1'],
  );
  assert.match(six.IPAddress ?? '', /^\d+\.\d+\.\d+\.\d+$/, 'and an IPv4 address');
  assert.match(await ok(['exec', 'six', 'ip', '-6', 'addr', 'show', 'eth0']), /inet6 fd00:be:27::2\/64 scope global/);
  assert.match(await ok(['exec', 'six', 'ip', '-6', 'route']), /default via fd00:be:27::1 dev eth0/);
  await ok(['exec', 'six', 'ping', '-6', '-c', '1', '-W', '5', 'fd00:be:27::1']);
  // a static address through the API, reachable from the first container; its name answers AAAA
  const c = await d.dockerode.createContainer({
    name: 'six2',
    Image: 'busybox',
    Cmd: ['sleep', '300'],
    HostConfig: { NetworkMode: 'v6net' },
    NetworkingConfig: { EndpointsConfig: { v6net: { IPAMConfig: { IPv6Address: 'fd00:be:27::f00d' } } } },
  });
  await c.start();
  assert.equal((await endpoint('six2', 'v6net')).GlobalIPv6Address, 'fd00:be:27::f00d');
  await ok(['exec', 'six', 'ping', '-6', '-c', '1', '-W', '5', 'fd00:be:27::f00d']);
  assert.match(await ok(['exec', 'six', 'nslookup', '-type=AAAA', 'six2']), /fd00:be:27::f00d/);
  // the IPv4 NAT rules mirrored for IPv6, where the host has ip6tables
  if ((await runCommand('sh', ['-c', 'command -v ip6tables'])).code === 0) {
    const rules = await runCommand('ip6tables', ['-w', '-t', 'nat', '-S', 'BERTH-POSTROUTING']);
    assert.equal(rules.code, 0, rules.stderr);
    assert.match(rules.stdout, /-s fd00:be:27::\/64 ! -o br-\w+ -j MASQUERADE/);
  }
  await ok(['rm', '-f', 'six', 'six2']);
  await ok(['network', 'rm', 'v6net']);
});

test('an IPv6 subnet without EnableIPv6 is accepted and the IPv6Address asked for is kept (Docker 27)', {
  skip: skip ?? false,
}, async () => {
  const d = berthd.d;
  const n = await d.dockerode.createNetwork({
    Name: 'v6off',
    IPAM: {
      Driver: 'default',
      Config: [{ Subnet: '2001:389::/64', IPRange: '2001:389::/96', Gateway: '2001:389::ffff' }],
    },
  });
  assert.equal((await n.inspect()).EnableIPv6, false);
  const c = await d.dockerode.createContainer({
    Image: 'busybox',
    Cmd: ['sleep', '300'],
    HostConfig: { NetworkMode: 'v6off' },
    NetworkingConfig: { EndpointsConfig: { v6off: { IPAMConfig: { IPv6Address: '2001:389::f00d' } } } },
  });
  await c.start();
  const ep = (await c.inspect()).NetworkSettings.Networks.v6off as Ep;
  assert.equal(ep.IPAMConfig?.IPv6Address, '2001:389::f00d');
  assert.equal(ep.GlobalIPv6Address, '', 'no IPv6 address without EnableIPv6');
  // connect with an IPv6 address (docker-py's test_connect_with_ipv6_address)
  await n.disconnect({ Container: c.id });
  await n.connect({ Container: c.id, EndpointConfig: { IPAMConfig: { IPv6Address: '2001:389::beef' } } });
  assert.equal(((await c.inspect()).NetworkSettings.Networks.v6off as Ep).IPAMConfig?.IPv6Address, '2001:389::beef');
  await c.remove({ force: true });
  await n.remove();
});

test('a link given for a user network resolves to its target for the linking container only', {
  skip: berthd.skip ?? false,
}, async () => {
  const d = berthd.d;
  const n = await d.dockerode.createNetwork({ Name: 'linknet' });
  const start = async (name: string, links?: string[]) => {
    const c = await d.dockerode.createContainer({
      name,
      Image: 'busybox',
      Cmd: ['sleep', '300'],
      HostConfig: { NetworkMode: 'linknet' },
      NetworkingConfig: { EndpointsConfig: { linknet: links ? { Links: links } : {} } },
    });
    await c.start();
    return c;
  };
  await start('linker', ['upstream:bar']);
  assert.deepEqual((await endpoint('linker', 'linknet')).Links, ['upstream:bar']);
  await start('other');
  await start('upstream'); // after the linker, as docker-py does
  const upIp = (await endpoint('upstream', 'linknet')).IPAddress!;
  const look = (from: string) => d.docker(['exec', from, 'nslookup', '-type=A', 'bar']);
  const seen = await look('linker');
  assert.equal(seen.code, 0, seen.stdout + seen.stderr);
  assert.match(seen.stdout, new RegExp(`Address: ${upIp.replace(/\./g, '\\.')}`));
  assert.notEqual((await look('other')).code, 0, 'the alias is the linking container’s own');
  // docker-py's test_connect_with_links: off its only network and back with a link; DNS follows the new endpoint
  await n.disconnect({ Container: 'other' });
  await n.connect({ Container: 'other', EndpointConfig: { Links: ['upstream:baz'] } });
  const again = await d.docker(['exec', 'other', 'nslookup', '-type=A', 'baz']);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, new RegExp(`Address: ${upIp.replace(/\./g, '\\.')}`));
  for (const name of ['linker', 'other', 'upstream']) await d.dockerode.getContainer(name).remove({ force: true });
  await n.remove();
});
