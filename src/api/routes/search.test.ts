// GET /images/search over a fake network: moby's validation order and texts, the v1 endpoint
// discovery (HTTPS, then HTTP for insecure indexes) and the result filters.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { internal } from '../../errdefs.js';
import { FakeFetch, testServer, type TestServer } from '../test-server.js';
import { searchRoutes, splitSearchTerm, type SearchResponse } from './search.js';

const index = new FakeFetch<SearchResponse>(() => internal('offline'));
let srv: TestServer;

const ok = (results: unknown[]): SearchResponse => ({
  status: 200,
  headers: {},
  body: Buffer.from(JSON.stringify({ num_results: results.length, query: 'x', results })),
});
const hub = [
  { name: 'busybox', description: 'b', star_count: 3000, is_official: true, is_automated: true },
  { name: 'me/busybox', description: 'm', star_count: 2, is_official: false, is_automated: false },
];

before(async () => {
  srv = await testServer(
    searchRoutes({
      insecureRegistries: ['10.9.0.0/16'],
      get: index.fetch,
    }),
  );
});
after(() => srv.close());

async function search(query: string) {
  index.calls.length = 0;
  const r = await srv.call('GET', `/v1.47/images/search?${query}`);
  return { status: r.status, json: r.json as { message?: string } | unknown[] };
}
const message = (r: { json: unknown }) => (r.json as { message: string }).message;

test('search terms split into index and remote name as moby splitReposSearchTerm', () => {
  assert.deepEqual(splitSearchTerm('busybox'), ['docker.io', 'busybox']);
  assert.deepEqual(splitSearchTerm('me/busybox'), ['docker.io', 'me/busybox']);
  assert.deepEqual(splitSearchTerm('localhost/foo'), ['localhost', 'foo']);
  assert.deepEqual(splitSearchTerm('reg.example:5000/a/b'), ['reg.example:5000', 'a/b']);
  assert.deepEqual(splitSearchTerm('index.docker.io/foo'), ['docker.io', 'foo']);
});

test('Docker Hub unreachable: the network error as a 500, after asking index.docker.io with n=25', async () => {
  const err = 'Get "https://index.docker.io/v1/search?q=busybox&n=25": dial tcp: lookup index.docker.io: no such host';
  index.answer = () => internal(err);
  const r = await search('term=busybox');
  assert.equal(r.status, 500);
  assert.equal(message(r), err);
  assert.deepEqual(index.calls, ['https://index.docker.io/v1/search?q=busybox&n=25']);
});

test('Docker Hub results: library/ trimmed from the term, filters applied, is_automated forced false', async () => {
  index.answer = () => ok(hub);
  const all = await search('term=library/busybox&limit=5');
  assert.deepEqual(index.calls, ['https://index.docker.io/v1/search?q=busybox&n=5']);
  assert.equal((all.json as unknown[]).length, 2);
  assert.ok((all.json as { is_automated: boolean }[]).every((x) => x.is_automated === false));
  const off = await search(`term=busybox&filters=${encodeURIComponent('{"is-official":{"true":true}}')}`);
  assert.deepEqual(
    (off.json as { name: string }[]).map((x) => x.name),
    ['busybox'],
  );
  const stars = await search(`term=busybox&filters=${encodeURIComponent('{"stars":["1","10"]}')}`);
  assert.deepEqual(
    (stars.json as { name: string }[]).map((x) => x.name),
    ['busybox'],
  );
  const automated = await search(`term=busybox&filters=${encodeURIComponent('{"is-automated":["true"]}')}`);
  assert.deepEqual(automated, { status: 200, json: [] });
  assert.deepEqual(index.calls, [], 'is-automated=true answers without asking the index');
});

test('bad limit and filters: moby 400s before any network call', async () => {
  index.answer = () => ok(hub);
  const cases: [string, string][] = [
    ['term=x&limit=abc', 'invalid limit specified: strconv.Atoi: parsing "abc": invalid syntax'],
    ['term=x&limit=0.5', 'invalid limit specified: strconv.Atoi: parsing "0.5": invalid syntax'],
    ['term=x&limit=101', 'limit 101 is outside the range of [1, 100]'],
    ['term=x&limit=-1', 'limit -1 is outside the range of [1, 100]'],
    [`term=x&filters=${encodeURIComponent('{"name":["x"]}')}`, "invalid filter 'name'"],
    [`term=x&filters=${encodeURIComponent('{"is-official":["maybe"]}')}`, "invalid filter 'is-official=[maybe]'"],
    [
      `term=x&filters=${encodeURIComponent('{"stars":["many"]}')}`,
      `invalid filter 'stars=many': strconv.Atoi: parsing "many": invalid syntax`,
    ],
    ['term=https://x/y', 'invalid repository name: repository name (https://x/y) should not have a scheme'],
  ];
  for (const [q, want] of cases) {
    const r = await search(q);
    assert.equal(r.status, 400, q);
    assert.equal(message(r), want, q);
    assert.deepEqual(index.calls, [], q);
  }
});

test('a loopback registry without /v1: pinged over HTTPS then HTTP, its 404 is "Unexpected status code 404"', async () => {
  index.answer = (url) =>
    url.startsWith('https:')
      ? internal(`Get "${url}": http: server gave HTTP response to HTTPS client`)
      : { status: 404, headers: {}, body: Buffer.from('404 page not found\n') };
  const r = await search('term=localhost:5000/foo');
  assert.deepEqual(r, { status: 500, json: { message: 'Unexpected status code 404' } });
  assert.deepEqual(index.calls, [
    'https://localhost:5000/v1/_ping',
    'http://localhost:5000/v1/_ping',
    'http://localhost:5000/v1/search?q=foo&n=25',
  ]);
});

test('unreachable registries: Docker 400s for a secure one (no HTTP fallback) and an insecure one', async () => {
  index.answer = (url) => internal(`Get "${url}": dial tcp 10.9.1.1:5000: connect: connection refused`);
  const ins = await search('term=10.9.1.1:5000/foo');
  assert.equal(ins.status, 400);
  assert.equal(
    message(ins),
    'invalid registry endpoint "http://10.9.1.1:5000/v1/". HTTPS attempt: Get "https://10.9.1.1:5000/v1/_ping": dial tcp 10.9.1.1:5000: connect: connection refused. HTTP attempt: Get "http://10.9.1.1:5000/v1/_ping": dial tcp 10.9.1.1:5000: connect: connection refused',
  );
  const sec = await search('term=reg.example:5000/foo');
  assert.equal(sec.status, 400);
  assert.match(
    message(sec),
    /^invalid registry endpoint https:\/\/reg\.example:5000\/v1\/: Get "https:\/\/reg\.example:5000\/v1\/_ping": .*please add `--insecure-registry reg\.example:5000` to the daemon's arguments\..*\/etc\/docker\/certs\.d\/reg\.example:5000\/ca\.crt$/,
  );
  assert.deepEqual(index.calls, ['https://reg.example:5000/v1/_ping']);
});

test('an index answering garbage: moby decode error, 500', async () => {
  index.answer = () => ({ status: 200, headers: {}, body: Buffer.from('<html>') });
  const r = await search('term=busybox');
  assert.equal(r.status, 500);
  assert.match(message(r), /^error decoding registry search results: /);
});
