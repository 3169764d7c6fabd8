import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PortAllocator, ephemeralRange } from './allocator.js';
import { portRequests } from './bindings.js';

test('-p forms: host:ctr, ip:host:ctr, ctr only, udp, host ranges and -P', () => {
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
    { proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPortStart: 8080, hostPortEnd: 8080 },
    { proto: 'tcp', containerPort: 8080, hostIp: '127.0.0.1', hostPortStart: 0, hostPortEnd: 0 },
    { proto: 'udp', containerPort: 514, hostIp: '0.0.0.0', hostPortStart: 5000, hostPortEnd: 5002 },
    { proto: 'tcp', containerPort: 9000, hostIp: '0.0.0.0', hostPortStart: 0, hostPortEnd: 0 },
  ]);
  assert.throws(
    () => portRequests({ '80/tcp': [{ HostIp: '', HostPort: '99999' }] }, null, false),
    /invalid hostPort: 99999/,
  );
  assert.throws(() => portRequests({ 'abc/tcp': [] }, null, false), /invalid containerPort: abc/);
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
