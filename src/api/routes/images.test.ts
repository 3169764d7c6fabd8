import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import type { ImageService, ImageView } from '../../images/store.js';
import { emptyContainerConfig } from '../../images/types.js';
import { type TestServer, testServer } from '../test-server.js';
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
let s: TestServer;
before(async () => {
  s = await testServer(imageRoutes(fake, () => []));
});
after(() => s.close());
const json = async (method: string, p: string) => (await s.call(method, p)).json as Record<string, unknown>;

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
  assert.deepEqual(await json('GET', '/v1.47/images/json'), [summary]);
  assert.deepEqual(await json('GET', '/v1.41/images/json'), [{ ...summary, VirtualSize: 5 }]);
});

it('GET /images/{name}/json: inspect, with VirtualSize from 1.44 and an empty Container from 1.45 dropped', async () => {
  const old = await json('GET', '/v1.41/images/a/b/json');
  assert.equal(old.VirtualSize, 5);
  assert.equal(old.Container, '');
  assert.deepEqual(old.GraphDriver, { Name: 'overlay2', Data: null });
  assert.deepEqual(old.RootFS, { Type: 'layers', Layers: ['sha256:d'] });
  assert.equal((old.Metadata as { LastTagTime: string }).LastTagTime, '0001-01-01T00:00:00Z');
  const i = await json('GET', '/v1.45/images/a/b/json');
  assert.equal('VirtualSize' in i, false);
  assert.equal('Container' in i, false);
  assert.ok('ContainerConfig' in i, 'kept for docker-compose 1.29');
});

it('GET /images/{name}/history: newest first, sizes by layer, the top entry carries id and tags', async () => {
  const h = (await s.call('GET', '/images/bb/history')).json;
  assert.deepEqual(h, [
    { Id: 'sha256:1', Created: 1714557600, CreatedBy: 'CMD', Tags: ['bb:latest'], Size: 0, Comment: '' },
    { Id: '<missing>', Created: 1714557600, CreatedBy: 'ADD x', Tags: null, Size: 5, Comment: '' },
  ]);
});

it('POST /images/create imports from - and streams the status line; pull is not implemented', async () => {
  const r = await s.call(
    'POST',
    '/images/create?fromSrc=-&repo=bb&tag=1&changes=CMD%20sh&changes=ENV%20A%3D1',
    Buffer.from('TAR'),
  );
  assert.equal(r.body.toString(), '{"status":"sha256:abc"}\r\n');
  assert.deepEqual(calls.at(-1), [
    'import',
    { repo: 'bb', tag: '1', changes: ['CMD sh', 'ENV A=1'], message: undefined, platform: undefined },
  ]);
  assert.equal((await s.call('POST', '/images/create?fromImage=busybox')).status, 501);
});

it('tag answers 201; delete passes force/noprune', async () => {
  assert.equal((await s.call('POST', '/images/bb/tag?repo=me/bb&tag=2')).status, 201);
  assert.deepEqual(calls.at(-1), ['tag', 'bb', 'me/bb', '2']);
  assert.deepEqual(await json('DELETE', '/images/me/bb:2?force=1'), [
    { Untagged: 'x:latest' },
    { Deleted: 'sha256:1' },
  ]);
  assert.deepEqual(calls.at(-1), ['remove', 'me/bb:2', { force: true, noprune: false }]);
  assert.deepEqual(await json('POST', '/images/prune'), {
    ImagesDeleted: null,
    SpaceReclaimed: 0,
  });
});

it('POST /images/create with an invalid platform is moby 400 before anything is imported', async () => {
  calls.length = 0;
  const r = await s.call('POST', '/v1.44/images/create?fromSrc=-&platform=foobar', Buffer.from('x'));
  assert.equal(r.status, 400);
  assert.deepEqual(r.json, { message: '"foobar": unknown operating system or architecture: invalid argument' });
  assert.deepEqual(calls, []);
});

it('GET /images/json before 1.41 reads the legacy filter= glob as a reference filter; 1.41 ignores it', async () => {
  calls.length = 0;
  await s.call('GET', '/v1.40/images/json?filter=bb*');
  await s.call('GET', '/v1.41/images/json?filter=bb*');
  const refs = calls.map((c) => (c[1] as { filters: Map<string, string[]> }).filters.get('reference'));
  assert.deepEqual(refs, [['bb*'], undefined]);
});

it('GET /images/json before 1.43: an image without tags or digests shows <none>:<none> and <none>@<none>', async () => {
  const untagged = { ...view, tags: [], digests: [] };
  const srv = await testServer(
    imageRoutes({ ...fake, views: async () => [untagged] } as unknown as ImageService, () => []),
  );
  try {
    const old = (await srv.call('GET', '/v1.42/images/json')).json as Record<string, unknown>[];
    assert.deepEqual([old[0]!.RepoTags, old[0]!.RepoDigests], [['<none>:<none>'], ['<none>@<none>']]);
    const now = (await srv.call('GET', '/v1.43/images/json')).json as Record<string, unknown>[];
    assert.deepEqual([now[0]!.RepoTags, now[0]!.RepoDigests], [[], []]);
  } finally {
    srv.close();
  }
});

it('GET /images/{name}/json before 1.44: an image without a creation time says 0001-01-01T00:00:00Z', async () => {
  const noTime = { ...view, record: { ...view.record, created: '' }, config: { ...view.config, created: undefined } };
  const srv = await testServer(
    imageRoutes({ ...fake, view: async () => ({ ...noTime, graphData: null }) } as unknown as ImageService, () => []),
  );
  try {
    assert.equal(
      ((await srv.call('GET', '/v1.43/images/x/json')).json as { Created: string }).Created,
      '0001-01-01T00:00:00Z',
    );
    assert.equal(((await srv.call('GET', '/v1.44/images/x/json')).json as { Created: string }).Created, '');
  } finally {
    srv.close();
  }
});
