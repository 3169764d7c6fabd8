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
      return q.name === 'search'
        ? { addrs: [Buffer.from([172, 18, 0, 2]), Buffer.from([172, 18, 0, 3])] }
        : q.name === 'v4only'
          ? { addrs: [] }
          : null;
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

test('a resolver that throws loses that query only: UDP and TCP listeners keep serving', async () => {
  let fail = true;
  const s = new DnsServer({
    upstreams: [],
    resolve: () => {
      if (fail) throw new Error('resolver broke');
      return { addrs: [Buffer.from([10, 0, 0, 1])] };
    },
  });
  const { default: dgram } = await import('node:dgram');
  const { default: net } = await import('node:net');
  // a free port for both listeners (UDP and TCP share the number)
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
  const port = probe.address().port;
  probe.close();
  await s.listen('127.0.0.1', port);
  try {
    const ask = (id: number) =>
      new Promise<Buffer | null>((resolve) => {
        const c = dgram.createSocket('udp4');
        const t = setTimeout(() => (c.close(), resolve(null)), 300);
        c.on('message', (m) => (clearTimeout(t), c.close(), resolve(m)));
        c.send(encodeQuery(id, 'x', TYPE_A), port, '127.0.0.1');
      });
    assert.equal(await ask(1), null, 'the failed query is dropped');
    const tcp = net.connect(port, '127.0.0.1');
    await new Promise((r) => tcp.once('connect', r));
    const q = encodeQuery(2, 'x', TYPE_A);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(q.length);
    tcp.write(Buffer.concat([len, q]));
    await new Promise((r) => tcp.once('close', r));
    fail = false;
    const ok = await ask(3);
    assert.ok(ok, 'the server still answers');
    assert.deepEqual(parseAnswers(ok).a, ['10.0.0.1']);
  } finally {
    s.closeAll();
  }
});
