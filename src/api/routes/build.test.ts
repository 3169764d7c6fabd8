// POST /build's checks made before the build starts, over fakes: they are plain error statuses
// with moby's texts (squash needs --experimental; a bad platform is containerd's parse error).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ContainerService } from '../../engine/service.js';
import type { ImageService } from '../../images/store.js';
import { testServer, type TestServer } from '../test-server.js';
import { buildLeftovers, buildRoutes, engineRunner } from './build.js';

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

test('a build cut short is found by its scratch directory or its snapshot; a clean data root has none', async () => {
  const { mkdtemp, mkdir, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const tmpDir = await mkdtemp(join(tmpdir(), 'berth-build-left-'));
  const keys: string[] = ['sha256:layer', 'ctr-abc'];
  const fake = { snapshots: { list: async () => keys.map((key) => ({ key })) } } as unknown as ImageService;
  try {
    assert.equal(await buildLeftovers({ images: fake, tmpDir }), false);
    keys.push('build-0123abcd');
    assert.equal(await buildLeftovers({ images: fake, tmpDir }), true);
    keys.pop();
    await mkdir(join(tmpDir, 'build-4567'));
    assert.equal(await buildLeftovers({ images: fake, tmpDir }), true);
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
});

test('the build routes do not load the builder until a build is asked for (its worker pool, zlib)', async () => {
  const { execFileSync } = await import('node:child_process');
  const script = `
    const { buildRoutes } = await import(${JSON.stringify(new URL('./build.js', import.meta.url).href)});
    const images = { snapshots: { list: async () => [] } };
    buildRoutes({ images, containers: {}, tmpDir: '/nonexistent/berth-build' });
    await new Promise((r) => setTimeout(r, 50));
    console.log(JSON.stringify(process.moduleLoadList.filter((m) => /NativeModule (worker_threads|zlib)$/.test(m))));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), []);
});

/** A container engine whose create and start finish when the test says so; it records the calls. */
function fakeEngine() {
  const calls: string[] = [];
  let finishCreate = () => {};
  let finishStart = () => {};
  let exited = (_code: number) => {};
  let running = false;
  const created = new Promise<void>((r) => (finishCreate = r));
  const started = new Promise<void>((r) => (finishStart = r));
  const exit = new Promise<number>((r) => (exited = r));
  const containers = {
    create: async () => (calls.push('create'), await created, { id: 'c1', warnings: [] }),
    attach: () => exit.then(() => ({})),
    start: async () => {
      calls.push('start');
      await started;
      running = true;
    },
    kill: async (_id: string, sig: string) => {
      calls.push(`kill ${sig}`);
      if (!running) throw new Error('Container c1 is not running'); // as the engine answers
      exited(137);
    },
    wait: async () => ({ statusCode: await exit }),
  } as unknown as ContainerService;
  return { calls, containers, finishCreate, finishStart, exited };
}
const spec = { image: 'sha256:x', cmd: ['sleep', '1000'], env: [], workdir: '', user: '', extraHosts: [] };
const hooks = { created: () => {}, output: () => {} };

test('a build cancelled while its RUN container is being created never starts it (the step removes it)', {
  timeout: 20_000,
}, async () => {
  const f = fakeEngine();
  const ac = new AbortController();
  const run = engineRunner(f.containers).run(spec, hooks, ac.signal);
  ac.abort(); // the client went away during the create
  f.finishCreate();
  await assert.rejects(run, { message: 'build cancelled' });
  assert.deepEqual(f.calls, ['create']);
});

test('a build cancelled while its RUN container is starting kills it once it has started', {
  timeout: 20_000,
}, async () => {
  const f = fakeEngine();
  const ac = new AbortController();
  f.finishCreate();
  const run = engineRunner(f.containers).run(spec, hooks, ac.signal);
  while (!f.calls.includes('start')) await new Promise((r) => setImmediate(r));
  ac.abort(); // the kill this sends finds nothing running yet
  f.finishStart();
  assert.equal(await run, 137);
  assert.deepEqual(f.calls, ['create', 'start', 'kill KILL', 'kill KILL']);
});
