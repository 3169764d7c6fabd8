import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fmtCidr4 } from './ip.js';
import { parseRoutes } from './routes.js';

const ROUTES = `default via 10.0.2.2 dev eth0 proto dhcp metric 100
10.0.2.0/24 dev eth0 proto kernel scope link src 10.0.2.15
172.17.0.0/16 dev berth0 proto kernel scope link src 172.17.0.1 linkdown
192.168.7.1 dev tun0 scope link
`;

test('host routes: the default route skipped, a bare address is a /32, our own bridges left out', () => {
  assert.deepEqual(parseRoutes(ROUTES).map(fmtCidr4), ['10.0.2.0/24', '172.17.0.0/16', '192.168.7.1/32']);
  assert.deepEqual(parseRoutes(ROUTES, ['berth0']).map(fmtCidr4), ['10.0.2.0/24', '192.168.7.1/32']);
  assert.deepEqual(parseRoutes(''), []);
});
