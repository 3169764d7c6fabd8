// POST /build's checks made before the build starts, over fakes: they are plain error statuses
// with moby's texts (squash needs --experimental; a bad platform is containerd's parse error).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ContainerService } from '../../engine/service.js';
import type { ImageService } from '../../images/store.js';
import { testServer, type TestServer } from '../test-server.js';
import { buildRoutes } from './build.js';

// Nothing may reach the builder: the fakes throw if it does.
const images = new Proxy({} as ImageService, {
  get: () => {
    throw new Error('the builder was reached');
  },
});
const routes = (experimental: boolean) =>
  buildRoutes({ images, containers: {} as ContainerService, tmpDir: '/nonexistent/berth-build', experimental });

let plain: TestServer;
let exp: TestServer;
before(async () => {
  plain = await testServer(routes(false));
  exp = await testServer(routes(true));
});
after(() => {
  plain.close();
  exp.close();
});

test('squash=1 without --experimental is moby 400', async () => {
  const r = await plain.call('POST', '/v1.44/build?squash=1', Buffer.alloc(1024));
  assert.equal(r.status, 400);
  assert.deepEqual(r.json, { message: 'squash is only supported with experimental mode' });
});

test('an invalid platform is a 400 with containerd text, experimental or not', async () => {
  for (const s of [plain, exp]) {
    const r = await s.call('POST', '/v1.44/build?platform=foobar', Buffer.alloc(1024));
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, { message: '"foobar": unknown operating system or architecture: invalid argument' });
  }
});
