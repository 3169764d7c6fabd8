// Property tests for the embedded DNS server's wire parsing (containers send it any bytes): any
// datagram is answered or dropped, never an exception (an unhandled rejection would end berthd);
// generated queries round-trip and their answers carry the question back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { params } from '../../util/prop-check.js';
import { encodeQuery, parseAnswers, parseQuery, RCODE_OK, TYPE_A, TYPE_AAAA } from './packet.js';
import { DnsServer } from './server.js';

const server = new DnsServer({
  upstreams: [], // nothing leaves the test: unknown names are NXDOMAIN
  resolve: (_ip, q) =>
    q.name.startsWith('web')
      ? { addrs: [Buffer.from([10, 0, 0, 2]), ...(q.type === TYPE_AAAA ? [Buffer.alloc(16, 1)] : [])] }
      : null,
});

test('any datagram is answered or dropped, never a thrown error', async () => {
  const bytes = fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b));
  const mutated = fc
    .tuple(
      fc.stringMatching(/^[a-z0-9.-]{0,20}$/),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      fc.nat({ max: 40 }),
    )
    .map(([name, flips, cut]) => {
      const q = encodeQuery(1, name, TYPE_A);
      for (const [at, v] of flips) q[at % q.length] = v;
      return q.subarray(0, Math.max(0, q.length - cut));
    });
  await fc.assert(
    fc.asyncProperty(fc.oneof(bytes, mutated), async (m) => {
      const q = parseQuery(m);
      if (q) assert.ok(q.end <= m.length && typeof q.name === 'string');
      const out = await server.answer('172.18.0.9', m);
      if (out) assert.equal(out.readUInt16BE(0), m.readUInt16BE(0), 'the reply carries the query id');
    }),
    params(1000),
  );
});

test('generated queries round-trip, and answers parse back', async () => {
  const label = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 0xffff }),
      fc.array(label, { minLength: 1, maxLength: 4 }),
      fc.constantFrom(TYPE_A, TYPE_AAAA),
      async (id, labels, type) => {
        const name = ['web', ...labels].join('.');
        const q = parseQuery(encodeQuery(id, name, type))!;
        assert.deepEqual([q.id, q.name, q.type], [id, name, type]);
        const r = parseAnswers((await server.answer('172.18.0.9', encodeQuery(id, name, type)))!);
        assert.deepEqual(r, { rcode: RCODE_OK, a: ['10.0.0.2'] }); // the 16-byte AAAA rdata is not an A record
      },
    ),
    params(),
  );
});
