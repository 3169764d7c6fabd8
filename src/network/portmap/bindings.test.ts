import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PortAllocator, ephemeralRange } from './allocator.js';
import { DEFAULT_BINDING_IP, portRequests, targetIp, validateDefaultBindingIp } from './bindings.js';

test('-p forms: host:ctr, ip:host:ctr, ctr only, udp, host ranges and -P (IPv4-only host)', () => {
  const r = portRequests(
    {
      '80/tcp': [{ HostIp: '', HostPort: '8080' }],
      '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
      '514/udp': [{ HostIp: '', HostPort: '5000-5002' }],
    },
    { '80/tcp': {}, '9000/tcp': {} },
    true,
  );
  assert.deepEqual(r, [
    { proto: 'tcp', containerPort: 80, hostIps: ['0.0.0.0'], hostPortStart: 8080, hostPortEnd: 8080 },
    { proto: 'udp', containerPort: 514, hostIps: ['0.0.0.0'], hostPortStart: 5000, hostPortEnd: 5002 },
    { proto: 'tcp', containerPort: 8080, hostIps: ['127.0.0.1'], hostPortStart: 0, hostPortEnd: 0 },
    { proto: 'tcp', containerPort: 9000, hostIps: ['0.0.0.0'], hostPortStart: 0, hostPortEnd: 0 },
  ]);
  assert.throws(
    () => portRequests({ '80/tcp': [{ HostIp: '', HostPort: '99999' }] }, null, false),
    /invalid hostPort: 99999/,
  );
  assert.throws(() => portRequests({ 'abc/tcp': [] }, null, false), /invalid containerPort: abc/);
});

test('with host IPv6: no address is 0.0.0.0 and [::] on one port; an address picks its family; -P both', () => {
  const r = portRequests(
    {
      '80/tcp': [{ HostIp: '', HostPort: '8080' }],
      '81/tcp': [{ HostIp: '127.0.0.1', HostPort: '8081' }],
      '82/tcp': [{ HostIp: '::1', HostPort: '8082' }],
      '83/tcp': [
        { HostIp: '::1', HostPort: '' },
        { HostIp: '127.0.0.1', HostPort: '' },
      ],
    },
    { '90/udp': {} },
    true,
    true,
  );
  assert.deepEqual(
    r.map((x) => [x.containerPort, x.hostIps, x.hostPortStart]),
    [
      [80, ['0.0.0.0', '::'], 8080],
      [81, ['127.0.0.1'], 8081],
      [82, ['::1'], 8082],
      [83, ['127.0.0.1', '::1'], 0], // same port for both, IPv4 first as moby sorts them
      [90, ['0.0.0.0', '::'], 0],
    ],
  );
  // an explicit 0.0.0.0 stays IPv4 only, an explicit :: IPv6 only
  const only = portRequests(
    {
      '80/tcp': [
        { HostIp: '0.0.0.0', HostPort: '1' },
        { HostIp: '::', HostPort: '2' },
      ],
    },
    null,
    false,
    true,
  );
  assert.deepEqual(
    only.map((x) => x.hostIps),
    [['0.0.0.0'], ['::']],
  );
});

test('a taken port is "already allocated"; 0.0.0.0 clashes with a specific address', () => {
  const a = new PortAllocator([40000, 40002]);
  a.reserve('tcp', '0.0.0.0', 8080, 'c1');
  assert.throws(
    () => a.reserve('tcp', '0.0.0.0', 8080, 'c2'),
    /Bind for 0\.0\.0\.0:8080 failed: port is already allocated/,
  );
  assert.throws(() => a.reserve('tcp', '127.0.0.1', 8080, 'c2'), /already allocated/);
  a.reserve('udp', '0.0.0.0', 8080, 'c2'); // other protocol
  a.reserve('tcp', '127.0.0.1', 9090, 'c3');
  a.reserve('tcp', '127.0.0.2', 9090, 'c4'); // other address
  a.release('tcp', '0.0.0.0', 8080);
  a.reserve('tcp', '0.0.0.0', 8080, 'c5');
  const eph = [...a.candidates('tcp', '0.0.0.0', 0, 0)].sort();
  assert.deepEqual(eph, [40000, 40001, 40002]);
  assert.deepEqual(ephemeralRange('32768\t60999\n'), [32768, 60999]);
});

test('IPv4 and IPv6 clash within their family only (moby portallocator); a pair is all or nothing', () => {
  const a = new PortAllocator([40000, 40002]);
  a.reserve('tcp', ['0.0.0.0', '::'], 8080, 'c1');
  assert.throws(() => a.reserve('tcp', ['0.0.0.0', '::'], 8080, 'c2'), {
    message: 'Bind for 0.0.0.0:8080 failed: port is already allocated',
  });
  assert.throws(() => a.reserve('tcp', '::1', 8080, 'c2'), /Bind for ::1:8080 failed: port is already allocated/);
  a.release('tcp', '0.0.0.0', 8080);
  // only [::] still holds 8080: the pair fails on it and reserves nothing of IPv4
  assert.throws(() => a.reserve('tcp', ['0.0.0.0', '::'], 8080, 'c3'), /Bind for :::8080 failed/);
  a.reserve('tcp', '127.0.0.1', 8080, 'c4');
  assert.equal(a.isFree('tcp', '0.0.0.0', 8080), false);
  // :: does not clash with IPv4 addresses, 0.0.0.0 not with IPv6 ones
  a.reserve('tcp', '::1', 9090, 'c5');
  assert.equal(a.isFree('tcp', '0.0.0.0', 9090), true);
  assert.equal(a.isFree('tcp', '::', 9090), false);
  a.reserve('tcp', '::', 40001, 'c6');
  assert.deepEqual([...a.candidates('tcp', ['0.0.0.0', '::'], 0, 0)].sort(), [40000, 40002]);
  assert.deepEqual([...a.candidates('tcp', '0.0.0.0', 0, 0)].sort(), [40000, 40001, 40002]);
});

test('an IPv6 host address forwards to the container IPv6 address, or to its IPv4 one (the proxy) without', () => {
  assert.equal(targetIp({ hostIp: '::' }, { ip: '172.17.0.2', ipv6: 'fd00::2' }), 'fd00::2');
  assert.equal(targetIp({ hostIp: '::' }, { ip: '172.17.0.2', ipv6: '' }), '172.17.0.2');
  assert.equal(targetIp({ hostIp: '0.0.0.0' }, { ip: '172.17.0.2', ipv6: 'fd00::2' }), '172.17.0.2');
});

test("the network's default binding address (host_binding_ipv4) replaces 0.0.0.0 and [::]; a bad one is refused", () => {
  const b = { '80/tcp': [{ HostIp: '', HostPort: '8080' }], '81/tcp': [{ HostIp: '::1', HostPort: '8081' }] };
  const ips = (def: string | undefined) => portRequests(b, null, false, true, def).map((r) => r.hostIps);
  assert.deepEqual(ips('127.0.0.1'), [['127.0.0.1'], ['::1']]);
  assert.deepEqual(ips('::'), [['::'], ['::1']]);
  assert.deepEqual(ips('0.0.0.0'), [['0.0.0.0', '::'], ['::1']]);
  assert.deepEqual(ips(undefined), [['0.0.0.0', '::'], ['::1']]);
  validateDefaultBindingIp({ [DEFAULT_BINDING_IP]: 'fd00::1' });
  validateDefaultBindingIp({});
  assert.throws(() => validateDefaultBindingIp({ [DEFAULT_BINDING_IP]: 'localhost' }), {
    message: 'failed to parse com.docker.network.bridge.host_binding_ipv4 value: localhost (nil ip)',
  });
});
