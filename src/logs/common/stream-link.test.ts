import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { StreamLink } from './stream-link.js';

const freePort = async () => {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const p = (s.address() as net.AddressInfo).port;
  s.close();
  await once(s, 'close');
  return p;
};

test('messages written before the connection is up arrive in order, in one stream', async () => {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  const got: Buffer[] = [];
  srv.on('connection', (c) => c.on('data', (b) => got.push(b)));
  const link = new StreamLink({
    connect: () => net.connect({ port, host: '127.0.0.1' }),
    readyEvent: 'connect',
    maxQueue: 1 << 20,
    retryMs: 50,
    maxFailures: 3,
  });
  for (let i = 0; i < 100; i++) link.write(Buffer.from(`m${i}\n`));
  await link.drained();
  await link.close();
  await new Promise((r) => setTimeout(r, 50));
  srv.close();
  assert.equal(Buffer.concat(got).toString(), Array.from({ length: 100 }, (_, i) => `m${i}\n`).join(''));
  assert.equal(link.dropped, 0);
});

/** A link to a TCP port nobody listens on. */
async function deadLink(o: { maxQueue: number; retryMs: number; maxFailures: number }): Promise<StreamLink> {
  const port = await freePort();
  return new StreamLink({ connect: () => net.connect({ port, host: '127.0.0.1' }), readyEvent: 'connect', ...o });
}

test('a dead endpoint never blocks: the queue is bounded, and given up after maxFailures attempts', async () => {
  const link = await deadLink({ maxQueue: 100, retryMs: 10, maxFailures: 1 });
  const t0 = Date.now();
  for (let i = 0; i < 50; i++) link.write(Buffer.alloc(10));
  assert.ok(Date.now() - t0 < 200);
  assert.equal(link.dropped, 40, 'what does not fit in 100 bytes is dropped');
  for (let i = 0; i < 500 && link.dropped < 50; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(link.dropped, 50, 'the 10 that waited are given up after the failed attempts');
  await link.close();
});

test('abandon hands back what waits and stops using the connection', async () => {
  const link = await deadLink({ maxQueue: 1000, retryMs: 1000, maxFailures: Infinity });
  link.write(Buffer.from('a'));
  link.write(Buffer.from('b'));
  assert.deepEqual(link.abandon().map(String), ['a', 'b']);
  link.write(Buffer.from('c')); // ignored once abandoned
  assert.equal(link.dropped, 0);
  await link.close();
});
