import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MT, parseManifest } from './manifest.js';
import { checkDigest, checkName, isTag, isValidName } from './names.js';
import type { RegistryError } from './errors.js';

const D = 'sha256:' + 'a'.repeat(64);
const doc = (o: Record<string, unknown>) => Buffer.from(JSON.stringify({ schemaVersion: 2, ...o }));

test('parseManifest: config and layers, foreign layers excluded, artifactType from config', () => {
  const m = parseManifest(
    doc({
      mediaType: MT.dockerManifest,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: D, size: 1 },
      layers: [
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: D, size: 2 },
        {
          mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
          digest: D,
          size: 3,
          urls: ['http://x'],
        },
      ],
    }),
    MT.dockerManifest,
  );
  assert.equal(m.isIndex, false);
  assert.equal(m.blobs.length, 2);
  assert.equal(m.artifactType, 'application/vnd.docker.container.image.v1+json');
});

test('parseManifest: media type from the body when Content-Type is generic; refusals', () => {
  const idx = parseManifest(doc({ manifests: [{ mediaType: MT.ociManifest, digest: D, size: 5 }] }), undefined);
  assert.equal(idx.mediaType, MT.ociIndex);
  assert.equal(idx.manifests[0].digest, D);
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as RegistryError).code;
    }
    return 'ok';
  };
  assert.equal(
    code(() => parseManifest(Buffer.from('nope'), MT.ociManifest)),
    'MANIFEST_INVALID',
  );
  assert.equal(
    code(() => parseManifest(doc({ mediaType: MT.ociIndex, manifests: [] }), MT.dockerList)),
    'MANIFEST_INVALID',
  );
  assert.equal(
    code(() =>
      parseManifest(doc({ config: { mediaType: 'x', digest: 'sha256:zz', size: 1 }, layers: [] }), MT.ociManifest),
    ),
    'MANIFEST_INVALID',
  );
  assert.equal(
    code(() =>
      parseManifest(
        Buffer.from('{"schemaVersion":1,"fsLayers":[]}'),
        'application/vnd.docker.distribution.manifest.v1+prettyjws',
      ),
    ),
    'MANIFEST_INVALID',
  );
});

test('names, tags and digests', () => {
  assert.ok(isValidName('team/app'));
  assert.ok(isValidName('a.b_c__d--e/f'));
  for (const bad of ['Team/app', '/app', 'app/', 'a//b', '-a', 'a'.repeat(256), '_catalog'])
    assert.ok(!isValidName(bad), bad);
  assert.throws(
    () => checkName('UP'),
    (e: RegistryError) => e.code === 'NAME_INVALID',
  );
  assert.ok(isTag('v1.0_rc-1'));
  assert.ok(!isTag('.hidden') && !isTag('a'.repeat(129)) && !isTag('a/b'));
  assert.equal(checkDigest(D), D);
  assert.throws(
    () => checkDigest('sha512:' + 'a'.repeat(128)),
    (e: RegistryError) => e.code === 'DIGEST_INVALID' && /unsupported/.test(e.message),
  );
  assert.throws(
    () => checkDigest('sha256:ABC'),
    (e: RegistryError) => e.code === 'DIGEST_INVALID',
  );
});
