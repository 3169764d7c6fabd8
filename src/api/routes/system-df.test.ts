// GET /system/df's image fields and API-version gates (moby getDiskUsage), over a fake DiskUsage.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ImageUsage } from '../../engine/disk-usage.js';
import { testImageView } from '../../images/test-image-view.js';
import { type TestServer, testServer } from '../test-server.js';
import { fakeDiskUsage } from './fake-disk-usage.js';
import { systemDfRoutes } from './system-df.js';

const image: ImageUsage = { ...testImageView(1000), sharedSize: 400, containers: 2 };
const { df, asked } = fakeDiskUsage({ layersSize: 1000, images: [image], volumes: [] });

let s: TestServer;
before(async () => {
  s = await testServer(systemDfRoutes(df));
});
after(() => s.close());

const images = async (p: string) =>
  ((await s.call('GET', p)).json as { Images: Array<Record<string, unknown>> }).Images;

test('images carry SharedSize and Containers (docker system df -v: SHARED SIZE, UNIQUE SIZE, CONTAINERS)', async () => {
  const [i] = await images('/v1.47/system/df');
  assert.deepEqual([i?.Size, i?.SharedSize, i?.Containers], [1000, 400, 2]);
});

test('VirtualSize only for clients below API 1.44, as moby', async () => {
  assert.equal((await images('/v1.43/system/df'))[0]?.VirtualSize, 1000);
  assert.equal('VirtualSize' in ((await images('/v1.44/system/df'))[0] ?? {}), false);
});

test('type= is read from API 1.42 on; older clients get every kind', async () => {
  asked.length = 0;
  const old = (await s.call('GET', '/v1.41/system/df?type=volume')).json as Record<string, unknown>;
  assert.deepEqual(Object.keys(old).sort(), ['Images', 'LayersSize', 'Volumes']);
  const cur = (await s.call('GET', '/v1.42/system/df?type=volume')).json as Record<string, unknown>;
  assert.deepEqual(Object.keys(cur), ['Volumes']);
  assert.deepEqual(asked, [[], ['volume']]);
  assert.equal((await s.call('GET', '/v1.41/system/df?type=bogus')).status, 200, 'not read, so not refused');
});
