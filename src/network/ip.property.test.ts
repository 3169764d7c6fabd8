// Property tests for the address parsers behind network create (Subnet, Gateway, IPRange), --ip,
// --default-address-pool and port keys: any string is a value, null or an `invalid` EngineError,
// and generated addresses round-trip through their text form.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EngineError } from '../errdefs.js';
import { near, onlyThrows, params } from '../util/prop-check.js';
import { fmtCidr4, fmtCidr6, fmtIp4, fmtIp6, parseCidr4, parseCidr6, parseIp4, parseIp6 } from './ip.js';
import { parsePoolFlag } from './ipam.js';
import { parsePortKey } from './portmap/bindings.js';

test('any text parses to an address, null, or an invalid EngineError', () => {
  fc.assert(
    fc.property(near('0123456789abcdef.:/=,xbasesize-tcpudp', 40), (s) => {
      for (const f of [parseIp4, parseCidr4, parseIp6, parseCidr6]) f(s);
      onlyThrows(() => parsePoolFlag(s), EngineError);
      onlyThrows(() => parsePortKey(s), EngineError);
      const c = parseCidr6(s);
      if (c) assert.ok(Number.isInteger(c.bits) && c.bits >= 0 && c.bits <= 128);
    }),
    params(1000),
  );
});

test('generated addresses and networks round-trip through their text', () => {
  fc.assert(
    fc.property(
      fc.ipV4(),
      fc.integer({ min: 0, max: 32 }),
      fc.ipV6(),
      fc.integer({ min: 0, max: 128 }),
      (v4, b4, v6, b6) => {
        assert.equal(fmtIp4(parseIp4(v4)!), v4);
        const c4 = parseCidr4(`${v4}/${b4}`)!;
        assert.deepEqual(parseCidr4(fmtCidr4(c4)), c4);
        const n6 = parseIp6(v6);
        if (n6 === null) return; // fc.ipV6 also writes the ::ffff:1.2.3.4 form, which berth does not take
        assert.equal(parseIp6(fmtIp6(n6)), n6);
        const c6 = parseCidr6(`${v6}/${b6}`)!;
        assert.deepEqual(parseCidr6(fmtCidr6(c6)), c6);
      },
    ),
    params(),
  );
});

test('regression: an IPv6 prefix length is decimal digits ("::/" and "::/0x10" were 0 and 16)', () => {
  assert.equal(parseCidr6('fd00::/'), null);
  assert.equal(parseCidr6('fd00::/0x10'), null);
  assert.equal(parseCidr6('fd00::/1e2'), null);
  assert.deepEqual(parseCidr6('fd00::/64'), { base: 0xfd00n << 112n, bits: 64 });
});
