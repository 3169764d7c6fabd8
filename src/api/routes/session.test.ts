// POST /session as moby answers a request its session manager cannot take, through a real socket.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ApiServer } from '../server.js';
import { sessionRoutes } from './session.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-session-'));
const sock = join(dir, 'api.sock');
let server: ApiServer;

before(async () => {
  server = new ApiServer({ routes: sessionRoutes(), version: 'test' });
  await server.listen(sock);
});
after(() => {
  server.http.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(headers: Record<string, string>): Promise<{ status: number; message: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: sock, method: 'POST', path: '/v1.44/session', headers }, (res) => {
      let s = '';
      res.on('data', (c: Buffer) => (s += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, message: (JSON.parse(s) as { message: string }).message }),
      );
    });
    req.on('upgrade', () => reject(new Error('the server switched protocols')));
    req.on('error', reject);
    req.end();
  });
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
