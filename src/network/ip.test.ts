import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fmtIp6, overlaps4, parseCidr4, parseCidr6, parseIp4, parseIp6 } from './ip.js';

test('IPv4 parsing, CIDR normalisation and overlap', () => {
  assert.equal(parseIp4('256.0.0.1'), null);
  assert.equal(parseIp4('172.17.0.1'), 0xac110001);
  assert.deepEqual(parseCidr4('172.17.3.4/16'), { base: 0xac110000, bits: 16 });
  assert.ok(overlaps4(parseCidr4('172.16.0.0/12')!, parseCidr4('172.17.0.0/16')!));
  assert.ok(!overlaps4(parseCidr4('172.17.0.0/16')!, parseCidr4('172.18.0.0/16')!));
});

test('IPv6 parsing and canonical formatting', () => {
  assert.equal(fmtIp6(parseIp6('fd00:0:0:0:0:0:0:1')!), 'fd00::1');
  assert.equal(fmtIp6(parseIp6('2001:db8::1:0:0:1')!), '2001:db8::1:0:0:1');
  assert.equal(parseIp6('1::2::3'), null);
  assert.deepEqual(parseCidr6('fd12:3456::5/64'), { base: parseIp6('fd12:3456::')!, bits: 64 });
});
