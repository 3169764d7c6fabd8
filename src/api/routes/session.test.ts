// POST /session as moby answers a request its session manager cannot take, through a real socket.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type TestServer, testServer } from '../test-server.js';
import { sessionRoutes } from './session.js';

let server: TestServer;
before(async () => (server = await testServer(sessionRoutes())));
after(() => server.close());

async function post(headers: Record<string, string>): Promise<{ status: number; message: string }> {
  const r = await server.call('POST', '/v1.44/session', undefined, headers);
  return { status: r.status, message: (r.json as { message: string }).message };
}

test('without an Upgrade header: 400 "no upgrade proto in request" (moby session manager)', async () => {
  assert.deepEqual(await post({}), { status: 400, message: 'no upgrade proto in request' });
});

test('another protocol: 400 "protocol X not supported"', async () => {
  const r = await post({ Connection: 'Upgrade', Upgrade: 'tcp' });
  assert.deepEqual(r, { status: 400, message: 'protocol tcp not supported' });
});

test('h2c (a BuildKit session): refused with 501, the connection is not taken over', async () => {
  const r = await post({ Connection: 'Upgrade', Upgrade: 'h2c', 'X-Docker-Expose-Session-Uuid': 'abc' });
  assert.equal(r.status, 501);
  assert.match(r.message, /classic builder/);
});
