// GET /distribution/{name}/json against real registries on the harness loopback: an image pushed by
// the docker CLI to Debian's docker-registry (raw HTTP, dockerode, docker-py), manifest lists on
// Debian's registry and on ours, basic auth through X-Registry-Auth, and moby's error answers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { start as startOurRegistry, type Started } from '../../../src/registry/test-registry.js';
import { daemonUnavailable, startDaemon, type Daemon, dockerOk } from '../../harness/daemon.js';
import { DOCKER_REGISTRY, startDockerRegistry, type TestRegistry } from '../../harness/registry.js';

const skip = daemonUnavailable() ?? (existsSync(DOCKER_REGISTRY) ? null : 'docker-registry is not installed');
const tmp = mkdtempSync(join(tmpdir(), 'berth-distinfo-'));
const regs: TestRegistry[] = [];
let ours: Started | undefined;
let d: Daemon;

before(async () => {
  if (!skip) d = await startDaemon();
});
after(async () => {
  for (const r of regs) r.stop();
  await ours?.stop();
  rmSync(tmp, { recursive: true, force: true });
  if (d) assert.deepEqual((await d.stop()).leaks, []);
});

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const sha = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');

async function registry(htpasswd?: string): Promise<string> {
  const r = await startDockerRegistry(tmp, { htpasswd });
  regs.push(r);
  return r.addr;
}

/** GET on berthd's socket with optional X-Registry-Auth; JSON body. */
function api(path: string, auth?: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = auth
    ? { 'X-Registry-Auth': Buffer.from(JSON.stringify(auth)).toString('base64url') }
    : {};
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: d.socket, path: `/v1.47${path}`, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(parts).toString()) }));
    });
    req.on('error', reject);
  });
}

const ok = (args: string[]) => dockerOk(d, args);

/** Push a schema2 image of one platform (config and manifest only) and a manifest list of them, over HTTP. */
async function pushList(base: string, repo: string, headers: Record<string, string> = {}) {
  const entries = [];
  for (const p of [
    { architecture: 'amd64', os: 'linux' },
    { architecture: 'arm64', os: 'linux', variant: 'v8' },
  ]) {
    const cfg = Buffer.from(JSON.stringify({ ...p, rootfs: { type: 'layers', diff_ids: [] }, config: {} }));
    await putBlob(base, repo, cfg, headers);
    const config = { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha(cfg), size: cfg.length };
    const m = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config, layers: [] }));
    await putManifest(base, repo, sha(m), m, DOCKER_MANIFEST, headers);
    entries.push({ mediaType: DOCKER_MANIFEST, digest: sha(m), size: m.length, platform: p });
  }
  const list = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_LIST, manifests: entries }));
  await putManifest(base, repo, 'multi', list, DOCKER_LIST, headers);
  return list;
}

/** An upload session, then the whole blob in its PUT (Debian's registry has no monolithic POST). */
async function putBlob(base: string, repo: string, b: Buffer, h: Record<string, string>) {
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: h });
  assert.equal(start.status, 202, await start.text());
  const loc = new URL(start.headers.get('location') ?? '', base);
  loc.searchParams.set('digest', sha(b));
  const r = await fetch(loc, {
    method: 'PUT',
    body: new Uint8Array(b),
    headers: { ...h, 'content-type': 'application/octet-stream' },
  });
  assert.equal(r.status, 201, await r.text());
}

async function putManifest(base: string, repo: string, ref: string, b: Buffer, mt: string, h: Record<string, string>) {
  const r = await fetch(`${base}/v2/${repo}/manifests/${ref}`, {
    method: 'PUT',
    body: new Uint8Array(b),
    headers: { ...h, 'content-type': mt },
  });
  assert.equal(r.status, 201, await r.text());
}

const LIST_PLATFORMS = [
  { architecture: 'amd64', os: 'linux' },
  { architecture: 'arm64', os: 'linux', variant: 'v8' },
];

test('an image pushed by the CLI: raw HTTP, dockerode and docker-py see its digest and platform', {
  skip: skip ?? false,
}, async () => {
  const R = await registry();
  await ok(['tag', 'busybox', `${R}/me/bb:1`]);
  const out = await ok(['push', `${R}/me/bb:1`]);
  const digest = /digest: (sha256:[0-9a-f]{64}) size: (\d+)/.exec(out);
  assert.ok(digest, out);
  const arch = await ok(['image', 'inspect', '--format', '{{.Architecture}}', 'busybox']);
  const want = {
    Descriptor: { mediaType: DOCKER_MANIFEST, digest: digest[1], size: Number(digest[2]) },
    Platforms: [{ architecture: arch, os: 'linux' }],
  };
  assert.deepEqual(await api(`/distribution/${R}/me/bb:1/json`), { status: 200, json: want });
  assert.deepEqual(await api(`/distribution/${R}/me/bb@${digest[1]}/json`), { status: 200, json: want });
  assert.deepEqual(await d.dockerode.getImage(`${R}/me/bb:1`).distribution(), want);
  // docker-py's test_inspect_distribution, against our registry instead of Docker Hub
  const py = spawnSync(
    'python3',
    [
      '-c',
      'import docker,json,sys; c=docker.APIClient(base_url=sys.argv[1]); print(json.dumps(c.inspect_distribution(sys.argv[2])))',
      `unix://${d.socket}`,
      `${R}/me/bb:1`,
    ],
    { encoding: 'utf8' },
  );
  if (!/No module named/.test(py.stderr ?? '')) {
    assert.equal(py.status, 0, py.stderr);
    assert.deepEqual(JSON.parse(py.stdout), want);
  }
});

test("manifest lists on Debian's registry and on ours: the list descriptor and its platforms", {
  skip: skip ?? false,
}, async () => {
  ours = await startOurRegistry();
  for (const host of [await registry(), ours.base.slice('http://'.length)]) {
    const list = await pushList(`http://${host}`, 'me/multi');
    assert.deepEqual(await api(`/distribution/${host}/me/multi:multi/json`), {
      status: 200,
      json: { Descriptor: { mediaType: DOCKER_LIST, digest: sha(list), size: list.length }, Platforms: LIST_PLATFORMS },
    });
  }
});

test('unknown tags and repositories, references moby refuses', { skip: skip ?? false }, async () => {
  const R = await registry();
  await pushList(`http://${R}`, 'me/x');
  assert.deepEqual(await api(`/distribution/${R}/me/x:nope/json`), {
    status: 404,
    json: { message: 'manifest unknown: manifest unknown' },
  });
  // distribution 2.8 answers a tag of an unknown repository with MANIFEST_UNKNOWN too
  assert.deepEqual(await api(`/distribution/${R}/no/such:1/json`), {
    status: 404,
    json: { message: 'manifest unknown: manifest unknown' },
  });
  assert.deepEqual(await api('/distribution/scratch/json'), {
    status: 400,
    json: { message: "'scratch' is a reserved name" },
  });
  assert.deepEqual(await api(`/distribution/${'b'.repeat(64)}/json`), {
    status: 500,
    json: { message: 'no manifest found for full image ID' },
  });
  assert.deepEqual(await api('/distribution/me/Foo/json'), {
    status: 400,
    json: { message: 'invalid reference format: repository name (me/Foo) must be lowercase' },
  });
});

test('basic auth: X-Registry-Auth credentials, none, and wrong ones', { skip: skip ?? false }, async () => {
  const R = await registry(`alice:${bcrypt.hashSync('s3cret', 5).replace('$2b$', '$2y$')}`);
  const basic = { Authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}` };
  const list = await pushList(`http://${R}`, 'me/private', basic);
  const path = `/distribution/${R}/me/private:multi/json`;
  assert.deepEqual(await api(path, { username: 'alice', password: 's3cret', serveraddress: R }), {
    status: 200,
    json: { Descriptor: { mediaType: DOCKER_LIST, digest: sha(list), size: list.length }, Platforms: LIST_PLATFORMS },
  });
  assert.deepEqual(await api(path), {
    status: 500,
    json: { message: `Head "http://${R}/v2/me/private/manifests/multi": no basic auth credentials` },
  });
  const wrong = await api(path, { username: 'alice', password: 'nope' });
  assert.deepEqual(wrong, { status: 401, json: { message: 'unauthorized: authentication required' } });
});
