import { it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import type { ImageService } from '../../images/store.js';
import type { Ctx, Route } from '../router.js';
import { imageRoutes } from './images.js';

const calls: unknown[][] = [];
const fake = {
  list: async (o: unknown) => (calls.push(['list', o]), [{ Id: 'sha256:1', VirtualSize: 5, Size: 5 }]),
  import: async (_b: Readable, o: unknown) => (calls.push(['import', o]), { id: 'sha256:abc' }),
  tag: async (...a: unknown[]) => void calls.push(['tag', ...a]),
  remove: async (n: string, o: unknown) => (calls.push(['remove', n, o]), [{ Untagged: 'x:latest' }]),
  inspect: async () => ({ Id: 'sha256:1', VirtualSize: 1, Container: '', ContainerConfig: {} }),
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

it('GET /images/json drops VirtualSize from API 1.44', async () => {
  assert.deepEqual((await call('GET', '/images/json', {}, '', '1.47').run()).body, [{ Id: 'sha256:1', Size: 5 }]);
  assert.deepEqual((await call('GET', '/images/json', {}, '', '1.41').run()).body, [{ Id: 'sha256:1', VirtualSize: 5, Size: 5 }]);
  const i = (await call('GET', '/images/{name*}/json', { name: 'a/b' }, '', '1.45').run()).body;
  assert.deepEqual(i, { Id: 'sha256:1', ContainerConfig: {} });
});

it('POST /images/create imports from - and streams the status line; pull is not implemented', async () => {
  const r = await call('POST', '/images/create', {}, 'fromSrc=-&repo=bb&tag=1&changes=CMD%20sh&changes=ENV%20A%3D1').run();
  assert.equal(r.streamed, '{"status":"sha256:abc"}\r\n');
  assert.deepEqual(calls.at(-1), ['import', { repo: 'bb', tag: '1', changes: ['CMD sh', 'ENV A=1'], message: undefined, platform: undefined }]);
  await assert.rejects(call('POST', '/images/create', {}, 'fromImage=busybox').run(), (e: Error & { kind?: string }) => e.kind === 'not-implemented');
});

it('tag answers 201; delete passes force/noprune', async () => {
  assert.equal((await call('POST', '/images/{name*}/tag', { name: 'bb' }, 'repo=me/bb&tag=2').run()).status, 201);
  assert.deepEqual(calls.at(-1), ['tag', 'bb', 'me/bb', '2']);
  const d = await call('DELETE', '/images/{name*}', { name: 'me/bb:2' }, 'force=1').run();
  assert.deepEqual(d.body, [{ Untagged: 'x:latest' }]);
  assert.deepEqual(calls.at(-1), ['remove', 'me/bb:2', { force: true, noprune: false }]);
});
