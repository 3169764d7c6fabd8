// The daemon's route table over fake services: every endpoint once, and the per-request services
// (info, disk usage, container sizes) wired to the right stores.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type TestServer, testServer } from '../api/test-server.js';
import { Events } from '../engine/events.js';
import { testContainerRecord } from '../engine/test-container-record.js';
import { defaults } from './flags.js';
import type { Paths } from './paths.js';
import { apiRoutes, type RouteServices } from './routes.js';

const rec = (id: string, status: string) => testContainerRecord({ id, status });
const recs = [rec('a', 'running'), rec('b', 'exited')];
const calls: string[] = [];
const services = {
  version: '9.9.9',
  log: () => {},
  paths: { dataRoot: '/nonexistent/berth-data', storage: '/nonexistent/berth-data/storage' } as Paths,
  options: defaults(),
  binaries: {
    runc: '/usr/sbin/runc',
    conmon: '/usr/bin/conmon',
    runtimes: {
      default: 'crun',
      runtimes: {
        runc: { path: '/usr/sbin/runc', runtimeArgs: [] },
        crun: { path: '/usr/bin/crun', runtimeArgs: ['--debug'] },
      },
    },
  },
  events: new Events(),
  store: { all: () => recs },
  containers: { runningCount: () => ({ running: 1, paused: 0, stopped: 1 }) },
  execs: {},
  images: {
    count: async () => 5,
    diskUsage: async () => (calls.push('images.diskUsage'), { layersSize: 42, images: [] }),
    rootfsUsage: async (id: string) => (calls.push(`rootfsUsage ${id}`), { size: 7, inodes: 1 }),
    resolve: async () => ({ size: 100 }),
  },
  volumes: { usage: async () => [] },
  containerVolumes: {},
  network: {},
  containerNetwork: undefined,
  buildCache: { list: async () => [] },
  runtime: { liveUpdate: async () => {} },
  statsSource: { watch: () => () => {} },
} as unknown as RouteServices;

let s: TestServer;
before(async () => {
  s = await testServer(apiRoutes(services));
});
after(() => s.close());

test('every method and path is routed once', () => {
  const keys = apiRoutes(services).map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(
    keys.filter((k, i) => keys.indexOf(k) !== i),
    [],
  );
  for (const k of [
    'GET /info',
    'GET /system/df',
    'GET /containers/{id}/stats',
    'PUT /containers/{id}/archive',
    'POST /containers/{id}/update',
    'GET /events',
  ])
    assert.ok(keys.includes(k), k);
});

test('/info counts from the container store and the image store, with the daemon config', async () => {
  const j = (await s.call('GET', '/info')).json as Record<string, unknown>;
  assert.deepEqual(
    [j.Containers, j.ContainersRunning, j.ContainersStopped, j.Images, j.ServerVersion],
    [2, 1, 1, 5, '9.9.9'],
  );
  // every runtime of the daemon's table (runtime/oci-runtimes.ts), the default by name
  assert.deepEqual(j.Runtimes, { runc: { path: '/usr/sbin/runc' }, crun: { path: '/usr/bin/crun' } });
  assert.equal(j.DefaultRuntime, 'crun');
});

test('/system/df asks the image store once and sizes each container from its rootfs and image', async () => {
  calls.length = 0;
  const j = (await s.call('GET', '/system/df')).json as {
    LayersSize: number;
    Containers: Array<{ SizeRw: number; SizeRootFs: number }>;
  };
  assert.equal(j.LayersSize, 42);
  assert.deepEqual(
    j.Containers.map((c) => [c.SizeRw, c.SizeRootFs]),
    [
      [7, 107],
      [7, 107],
    ],
  );
  assert.deepEqual(calls.sort(), ['images.diskUsage', 'rootfsUsage a', 'rootfsUsage b']);
});
