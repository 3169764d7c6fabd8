// Swarm endpoints on a node outside any swarm: moby's 503s, through a real ApiServer socket.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type TestServer, testServer } from '../test-server.js';
import { NO_SWARM_MANAGER, NOT_IN_SWARM, swarmRoutes, VOLUME_UPDATE_NO_SWARM } from './swarm.js';

let server: TestServer;
before(async () => (server = await testServer(swarmRoutes())));
after(() => server.close());

async function call(method: string, path: string): Promise<{ status: number; message: string }> {
  const r = await server.call(method, path, method === 'POST' ? '{}' : undefined);
  return { status: r.status, message: (r.json as { message: string }).message };
}

test('leave and unlock: 503 "not part of a swarm" (what docker-py accepts from leave_swarm(force=True))', async () => {
  assert.deepEqual(await call('POST', '/v1.44/swarm/leave?force=True'), { status: 503, message: NOT_IN_SWARM });
  assert.deepEqual(await call('POST', '/swarm/unlock'), { status: 503, message: NOT_IN_SWARM });
});

test('every manager endpoint: 503 with moby errNoManager text', async () => {
  const calls = [
    'GET /swarm',
    'POST /swarm/update',
    'GET /swarm/unlockkey',
    'GET /services',
    'POST /services/create',
    'GET /services/x',
    'DELETE /services/x',
    'GET /services/x/logs',
    'GET /nodes',
    'GET /tasks',
    'GET /tasks/x/logs',
    'GET /secrets',
    'POST /configs/create',
    'POST /nodes/x/update',
  ];
  for (const c of calls) {
    const [method = '', path = ''] = c.split(' ');
    assert.deepEqual(await call(method, `/v1.47${path}`), { status: 503, message: NO_SWARM_MANAGER }, c);
  }
});

test('init and join are refused (no swarm mode), without changing anything', async () => {
  for (const p of ['/swarm/init', '/swarm/join']) assert.equal((await call('POST', p)).status, 503);
});

test('volume update (PUT /volumes/{name}, cluster volumes only): 503 as moby without swarm', async () => {
  const r = await call('PUT', '/v1.47/volumes/v1?version=1');
  assert.deepEqual(r, { status: 503, message: VOLUME_UPDATE_NO_SWARM });
});
