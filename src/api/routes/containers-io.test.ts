// The streaming container routes through a real ApiServer over fakes: stats framing and its
// stream/one-shot flags, and the `docker cp` archive endpoints' headers, bodies and errors.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { ContainerService } from '../../engine/service.js';
import type { StatsFrame } from '../../engine/stats.js';
import type { ContainerRecord } from '../../engine/types.js';
import { msg, notFound } from '../../errdefs.js';
import type { PathStat } from '../../storage/layers/archive.js';
import { type TestServer, testServer } from '../test-server.js';
import { ZERO_TIME } from '../../util/time.js';
import type { ContainerRouteDeps } from './container-route-deps.js';
import { containerRoutes } from './containers.js';

const rec = {
  id: 'c1',
  name: 'web',
  config: { User: '' },
  mounts: [],
  state: { status: 'running', pid: 9 },
} as unknown as ContainerRecord;
const stat: PathStat = { name: 'f', size: 3, mode: 0o644, mtime: '2024-05-01T10:00:00Z', linkTarget: '' };
const calls: unknown[][] = [];
let frames: StatsFrame[] = [];

const containers = {
  find: (ref: string) => {
    if (ref !== 'c1') throw notFound(msg.noSuchContainer(ref));
    return rec;
  },
} as unknown as ContainerService;

const deps: ContainerRouteDeps = {
  containers,
  execs: {} as ContainerRouteDeps['execs'],
  imageIdFor: async () => null,
  sizes: async () => ({ rw: 0, rootFs: 0 }),
  stats: {
    stream: async (_r, o, _signal, emit) => {
      calls.push(['stats', o.stream]);
      for (const f of frames) emit(f);
    },
  },
  archive: {
    stat: async (_r, p) => {
      if (p === '/nope') throw notFound('Could not find the file /nope in container web');
      return stat;
    },
    get: async (_r, p) => ({ stat: { ...stat, name: p }, stream: Readable.from([Buffer.from('TARBYTES')]) }),
    put: async (_r, p, body, o) => {
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c as Buffer);
      calls.push(['put', p, o, Buffer.concat(chunks).toString()]);
    },
  },
};

let s: TestServer;
before(async () => {
  s = await testServer(containerRoutes(deps));
});
after(() => s.close());

const statHeader = (h: Record<string, unknown>) =>
  JSON.parse(Buffer.from(String(h['x-docker-container-path-stat']), 'base64').toString());

test('stats: one JSON document per frame; stream defaults on, stream=0 and one-shot=1 turn it off', async () => {
  frames = [{ id: 'c1', name: 'web', cur: null, prev: null, withNetworks: true }];
  calls.length = 0;
  const r = await s.call('GET', '/containers/c1/stats?stream=0');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/json');
  const lines = r.body.toString().split('\n').filter(Boolean);
  assert.equal(lines.length, 1);
  const doc = JSON.parse(lines[0]!);
  assert.equal(doc.name, '/web');
  assert.equal(doc.id, 'c1');
  assert.equal(doc.read, ZERO_TIME);
  await s.call('GET', '/containers/c1/stats');
  await s.call('GET', '/containers/c1/stats?stream=1&one-shot=1');
  assert.deepEqual(calls, [
    ['stats', false],
    ['stats', true],
    ['stats', false],
  ]);
  frames = [frames[0]!, frames[0]!];
  assert.equal((await s.call('GET', '/containers/c1/stats')).body.toString().split('\n').filter(Boolean).length, 2);
});

test("stats of an unknown container is 404 with Docker's text", async () => {
  assert.deepEqual((await s.call('GET', '/containers/zz/stats')).json, { message: 'No such container: zz' });
});

test('HEAD archive: the stat in X-Docker-Container-Path-Stat; a missing path 404, no path 400', async () => {
  const r = await s.call('HEAD', '/containers/c1/archive?path=/f');
  assert.equal(r.status, 200);
  assert.deepEqual(statHeader(r.headers), stat);
  assert.equal((await s.call('HEAD', '/containers/c1/archive?path=/nope')).status, 404);
  const none = await s.call('GET', '/containers/c1/archive');
  assert.equal(none.status, 400);
  assert.deepEqual(none.json, { message: 'path cannot be empty' });
});

test('GET archive: the tar stream as the body, its stat in the header', async () => {
  const r = await s.call('GET', '/containers/c1/archive?path=/etc');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/x-tar');
  assert.equal(r.body.toString(), 'TARBYTES');
  assert.equal(statHeader(r.headers).name, '/etc');
});

test('PUT archive: the body and the two flags reach the archive service', async () => {
  calls.length = 0;
  const r = await s.call(
    'PUT',
    '/containers/c1/archive?path=/tmp&noOverwriteDirNonDir=1&copyUIDGID=true',
    Buffer.from('TAR'),
  );
  assert.equal(r.status, 200);
  assert.deepEqual(calls, [['put', '/tmp', { noOverwriteDirNonDir: true, copyUIDGID: true }, 'TAR']]);
});
