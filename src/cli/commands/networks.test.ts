import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipamConfig, sliceFlag, type IpamInput } from './networks.js';
import { parseFlags } from '../flags/parser.js';

const none: IpamInput = { subnets: [], ipRanges: [], gateways: [], aux: {} };

test('ipamConfig pairs ranges, gateways and aux addresses with their subnet', () => {
  assert.deepEqual(
    ipamConfig({
      subnets: ['10.1.0.0/16', 'fd00::/64'],
      ipRanges: ['10.1.2.0/24'],
      gateways: ['fd00::1', '10.1.0.254'],
      aux: { host: '10.1.0.9' },
    }),
    [
      { Subnet: '10.1.0.0/16', IPRange: '10.1.2.0/24', Gateway: '10.1.0.254', AuxAddress: { host: '10.1.0.9' } },
      { Subnet: 'fd00::/64', Gateway: 'fd00::1', AuxAddress: {} },
    ],
  );
  assert.deepEqual(ipamConfig(none), []);
});

test('ipamConfig refuses what docker network create refuses, with its texts', () => {
  const bad = (o: Partial<IpamInput>, msg: string) =>
    assert.throws(() => ipamConfig({ ...none, ...o }), { message: msg });
  bad({ gateways: ['10.0.0.1'] }, 'every ip-range or gateway must have a corresponding subnet');
  bad({ subnets: ['10.0.0.0/8', '10.1.0.0/16'] }, 'multiple overlapping subnet configuration is not supported');
  bad({ subnets: ['10.0.0.0/8'], gateways: ['11.0.0.1'] }, 'no matching subnet for gateway 11.0.0.1');
  bad({ subnets: ['10.0.0.0/8'], ipRanges: ['11.0.0.0/24'] }, 'no matching subnet for range 11.0.0.0/24');
  bad({ subnets: ['bogus'], gateways: ['1.1.1.1'] }, 'invalid subnet: invalid CIDR address: bogus');
  bad({ subnets: ['10.0.0.0/8'], aux: { a: '12.0.0.1' } }, 'no matching subnet for aux-address 12.0.0.1');
  bad(
    { subnets: ['10.0.0.0/8'], gateways: ['10.0.0.1', '10.0.0.2'] },
    'every ip-range or gateway must have a corresponding subnet',
  );
  bad(
    { subnets: ['10.0.0.0/8', '11.0.0.0/8'], gateways: ['10.0.0.1', '10.0.0.2'] },
    'cannot configure multiple gateways (10.0.0.2, 10.0.0.1) for the same subnet (10.0.0.0/8)',
  );
});

test('sliceFlag splits commas and repeats like pflag StringSlice', () => {
  const p = parseFlags([{ name: 'alias', type: 'list' }], ['--alias', 'a,b', '--alias=c']);
  assert.deepEqual(sliceFlag(p, 'alias'), ['a', 'b', 'c']);
});
