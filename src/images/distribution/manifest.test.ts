import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layerCompression, parseManifest, parsePlatform, selectPlatform } from './manifest.js';

const d = (n: string) => 'sha256:' + n.repeat(64).slice(0, 64);

test('parseManifest: schema2 image manifest and manifest list', () => {
  const img = parseManifest(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: { mediaType: 'x', digest: d('a'), size: 10 },
        layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: d('b'), size: 5 }],
      }),
    ),
  );
  assert.equal(img.kind, 'image');
  assert.equal(img.kind === 'image' && img.layers[0].digest, d('b'));
  const list = parseManifest(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ digest: d('c'), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }],
      }),
    ),
    'application/vnd.oci.image.index.v1+json',
  );
  assert.equal(list.kind, 'index');
});

test('parseManifest rejects malformed and unsupported manifests', () => {
  assert.throws(() => parseManifest(Buffer.from('{')), /malformed JSON/);
  assert.throws(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 1 }))), /Schema 1 has been removed/);
  assert.throws(
    () => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'text/plain' }))),
    /unsupported manifest media type/,
  );
  assert.throws(
    () =>
      parseManifest(
        Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            config: { digest: 'sha256:zz', size: 1 },
            layers: [],
          }),
        ),
      ),
    /invalid config descriptor/,
  );
  assert.equal(layerCompression('application/vnd.oci.image.layer.v1.tar+zstd'), 'zstd');
  assert.throws(
    () => layerCompression('application/vnd.oci.image.layer.v1.tar+bzip2'),
    /unsupported media type application\/vnd.oci.image.layer.v1.tar\+bzip2/,
  );
  assert.equal(layerCompression('application/vnd.oci.image.layer.v1.tar'), 'none');
});

test("selectPlatform picks os/arch/variant and reports Docker's error", () => {
  const ms = [
    { mediaType: '', digest: d('1'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    { mediaType: '', digest: d('2'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
    { mediaType: '', digest: d('3'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
  ];
  assert.equal(selectPlatform(ms, parsePlatform('linux/amd64')).digest, d('1'));
  assert.equal(selectPlatform(ms, parsePlatform('linux/arm/v7')).digest, d('3'));
  assert.equal(selectPlatform(ms, parsePlatform('linux/x86_64')).digest, d('1'));
  assert.throws(
    () => selectPlatform(ms, parsePlatform('linux/arm64')),
    /no matching manifest for linux\/arm64 in the manifest list entries/,
  );
});
