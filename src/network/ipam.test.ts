import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mustCidr4, parseCidr4 } from './ip.js';
import { allocateIp, completePool, DEFAULT_POOLS, DefaultIpam, macFor, parsePoolFlag, pickSubnet } from './ipam.js';
import type { NetworkRecord } from './types.js';

function net(ipam: NetworkRecord['ipam']): NetworkRecord {
  return {
    id: 'x',
    name: 'n',
    driver: 'bridge',
    created: '',
    internal: false,
    attachable: false,
    enableIPv6: false,
    labels: {},
    options: {},
    ipamOptions: null,
    ipam,
    bridge: 'br-x',
    isDefault: false,
    endpoints: {},
  };
}
const take = (n: NetworkRecord, cid: string, want?: string) => {
  const a = allocateIp(n, want);
  n.endpoints[cid] = {
    id: cid,
    containerId: cid,
    name: cid,
    ifname: 'eth0',
    hostVeth: 'v',
    ip: a.ip,
    prefixLen: a.prefixLen,
    gateway: a.gateway,
    mac: '',
    ipv6: '',
    ipv6PrefixLen: 0,
    ipv6Gateway: '',
    aliases: [],
    links: [],
    ports: [],
  };
  return a.ip;
};

test('the default bridge gets 172.17.0.0/16 unless that is routed; then the next pool', () => {
  assert.deepEqual(pickSubnet(DEFAULT_POOLS, []), parseCidr4('172.17.0.0/16'));
  assert.deepEqual(
    pickSubnet(DEFAULT_POOLS, [parseCidr4('172.17.5.0/24')!, parseCidr4('172.18.0.0/16')!]),
    parseCidr4('172.19.0.0/16'),
  );
  // after the 172.x /16s come 192.168.0.0/16 in /20s
  const used = [parseCidr4('172.16.0.0/12')!];
  assert.deepEqual(pickSubnet(DEFAULT_POOLS, used), parseCidr4('192.168.0.0/20'));
  assert.deepEqual(
    pickSubnet([parsePoolFlag('base=10.10.0.0/16,size=24')], [parseCidr4('10.10.0.0/24')!]),
    parseCidr4('10.10.1.0/24'),
  );
  assert.throws(() => parsePoolFlag('base=10.10.0.0/16'), /invalid default address pool/);
});

test('addresses are sequential, skip the gateway, and a freed one is not reused at once', () => {
  const n = net([{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }]);
  assert.equal(take(n, 'a'), '172.18.0.2');
  assert.equal(take(n, 'b'), '172.18.0.3');
  delete n.endpoints.a;
  assert.equal(take(n, 'c'), '172.18.0.4');
});

test('--ip-range limits dynamic addresses; --ip must be inside the subnet and free', () => {
  const n = net([completePool({ Subnet: '172.72.0.0/16', IPRange: '172.72.5.0/24', Gateway: '172.72.0.1' }, [])]);
  assert.match(take(n, 'a'), /^172\.72\.5\.\d+$/);
  assert.equal(take(n, 's', '172.72.9.9'), '172.72.9.9');
  assert.throws(() => take(n, 't', '172.72.9.9'), /Address already in use/);
  assert.throws(() => take(n, 'u', '10.0.0.1'), /does not belong to any of this network's subnets/);
});

test('pool validation: overlap, ip-range outside the subnet, gateway default', () => {
  assert.throws(
    () => completePool({ Subnet: '172.72.0.0/16' }, [parseCidr4('172.72.0.0/16')!]),
    /Pool overlaps with other one on this address space/,
  );
  assert.throws(() => completePool({ Subnet: '172.73.0.0/16', IPRange: '172.82.0.0/24' }, []), /not within subnet/);
  assert.equal(completePool({ Subnet: '10.1.0.0/24' }, []).Gateway, '10.1.0.1');
  assert.throws(() => completePool({ Subnet: '10.1.0.0/24', Gateway: '10.2.0.1' }, []), /does not belong to subnet/);
});

test('MACs are derived from the address like Docker (02:42 + address bytes)', () => {
  assert.equal(macFor('172.17.0.2'), '02:42:ac:11:00:02');
});

test('DefaultIpam: pools from the request, the default pools minus networks and routes, IPv6 next to IPv4', async () => {
  const asked: string[][] = [];
  const ipam = new DefaultIpam(
    () => DEFAULT_POOLS,
    async (own) => (asked.push(own), [mustCidr4('172.17.0.0/16')]),
  );
  const taken = net([{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }]);
  assert.deepEqual(await ipam.requestPool({ family: 4, others: [taken], ownBridges: ['berth0'] }), {
    Subnet: '172.19.0.0/16',
    Gateway: '172.19.0.1',
  });
  assert.deepEqual(asked, [['berth0']]);
  assert.deepEqual(await ipam.requestPool({ family: 4, config: { Subnet: '10.0.0.0/24' }, others: [taken] }), {
    Subnet: '10.0.0.0/24',
    Gateway: '10.0.0.1',
  });
  assert.deepEqual(await ipam.requestPool({ family: 6, config: { Subnet: 'fd00:1::/64' }, others: [] }), {
    Subnet: 'fd00:1::/64',
    Gateway: 'fd00:1::1',
  });
  await assert.rejects(
    ipam.requestPool({ family: 6, config: { Subnet: '10.0.0.0/8' }, others: [] }),
    /invalid CIDR address: 10\.0\.0\.0\/8/,
  );
  const n = net([
    { Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' },
    { Subnet: 'fd00:1::/64', Gateway: 'fd00:1::1' },
  ]);
  assert.deepEqual(ipam.requestAddress(n, 4), { ip: '10.0.0.2', prefixLen: 24, gateway: '10.0.0.1' });
  assert.deepEqual(ipam.requestAddress(n, 6), { ip: 'fd00:1::2', prefixLen: 64, gateway: 'fd00:1::1' });
  assert.deepEqual(ipam.requestAddress(n, 6, 'fd00:1::99').ip, 'fd00:1::99');
});
