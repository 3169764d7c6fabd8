// /info, /version and /system/df through a real ApiServer over fakes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Events } from '../../engine/events.js';
import type { SystemInfo } from '../../engine/info.js';
import { testContainerRecord } from '../../engine/test-container-record.js';
import { testImageView } from '../../images/test-image-view.js';
import { type TestServer, testServer } from '../test-server.js';
import { fakeDiskUsage } from './fake-disk-usage.js';
import { systemDfRoutes } from './system-df.js';
import { systemRoutes } from './system.js';

const info = {
  id: 'e1',
  containers: { total: 3, running: 1, paused: 1, stopped: 1 },
  images: 2,
  cgroups: { CgroupVersion: '2', Warnings: [] },
  proxies: { http: '', https: '', no: '' },
  config: {
    version: '9.9.9',
    dataRoot: '/d',
    debug: false,
    logDriver: 'json-file',
    defaultRuntime: 'runc',
    runtimes: { runc: '/usr/bin/runc' },
  },
} as unknown as SystemInfo;

const ctr = testContainerRecord({ id: 'c'.repeat(64), name: 'web', image: 'bb' });
const { df, asked } = fakeDiskUsage({
  layersSize: 10,
  images: [testImageView(10)],
  containers: [{ rec: ctr, size: { rw: 1, rootFs: 11 } }],
  volumes: [],
  buildCache: [],
});

let s: TestServer;
before(async () => {
  const components = async () => [{ Name: 'runc', Version: '1.1.5', Details: { GitCommit: '' } }];
  s = await testServer([
    ...systemRoutes({ version: '9.9.9', events: new Events(), components, info: async () => info }),
    ...systemDfRoutes(df),
  ]);
});
after(() => s.close());

test('/info answers the engine info as moby JSON', async () => {
  const r = await s.call('GET', '/info');
  assert.equal(r.status, 200);
  const j = r.json as Record<string, unknown>;
  assert.deepEqual(
    [j.ID, j.Containers, j.ContainersRunning, j.Images, j.ServerVersion, j.CgroupVersion],
    ['e1', 3, 1, 2, '9.9.9', '2'],
  );
  assert.deepEqual(j.Runtimes, { runc: { path: '/usr/bin/runc' } });
});

test('/version: the engine, then the runtime components', async () => {
  const j = (await s.call('GET', '/v1.41/version')).json as { Version: string; Components: Array<{ Name: string }> };
  assert.equal(j.Version, '9.9.9');
  assert.deepEqual(
    j.Components.map((c) => c.Name),
    ['Engine', 'runc'],
  );
});

test('/system/df: every kind in moby order, images and containers as their summaries', async () => {
  asked.length = 0;
  const j = (await s.call('GET', '/system/df')).json as Record<string, unknown>;
  assert.deepEqual(Object.keys(j), ['LayersSize', 'Images', 'Containers', 'Volumes', 'BuildCache']);
  assert.equal(j.LayersSize, 10);
  const [img] = j.Images as Array<Record<string, unknown>>;
  assert.deepEqual([img!.Id, img!.RepoTags, img!.Size], ['sha256:i1', ['bb:latest'], 10]);
  const [c] = j.Containers as Array<Record<string, unknown>>;
  assert.deepEqual([c!.Names, c!.Image, c!.SizeRw, c!.SizeRootFs], [['/web'], 'bb', 1, 11]);
  assert.deepEqual(asked, [[]], 'one usage call per request');
});

test('/system/df?type=: only the kinds asked; an unknown kind is 400 before any work', async () => {
  asked.length = 0;
  const j = (await s.call('GET', '/system/df?type=volume&type=image')).json as Record<string, unknown>;
  assert.deepEqual(Object.keys(j).sort(), ['Images', 'LayersSize', 'Volumes']);
  const bad = await s.call('GET', '/system/df?type=bogus');
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json, { message: 'unknown object type: bogus' });
  assert.deepEqual(asked, [['volume', 'image']]);
});
