// /plugins on an engine with no plugins: moby's answers, statuses and texts, over a fake registry.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { internal } from '../../errdefs.js';
import { FakeFetch, testServer, type TestServer } from '../test-server.js';
import { pluginRoutes } from './plugins.js';

const head = new FakeFetch<number>(() => 404);
let srv: TestServer;

before(async () => {
  srv = await testServer(
    pluginRoutes({
      insecureRegistries: [],
      head: head.fetch,
    }),
  );
});
after(() => srv.close());

async function call(method: string, p: string, body?: string) {
  head.calls.length = 0;
  const r = await srv.call(method, `/v1.47${p}`, body);
  return { status: r.status, json: r.json };
}
const err = (status: number, message: string) => ({ status, json: { message } });
const q = (o: Record<string, string>) => new URLSearchParams(o).toString();

test('list: empty, and its filters checked as moby List (enabled, capability)', async () => {
  assert.deepEqual(await call('GET', '/plugins'), { status: 200, json: [] });
  const f = (v: string) => call('GET', `/plugins?${q({ filters: v })}`);
  assert.deepEqual(await f('{"enabled":["true"],"capability":["volumedriver"]}'), { status: 200, json: [] });
  assert.deepEqual(await f('{"name":["x"]}'), err(400, "invalid filter 'name'"));
  assert.deepEqual(await f('{"enabled":["yes"]}'), err(400, "invalid filter 'enabled=[yes]'"));
});

test('every named plugin is "not found" (404), after the route\'s own checks', async () => {
  const nf = (n: string) => err(404, `plugin "${n}" not found`);
  assert.deepEqual(await call('GET', '/plugins/vieux/sshfs:latest/json'), nf('vieux/sshfs:latest'));
  assert.deepEqual(await call('DELETE', '/plugins/x?force=1'), nf('x'));
  assert.deepEqual(await call('POST', '/plugins/x/enable?timeout=0'), nf('x'));
  assert.deepEqual(
    await call('POST', '/plugins/x/enable'),
    err(400, 'strconv.Atoi: parsing "": invalid syntax'),
    'enable parses its timeout first',
  );
  assert.deepEqual(await call('POST', '/plugins/x/disable'), nf('x'));
  assert.deepEqual(await call('POST', '/plugins/x/push'), nf('x'));
  assert.deepEqual(await call('POST', '/plugins/x/set', '["DEBUG=1"]'), nf('x'));
  assert.deepEqual(
    await call('POST', '/plugins/x/set', '{"DEBUG":"1"}'),
    err(400, 'invalid JSON: json: cannot unmarshal object into Go value of type []string'),
  );
  assert.deepEqual(await call('POST', `/plugins/x/upgrade?${q({ remote: 'x:2' })}`, '[]'), nf('x'));
  assert.deepEqual(
    await call('POST', `/plugins/x/upgrade?${q({ remote: 'X!' })}`, '[]'),
    err(400, 'invalid reference format'),
  );
  assert.deepEqual(head.calls, [], 'nothing asks a registry');
});

test('privileges: [] (what moby answers when the fetch fails), a bad reference a 400', async () => {
  assert.deepEqual(await call('GET', `/plugins/privileges?${q({ remote: 'vieux/sshfs' })}`), { status: 200, json: [] });
  assert.equal((await call('GET', `/plugins/privileges?${q({ remote: 'A/B' })}`)).status, 400);
});

test('pull offline: containerd resolver text wrapped as moby does, a 500 like Docker', async () => {
  head.answer = (url) => internal(`Head "${url}": dial tcp: lookup registry-1.docker.io: no such host`);
  const r = await call('POST', `/plugins/pull?${q({ remote: 'vieux/sshfs', name: 'vieux/sshfs' })}`, '[]');
  assert.deepEqual(
    r,
    err(
      500,
      'error resolving plugin reference: failed to do request: Head "https://registry-1.docker.io/v2/vieux/sshfs/manifests/latest": dial tcp: lookup registry-1.docker.io: no such host',
    ),
  );
});

test('pull of an unknown plugin from a loopback registry: plain HTTP, 404 "<ref>: not found"', async () => {
  head.answer = () => 404;
  const r = await call('POST', `/plugins/pull?${q({ remote: 'localhost:5000/p:1' })}`, '');
  assert.deepEqual(r, err(404, 'error resolving plugin reference: localhost:5000/p:1: not found'));
  assert.deepEqual(head.calls, ['http://localhost:5000/v2/p/manifests/1']);
});

test('pull of a plugin that exists: refused (no plugin runtime), 501; a digest in the name: 400', async () => {
  head.answer = () => 200;
  const r = await call('POST', `/plugins/pull?${q({ remote: 'localhost:5000/p' })}`, '[]');
  assert.equal(r.status, 501);
  const dig = `localhost:5000/p@sha256:${'a'.repeat(64)}`;
  assert.deepEqual(
    await call('POST', `/plugins/pull?${q({ remote: 'p', name: dig })}`, '[]'),
    err(400, 'cannot use digest in plugin tag'),
  );
  assert.deepEqual(
    await call('POST', `/plugins/pull?${q({ remote: 'p' })}`, '{"a":1}'),
    err(400, 'invalid JSON: json: cannot unmarshal object into Go value of type types.PluginPrivileges'),
  );
});

test('create: the name checked as moby (parse error, digest refused), then refused with 501', async () => {
  assert.deepEqual(
    await call('POST', `/plugins/create?${q({ name: 'Bad!' })}`, ''),
    err(400, 'failed to parse reference Bad!: invalid reference format'),
  );
  assert.deepEqual(
    await call('POST', `/plugins/create?${q({ name: `p@sha256:${'b'.repeat(64)}` })}`, ''),
    err(400, 'canonical references are not permitted'),
  );
  assert.equal((await call('POST', `/plugins/create?${q({ name: 'p' })}`, '')).status, 501);
});

test('pull by digest: resolved by the digest (tag dropped as parseRemoteRef does), installed under the tag or latest', async () => {
  head.answer = () => 404;
  const dig = `sha256:${'c'.repeat(64)}`;
  const r = await call('POST', `/plugins/pull?${q({ remote: `localhost:5000/p:2@${dig}` })}`, '[]');
  assert.deepEqual(r, err(404, `error resolving plugin reference: localhost:5000/p@${dig}: not found`));
  assert.deepEqual(head.calls, [`http://localhost:5000/v2/p/manifests/${dig}`]);
  head.answer = () => 200;
  const named = await call('POST', `/plugins/pull?${q({ remote: `localhost:5000/p:2@${dig}` })}`, '[]');
  assert.match((named.json as { message: string }).message, /cannot install localhost:5000\/p:2 from/);
  const latest = await call('POST', `/plugins/pull?${q({ remote: `localhost:5000/p@${dig}` })}`, '[]');
  assert.match((latest.json as { message: string }).message, /cannot install localhost:5000\/p:latest from/);
});
