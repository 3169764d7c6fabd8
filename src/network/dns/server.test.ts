import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeQuery, parseAnswers, parseQuery, RCODE_NXDOMAIN, RCODE_OK, TYPE_A, TYPE_AAAA } from './packet.js';
import { DnsServer } from './server.js';

test('queries round-trip through the parser (name lower-cased)', () => {
  const q = parseQuery(encodeQuery(0x1234, 'Web.MyNet', TYPE_AAAA))!;
  assert.equal(q.id, 0x1234);
  assert.equal(q.name, 'web.mynet');
  assert.equal(q.type, TYPE_AAAA);
  assert.equal(parseQuery(Buffer.from([1, 2, 3])), null);
});

test('known names are answered with every address; unknown ones go upstream (none: NXDOMAIN)', async () => {
  const seen: string[] = [];
  const s = new DnsServer({
    upstreams: [],
    resolve: (ip, q) => {
      seen.push(`${ip} ${q.name}`);
      return q.name === 'search' ? { addrs: [Buffer.from([172, 18, 0, 2]), Buffer.from([172, 18, 0, 3])] } : q.name === 'v4only' ? { addrs: [] } : null;
    },
  });
  const a = parseAnswers((await s.answer('172.18.0.9', encodeQuery(7, 'search', TYPE_A)))!);
  assert.deepEqual(a, { rcode: RCODE_OK, a: ['172.18.0.2', '172.18.0.3'] });
  const nodata = parseAnswers((await s.answer('172.18.0.9', encodeQuery(8, 'v4only', TYPE_AAAA)))!);
  assert.deepEqual(nodata, { rcode: RCODE_OK, a: [] });
  const nx = parseAnswers((await s.answer('172.18.0.9', encodeQuery(9, 'nosuch', TYPE_A)))!);
  assert.equal(nx.rcode, RCODE_NXDOMAIN);
  assert.deepEqual(seen, ['172.18.0.9 search', '172.18.0.9 v4only', '172.18.0.9 nosuch']);
});
