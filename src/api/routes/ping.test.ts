// /_ping's headers as moby's pingHandler sends them (GET and HEAD), over a real ApiServer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Events } from '../../engine/events.js';
import type { SystemInfo } from '../../engine/info.js';
import { type TestServer, testServer } from '../test-server.js';
import { systemRoutes } from './system.js';

let plain: TestServer;
let experimental: TestServer;
before(async () => {
  const deps = { version: '9.9.9', components: async () => [], info: async () => ({}) as SystemInfo };
  plain = await testServer(systemRoutes({ ...deps, events: new Events() }));
  experimental = await testServer(systemRoutes({ ...deps, events: new Events(), experimental: true }), {
    experimental: true,
  });
});
after(() => {
  plain.close();
  experimental.close();
});

for (const method of ['GET', 'HEAD'])
  test(`${method} /_ping: moby's headers (legacy builder, swarm inactive, no caching)`, async () => {
    const r = await plain.call(method, '/_ping');
    assert.equal(r.status, 200);
    const h = r.headers;
    assert.equal(h['api-version'], '1.47');
    assert.equal(h['builder-version'], '1');
    assert.equal(h['docker-experimental'], 'false');
    assert.equal(h.swarm, 'inactive');
    assert.equal(h['cache-control'], 'no-cache, no-store, must-revalidate');
    assert.equal(h.pragma, 'no-cache');
    assert.equal(h.ostype, 'linux');
    assert.equal(h['content-type'], 'text/plain; charset=utf-8');
    assert.equal(r.body.toString(), method === 'GET' ? 'OK' : '');
    assert.equal(h['content-length'], method === 'GET' ? '2' : '0');
  });

test('/_ping says Docker-Experimental: true when berthd runs --experimental', async () => {
  const r = await experimental.call('HEAD', '/_ping');
  assert.equal(r.headers['docker-experimental'], 'true');
});

test('every answer, not only /_ping, says whether berthd runs --experimental (moby middleware)', async () => {
  assert.equal((await plain.call('GET', '/version')).headers['docker-experimental'], 'false');
  assert.equal((await experimental.call('GET', '/version')).headers['docker-experimental'], 'true');
  assert.equal((await experimental.call('GET', '/no-such-route')).headers['docker-experimental'], 'true');
});
