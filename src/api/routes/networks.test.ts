// /networks routes through a real ApiServer socket over a NetworkService on fakes: statuses, Docker's texts, filters.
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { container, type Rig, rig, run } from '../../network/fake-rig.js';
import { ApiServer } from '../server.js';
import { networkRoutes } from './networks.js';

let r: Rig;
let server: ApiServer;
let sock: string;

before(async () => {
  r = await rig();
  sock = path.join(r.dir, 'api.sock');
  server = new ApiServer({ routes: networkRoutes(r.svc), version: 'test' });
  await server.listen(sock);
});
after(() => server.http.close());

function call(method: string, p: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath: sock, method, path: p, headers: { 'Content-Type': 'application/json' } },
      (res) => {
        let s = '';
        res.on('data', (c: Buffer) => (s += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: s ? JSON.parse(s) : null }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
const q = (filters: object) => encodeURIComponent(JSON.stringify(filters));
const names = (json: unknown) => (json as Array<{ Name: string }>).map((n) => n.Name).sort();

test('create: 201 with Id and an empty Warning; refusals with Docker statuses and texts', async () => {
  const c = await call('POST', '/v1.44/networks/create', { Name: 'front', Labels: { tier: 'web' } });
  assert.equal(c.status, 201);
  const { Id, Warning } = c.json as { Id: string; Warning: string };
  assert.equal(Warning, '');
  assert.equal(r.svc.find('front').id, Id);
  assert.deepEqual(await call('POST', '/networks/create', { Name: 'front' }), {
    status: 409,
    json: { message: 'network with name front already exists' },
  });
  const overlap = await call('POST', '/networks/create', {
    Name: 'x',
    IPAM: { Config: [{ Subnet: '172.17.1.0/24' }] },
  });
  assert.deepEqual(overlap, { status: 409, json: { message: 'Pool overlaps with other one on this address space' } });
  assert.equal((await call('POST', '/networks/create', { Name: 'y', Driver: 'overlay' })).status, 404);
});

test('list filters and inspect', async () => {
  await call('POST', '/networks/create', { Name: 'back', Labels: { tier: 'db' } });
  assert.deepEqual(names((await call('GET', `/networks?filters=${q({ type: ['custom'] })}`)).json), ['back', 'front']);
  assert.deepEqual(names((await call('GET', `/networks?filters=${q({ type: ['builtin'] })}`)).json), [
    'bridge',
    'host',
    'none',
  ]);
  assert.deepEqual(names((await call('GET', `/networks?filters=${q({ label: ['tier=db'] })}`)).json), ['back']);
  assert.deepEqual(names((await call('GET', `/networks?filters=${q({ name: ['ron'] })}`)).json), ['front']);
  assert.equal((await call('GET', `/networks?filters=${q({ type: ['other'] })}`)).status, 400);
  await run(r, container('c'.repeat(64), 'app', { NetworkMode: 'back' }, r.dir));
  assert.deepEqual(names((await call('GET', `/networks?filters=${q({ dangling: ['true'] })}`)).json), ['front']);
  const back = (await call('GET', '/networks/back')).json as { Containers: Record<string, { Name: string }> };
  assert.deepEqual(
    Object.values(back.Containers).map((c) => c.Name),
    ['app'],
  );
  assert.deepEqual(await call('GET', '/networks/nope'), { status: 404, json: { message: 'network nope not found' } });
});

test('connect/disconnect need a container; remove and prune keep what is in use or predefined', async () => {
  assert.deepEqual(await call('POST', '/networks/front/connect', {}), {
    status: 400,
    json: { message: 'container is required' },
  });
  assert.deepEqual(await call('POST', '/networks/front/disconnect', {}), {
    status: 400,
    json: { message: 'container is required' },
  });
  assert.equal((await call('POST', '/networks/front/connect', { Container: 'app' })).status, 200);
  assert.equal((await call('POST', '/networks/front/disconnect', { Container: 'app' })).status, 200);
  assert.equal((await call('DELETE', '/networks/bridge')).status, 403);
  assert.equal((await call('DELETE', '/networks/back')).status, 403, 'active endpoints');
  await call('POST', '/networks/create', { Name: 'keep', Labels: { keep: '1' } });
  const pruned = await call('POST', `/networks/prune?filters=${q({ 'label!': ['keep'] })}`);
  assert.deepEqual(pruned, { status: 200, json: { NetworksDeleted: ['front'] } });
  assert.equal((await call('DELETE', '/networks/keep')).status, 204);
  assert.deepEqual(names((await call('GET', '/networks')).json), ['back', 'bridge', 'host', 'none']);
});
