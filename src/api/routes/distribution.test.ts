// GET /distribution/{name}/json over a fake inspect: the name spans slashes, X-Registry-Auth is
// decoded (garbage means no credentials), and errors keep moby's statuses, 429 included.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { internal, notFound } from '../../errdefs.js';
import type { AuthConfig } from '../../images/distribution/auth.js';
import { RegistryCodeError, type DistributionInspect } from '../../images/distribution/inspect.js';
import { ApiServer } from '../server.js';
import { distributionInspectRoutes } from './distribution.js';

const seen: { name: string; auth?: AuthConfig }[] = [];
let answer: (name: string) => DistributionInspect | Error;
const dir = mkdtempSync(join(tmpdir(), 'berth-distroute-'));
const sock = join(dir, 'api.sock');
let server: ApiServer;

before(async () => {
  server = new ApiServer({
    routes: distributionInspectRoutes({
      inspect: async (name, auth) => {
        seen.push({ name, auth });
        const a = answer(name);
        if (a instanceof Error) throw a;
        return a;
      },
    }),
    version: 'test',
  });
  await server.listen(sock);
});
after(() => {
  server.http.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  seen.length = 0;
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: sock, path, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(parts).toString()) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const info: DistributionInspect = {
  Descriptor: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${'1'.repeat(64)}`, size: 9 },
  Platforms: [{ architecture: 'amd64', os: 'linux' }],
};

test('the answer as JSON; names with a registry, path and tag reach inspect whole', async () => {
  answer = () => info;
  assert.deepEqual(await get('/v1.47/distribution/127.0.0.1:5000/me/app:1/json'), { status: 200, json: info });
  assert.deepEqual(seen, [{ name: '127.0.0.1:5000/me/app:1', auth: undefined }]);
  assert.deepEqual(await get('/distribution/busybox@sha256:' + '2'.repeat(64) + '/json'), { status: 200, json: info });
  assert.equal(seen[0].name, `busybox@sha256:${'2'.repeat(64)}`);
});

test('X-Registry-Auth is decoded (base64url JSON); an undecodable one is no credentials', async () => {
  answer = () => info;
  const h = Buffer.from(JSON.stringify({ username: 'u', password: 'p?>' })).toString('base64url');
  await get('/distribution/me/app/json', { 'X-Registry-Auth': h });
  assert.deepEqual(seen[0].auth, { username: 'u', password: 'p?>' });
  assert.equal((await get('/distribution/me/app/json', { 'X-Registry-Auth': '%%%' })).status, 200);
  assert.equal(seen[0].auth, undefined);
});

test("errors: the registry's status, 429 included; plain errors by kind", async () => {
  const err = (e: Error) => {
    answer = () => e;
    return get('/distribution/me/app/json');
  };
  assert.deepEqual(await err(new RegistryCodeError(429, 'toomanyrequests: slow down')), {
    status: 429,
    json: { message: 'toomanyrequests: slow down' },
  });
  assert.deepEqual(await err(new RegistryCodeError(404, 'manifest unknown: manifest unknown')), {
    status: 404,
    json: { message: 'manifest unknown: manifest unknown' },
  });
  assert.deepEqual(await err(notFound('x')), { status: 404, json: { message: 'x' } });
  assert.deepEqual(await err(internal('no manifest found for full image ID')), {
    status: 500,
    json: { message: 'no manifest found for full image ID' },
  });
});
