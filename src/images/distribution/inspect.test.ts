// DistributionService.inspect (GET /distribution/{name}/json) against our registry on loopback:
// descriptors and platforms of schema2 images, OCI images, manifest lists and OCI indexes, by tag
// and digest; moby's reference checks; and distribution's error texts and statuses for what a
// registry answers (our registry's auth modes, and a fake registry for bodies ours never sends).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ImageService } from '../store.js';
import { RegistryCodeError, inspectReference } from './inspect.js';
import { MEDIA } from './registry.js';
import { DistributionService } from './service.js';

const DOCKER_MANIFEST = MEDIA.dockerManifest;
const OCI_MANIFEST = MEDIA.ociManifest;
const sha = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');

/**
 * An in-memory registry (src/registry is off limits to images/): manifests by tag and digest with
 * HEAD, blobs, distribution's JSON errors, and basic auth when `basic` is set.
 */
interface Started {
  base: string;
  stop(): Promise<void>;
}
const manifests = new Map<string, { body: Buffer; type: string }>();
const blobs = new Map<string, Buffer>();

function serveRegistry(req: http.IncomingMessage, res: http.ServerResponse, basic?: string): void {
  const reply = (status: number, h: Record<string, string | number>, body?: Buffer | string) =>
    res.writeHead(status, h).end(req.method === 'HEAD' ? undefined : body);
  const fail = (status: number, code: string, message: string, h: Record<string, string> = {}) =>
    reply(status, { 'content-type': 'application/json', ...h }, JSON.stringify({ errors: [{ code, message }] }));
  const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(req.url ?? '');
  const man = m ? manifests.get(`${m[1]}/${m[3]}`) : undefined;
  const blob = m?.[2] === 'blobs' ? blobs.get(m[3]) : undefined;
  if (basic && req.headers.authorization !== `Basic ${Buffer.from(basic).toString('base64')}`)
    fail(401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': 'Basic realm="t"' });
  else if (req.url === '/v2/') reply(200, { 'content-type': 'application/json' }, '{}');
  else if (m?.[2] === 'blobs') blob ? reply(200, {}, blob) : fail(404, 'BLOB_UNKNOWN', 'blob unknown to registry');
  else if (!man) fail(404, 'MANIFEST_UNKNOWN', 'manifest unknown');
  else {
    const h = { 'content-type': man.type, 'content-length': man.body.length, 'docker-content-digest': sha(man.body) };
    reply(200, h, man.body);
  }
}

async function start(o: { basic?: string } = {}): Promise<Started> {
  const srv = http.createServer((req, res) => serveRegistry(req, res, o.basic));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
  return { base, stop: () => new Promise<void>((r) => srv.close(() => r())) };
}

function pushBlob(_base: string, _repo: string, b: Buffer): void {
  blobs.set(sha(b), b);
}

async function pushImage(base: string, repo: string, tag: string, seed: string) {
  const config = Buffer.from(`{"seed":"${seed}"}`);
  pushBlob(base, repo, config);
  const cd = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length };
  const manifest = await put(
    base,
    repo,
    tag,
    { schemaVersion: 2, mediaType: OCI_MANIFEST, config: cd, layers: [] },
    OCI_MANIFEST,
  );
  return { manifest, digest: sha(manifest) };
}

const dir = mkdtempSync(join(tmpdir(), 'berth-dinspect-'));
const service = () => new DistributionService({} as ImageService, { metadataFile: join(dir, 'meta.json') });
const svc = service();
after(() => rmSync(dir, { recursive: true, force: true }));

async function put(_base: string, repo: string, ref: string, body: unknown, mt: string): Promise<Buffer> {
  const b = Buffer.from(JSON.stringify(body));
  manifests.set(`${repo}/${ref}`, { body: b, type: mt });
  manifests.set(`${repo}/${sha(b)}`, { body: b, type: mt });
  return b;
}

/** A schema2 image whose config names a platform; returns its manifest bytes. */
async function schema2(base: string, repo: string, tag: string, platform: Record<string, unknown>) {
  const cfg = Buffer.from(JSON.stringify({ ...platform, rootfs: { type: 'layers', diff_ids: [] } }));
  await pushBlob(base, repo, cfg);
  const config = { mediaType: MEDIA.dockerConfig, digest: sha(cfg), size: cfg.length };
  return put(base, repo, tag, { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config, layers: [] }, DOCKER_MANIFEST);
}

/** What a rejected promise carries: [status as the route replies it, message]. */
async function failure(p: Promise<unknown>): Promise<[number, string]> {
  try {
    await p;
  } catch (e) {
    const kinds: Record<string, number> = { invalid: 400, 'not-found': 404, unauthorized: 401, forbidden: 403 };
    const status = e instanceof RegistryCodeError ? e.status : (kinds[(e as { kind: string }).kind] ?? 500);
    return [status, (e as Error).message];
  }
  assert.fail('expected a failure');
}

describe('descriptors and platforms', () => {
  let s: Started;
  let host: string;
  before(async () => {
    s = await start();
    host = s.base.slice('http://'.length);
  });
  after(() => s.stop());

  test('a schema2 image: its descriptor, and the platform in its config blob (by tag and by digest)', async () => {
    const m = await schema2(s.base, 'me/app', 'v1', {
      architecture: 'arm64',
      os: 'linux',
      variant: 'v8',
      'os.features': ['f1'],
    });
    const want = {
      Descriptor: { mediaType: DOCKER_MANIFEST, digest: sha(m), size: m.length },
      Platforms: [{ architecture: 'arm64', os: 'linux', 'os.features': ['f1'], variant: 'v8' }],
    };
    assert.deepEqual(await svc.inspect(`${host}/me/app:v1`), want);
    assert.deepEqual(await svc.inspect(`${host}/me/app@${sha(m)}`), want);
    assert.deepEqual(await svc.inspect(`${host}/me/app:v1@${sha(m)}`), want, 'the digest wins over the tag');
  });

  test('no tag means latest; a config without os and architecture gives no platform (null)', async () => {
    const m = await schema2(s.base, 'me/bare', 'latest', { author: 'x' });
    assert.deepEqual(await svc.inspect(`${host}/me/bare`), {
      Descriptor: { mediaType: DOCKER_MANIFEST, digest: sha(m), size: m.length },
      Platforms: null,
    });
  });

  test('an OCI image manifest gets no platforms, as moby reads configs of schema2 only', async () => {
    const img = await pushImage(s.base, 'me/oci', 'v1', 'oci');
    assert.deepEqual(await svc.inspect(`${host}/me/oci:v1`), {
      Descriptor: { mediaType: OCI_MANIFEST, digest: img.digest, size: img.manifest.length },
      Platforms: null,
    });
  });

  test('a manifest list: the platforms of its entries, os.version kept and features dropped', async () => {
    const a = await schema2(s.base, 'me/multi', 'amd64', { architecture: 'amd64', os: 'linux' });
    const b = await schema2(s.base, 'me/multi', 'arm', { architecture: 'arm', os: 'linux', variant: 'v7' });
    const entry = (m: Buffer, platform: Record<string, unknown>) => ({
      mediaType: DOCKER_MANIFEST,
      digest: sha(m),
      size: m.length,
      platform,
    });
    const list = await put(
      s.base,
      'me/multi',
      'latest',
      {
        schemaVersion: 2,
        mediaType: MEDIA.dockerList,
        manifests: [
          entry(a, { architecture: 'amd64', os: 'linux', 'os.version': '1.0', features: ['sse4'] }),
          entry(b, { architecture: 'arm', os: 'linux', variant: 'v7' }),
        ],
      },
      MEDIA.dockerList,
    );
    assert.deepEqual(await svc.inspect(`${host}/me/multi`), {
      Descriptor: { mediaType: MEDIA.dockerList, digest: sha(list), size: list.length },
      Platforms: [
        { architecture: 'amd64', os: 'linux', 'os.version': '1.0' },
        { architecture: 'arm', os: 'linux', variant: 'v7' },
      ],
    });
  });

  test('an OCI index without a mediaType field: the index type, and empty platforms for entries without one', async () => {
    const img = await pushImage(s.base, 'me/idx', 'one', 'idx');
    const d = { mediaType: OCI_MANIFEST, digest: img.digest, size: img.manifest.length };
    const idx = await put(
      s.base,
      'me/idx',
      'latest',
      { schemaVersion: 2, manifests: [{ ...d, platform: { architecture: 's390x', os: 'linux' } }, d] },
      MEDIA.ociIndex,
    );
    assert.deepEqual(await svc.inspect(`${host}/me/idx@${sha(idx)}`), {
      Descriptor: { mediaType: MEDIA.ociIndex, digest: sha(idx), size: idx.length },
      Platforms: [
        { architecture: 's390x', os: 'linux' },
        { architecture: '', os: '' },
      ],
    });
  });

  test('an unknown tag or repository: the registry error code decides the status (404)', async () => {
    assert.deepEqual(await failure(svc.inspect(`${host}/me/app:nope`)), [404, 'manifest unknown: manifest unknown']);
    assert.deepEqual(await failure(svc.inspect(`${host}/no/such:x`)), [404, 'manifest unknown: manifest unknown']);
  });
});

describe('references, as moby parses them before asking a registry', () => {
  test('full image IDs, scratch, malformed names', async () => {
    const id = 'a'.repeat(64);
    assert.deepEqual(await failure(svc.inspect(id)), [500, 'no manifest found for full image ID']);
    assert.deepEqual(await failure(svc.inspect(`sha256:${id}`)), [500, 'no manifest found for full image ID']);
    assert.deepEqual(await failure(svc.inspect('scratch')), [400, "'scratch' is a reserved name"]);
    assert.deepEqual(await failure(svc.inspect('Foo')), [
      400,
      'invalid reference format: repository name (library/Foo) must be lowercase',
    ]);
    assert.deepEqual(await failure(svc.inspect('a/b:c:d')), [400, 'invalid reference format']);
    assert.deepEqual(inspectReference('busybox'), { domain: 'docker.io', path: 'library/busybox', tag: 'latest' });
  });

  test('an unreachable registry: Go url.Error text of the last endpoint tried (plain HTTP), 500', async () => {
    assert.deepEqual(await failure(svc.inspect('127.0.0.1:1/x')), [
      500,
      'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused',
    ]);
  });
});

describe('registry auth', () => {
  test('basic auth: no credentials fail before sending, wrong ones are 401, right ones pass', async () => {
    const s = await start({ basic: 'alice:s3cret' });
    try {
      const host = s.base.slice('http://'.length);
      await schema2(s.base, 'me/p', 'latest', { architecture: 'amd64', os: 'linux' });
      assert.deepEqual(await failure(svc.inspect(`${host}/me/p`)), [
        500,
        `Head "${s.base}/v2/me/p/manifests/latest": no basic auth credentials`,
      ]);
      assert.deepEqual(await failure(svc.inspect(`${host}/me/p`, { username: 'alice', password: 'bad' })), [
        401,
        'unauthorized: authentication required',
      ]);
      const got = await svc.inspect(`${host}/me/p`, { username: 'alice', password: 's3cret' });
      assert.deepEqual(got.Platforms, [{ architecture: 'amd64', os: 'linux' }]);
    } finally {
      await s.stop();
    }
  });
});

/** A registry that answers /v2/ with 200 and every manifest request with `answer`. */
async function fakeRegistry(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const srv = http.createServer((req, res) => (req.url === '/v2/' ? res.end('{}') : answer(req, res)));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(srv.address() as { port: number }).port}`;
  return { host, close: () => srv.close() };
}

describe("distribution's error handling of registry answers", () => {
  const cases: [string, (res: http.ServerResponse, req: http.IncomingMessage) => void, [number, string]][] = [
    [
      'a bearer insufficient_scope challenge comes first, merged with the body errors (403)',
      (res, req) => {
        if (req.url?.startsWith('/token')) return void res.end('{"token":"t"}');
        res.writeHead(401, {
          'content-type': 'application/json',
          'www-authenticate': `Bearer realm="http://${req.headers.host}/token",error="insufficient_scope"`,
        });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      },
      [403, 'errors:\ndenied: requested access to the resource is denied\nunauthorized: authentication required\n'],
    ],
    [
      'too many requests keeps its 429',
      (res) => {
        res.writeHead(429, { 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
      },
      [429, 'toomanyrequests: slow down'],
    ],
    [
      'a code distribution does not know is UNKNOWN (500)',
      (res) => {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"WHATEVER","message":"m"}]}');
      },
      [500, 'unknown: m'],
    ],
    [
      'a plain-text 404 is UNKNOWN with the body as message',
      (res) => {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('404 page not found');
      },
      [500, 'unknown: 404 page not found'],
    ],
    [
      'a 5xx is an unexpected status',
      (res) => {
        res.writeHead(502);
        res.end();
      },
      [500, 'received unexpected HTTP status: 502 Bad Gateway'],
    ],
    [
      "a manifest whose mediaType field contradicts its Content-Type (schema2's own check)",
      (res) => {
        res.writeHead(200, { 'content-type': DOCKER_MANIFEST, 'docker-content-digest': sha('y') });
        res.end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [] }));
      },
      [500, `mediaType in manifest should be '${DOCKER_MANIFEST}' not '${OCI_MANIFEST}'`],
    ],
    [
      'an unsupported manifest media type',
      (res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'docker-content-digest': sha('x') });
        res.end('{}');
      },
      [500, 'unsupported manifest media type and no default available: application/json'],
    ],
  ];
  for (const [name, answer, want] of cases) {
    test(name, async () => {
      const f = await fakeRegistry((req, res) => answer(res, req));
      try {
        assert.deepEqual(await failure(svc.inspect(`${f.host}/me/x:1`)), want);
      } finally {
        f.close();
      }
    });
  }

  test('a registry without HEAD: the GET by tag gives the digest and size', async () => {
    const m = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [] }));
    const f = await fakeRegistry((req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(405).end();
      res.writeHead(200, { 'content-type': MEDIA.ociIndex }).end(m);
    });
    try {
      assert.deepEqual(await svc.inspect(`${f.host}/me/x:1`), {
        Descriptor: { mediaType: MEDIA.ociIndex, digest: sha(m), size: m.length },
        Platforms: null,
      });
    } finally {
      f.close();
    }
  });
});
