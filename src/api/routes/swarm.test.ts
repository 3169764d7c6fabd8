// Swarm endpoints on a node outside any swarm: moby's 503s, through a real ApiServer socket.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ApiServer } from '../server.js';
import { NO_SWARM_MANAGER, NOT_IN_SWARM, swarmRoutes } from './swarm.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-swarm-'));
const sock = join(dir, 'api.sock');
let server: ApiServer;

before(async () => {
  server = new ApiServer({ routes: swarmRoutes(), version: 'test' });
  await server.listen(sock);
});
after(() => {
  server.http.close();
  rmSync(dir, { recursive: true, force: true });
});

function call(method: string, path: string): Promise<{ status: number; message: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath: sock, method, path, headers: { 'Content-Type': 'application/json' } },
      (res) => {
        let s = '';
        res.on('data', (c: Buffer) => (s += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, message: (JSON.parse(s) as { message: string }).message }),
        );
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

test('leave and unlock: 503 "not part of a swarm" (what docker-py accepts from leave_swarm(force=True))', async () => {
  assert.deepEqual(await call('POST', '/v1.44/swarm/leave?force=True'), { status: 503, message: NOT_IN_SWARM });
  assert.deepEqual(await call('POST', '/swarm/unlock'), { status: 503, message: NOT_IN_SWARM });
});

test('every manager endpoint: 503 with moby errNoManager text', async () => {
  const calls: [string, string][] = [
    ['GET', '/swarm'],
    ['POST', '/swarm/update'],
    ['GET', '/swarm/unlockkey'],
    ['GET', '/services'],
    ['POST', '/services/create'],
    ['GET', '/services/x'],
    ['DELETE', '/services/x'],
    ['GET', '/services/x/logs'],
    ['GET', '/nodes'],
    ['GET', '/tasks'],
    ['GET', '/tasks/x/logs'],
    ['GET', '/secrets'],
    ['POST', '/configs/create'],
    ['POST', '/nodes/x/update'],
  ];
  for (const [m, p] of calls)
    assert.deepEqual(await call(m, `/v1.47${p}`), { status: 503, message: NO_SWARM_MANAGER }, `${m} ${p}`);
});

test('init and join are refused (no swarm mode), without changing anything', async () => {
  for (const p of ['/swarm/init', '/swarm/join']) assert.equal((await call('POST', p)).status, 503);
});
