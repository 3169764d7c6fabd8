import { it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import type { ImageService, ImageView } from '../../images/store.js';
import { emptyContainerConfig } from '../../images/types.js';
import type { Ctx, Route } from '../router.js';
import { imageRoutes } from './images.js';

const calls: unknown[][] = [];
const view: ImageView = {
  record: {
    id: 'sha256:1',
    layers: [{ diffId: 'sha256:d', chainId: 'sha256:d', size: 5 }],
    size: 5,
    created: '2024-05-01T10:00:00Z',
  },
  config: {
    architecture: 'amd64',
    os: 'linux',
    config: { ...emptyContainerConfig(), Labels: { a: 'b' } },
    rootfs: { type: 'layers', diff_ids: ['sha256:d'] },
    history: [
      { created: '2024-05-01T10:00:00Z', created_by: 'ADD x' },
      { created_by: 'CMD', empty_layer: true },
    ],
  },
  tags: ['bb:latest'],
  digests: [],
};
const fake = {
  views: async (o: unknown) => (calls.push(['views', o]), [view]),
  import: async (_b: Readable, o: unknown) => (calls.push(['import', o]), { id: 'sha256:abc' }),
  tag: async (...a: unknown[]) => void calls.push(['tag', ...a]),
  remove: async (n: string, o: unknown) => (
    calls.push(['remove', n, o]), [{ untagged: 'x:latest' }, { deleted: 'sha256:1' }]
  ),
  prune: async () => ({ deleted: [], spaceReclaimed: 0 }),
  view: async () => ({ ...view, graphData: null }),
} as unknown as ImageService;
const routes = imageRoutes(fake, () => []);

function call(method: string, path: string, params: Record<string, string>, query: string, apiVersion = '1.47') {
  const r = routes.find((x) => x.method === method && x.path === path) as Route;
  const out: { status?: number; body?: unknown; streamed?: string } = {};
  const ctx = {
    method,
    path,
    params,
    query: new URLSearchParams(query),
    headers: {},
    apiVersion,
    body: Readable.from([]),
    json: async () => undefined,
    signal: new AbortController().signal,
    reply: {
      json: (s: number, v: unknown) => Object.assign(out, { status: s, body: v }),
      empty: (s = 204) => Object.assign(out, { status: s }),
      text: () => {},
      stream: (s: number) => {
        const p = new PassThrough();
        out.status = s;
        out.streamed = '';
        p.on('data', (d) => (out.streamed += d));
        return p;
      },
      hijack: () => new PassThrough(),
      started: false,
    },
  } as unknown as Ctx;
  return { run: async () => (await r.handler(ctx), out) };
}

it('GET /images/json: summaries, VirtualSize dropped from API 1.44', async () => {
  const summary = {
    Containers: -1,
    Created: 1714557600,
    Id: 'sha256:1',
    Labels: { a: 'b' },
    ParentId: '',
    RepoDigests: [],
    RepoTags: ['bb:latest'],
    SharedSize: -1,
    Size: 5,
  };
  assert.deepEqual((await call('GET', '/images/json', {}, '', '1.47').run()).body, [summary]);
  assert.deepEqual((await call('GET', '/images/json', {}, '', '1.41').run()).body, [{ ...summary, VirtualSize: 5 }]);
});

it('GET /images/{name}/json: inspect, with VirtualSize from 1.44 and an empty Container from 1.45 dropped', async () => {
  const old = (await call('GET', '/images/{name*}/json', { name: 'a/b' }, '', '1.41').run()).body as Record<
    string,
    unknown
  >;
  assert.equal(old.VirtualSize, 5);
  assert.equal(old.Container, '');
  assert.deepEqual(old.GraphDriver, { Name: 'overlay2', Data: null });
  assert.deepEqual(old.RootFS, { Type: 'layers', Layers: ['sha256:d'] });
  assert.equal((old.Metadata as { LastTagTime: string }).LastTagTime, '0001-01-01T00:00:00Z');
  const i = (await call('GET', '/images/{name*}/json', { name: 'a/b' }, '', '1.45').run()).body as Record<
    string,
    unknown
  >;
  assert.equal('VirtualSize' in i, false);
  assert.equal('Container' in i, false);
  assert.ok('ContainerConfig' in i, 'kept for docker-compose 1.29');
});

it('GET /images/{name}/history: newest first, sizes by layer, the top entry carries id and tags', async () => {
  const h = (await call('GET', '/images/{name*}/history', { name: 'bb' }, '').run()).body;
  assert.deepEqual(h, [
    { Id: 'sha256:1', Created: 1714557600, CreatedBy: 'CMD', Tags: ['bb:latest'], Size: 0, Comment: '' },
    { Id: '<missing>', Created: 1714557600, CreatedBy: 'ADD x', Tags: null, Size: 5, Comment: '' },
  ]);
});

it('POST /images/create imports from - and streams the status line; pull is not implemented', async () => {
  const r = await call(
    'POST',
    '/images/create',
    {},
    'fromSrc=-&repo=bb&tag=1&changes=CMD%20sh&changes=ENV%20A%3D1',
  ).run();
  assert.equal(r.streamed, '{"status":"sha256:abc"}\r\n');
  assert.deepEqual(calls.at(-1), [
    'import',
    { repo: 'bb', tag: '1', changes: ['CMD sh', 'ENV A=1'], message: undefined, platform: undefined },
  ]);
  await assert.rejects(
    call('POST', '/images/create', {}, 'fromImage=busybox').run(),
    (e: Error & { kind?: string }) => e.kind === 'not-implemented',
  );
});

it('tag answers 201; delete passes force/noprune', async () => {
  assert.equal((await call('POST', '/images/{name*}/tag', { name: 'bb' }, 'repo=me/bb&tag=2').run()).status, 201);
  assert.deepEqual(calls.at(-1), ['tag', 'bb', 'me/bb', '2']);
  const d = await call('DELETE', '/images/{name*}', { name: 'me/bb:2' }, 'force=1').run();
  assert.deepEqual(d.body, [{ Untagged: 'x:latest' }, { Deleted: 'sha256:1' }]);
  assert.deepEqual((await call('POST', '/images/prune', {}, '').run()).body, {
    ImagesDeleted: null,
    SpaceReclaimed: 0,
  });
  assert.deepEqual(calls.at(-1), ['remove', 'me/bb:2', { force: true, noprune: false }]);
});
