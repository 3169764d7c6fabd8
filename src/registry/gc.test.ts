import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { garbageCollect } from './gc.js';
import { RegistryStorage } from './storage.js';
import { sha } from './test-registry.js';
import { testDir } from '../util/test-dirs.js';

async function blob(s: RegistryStorage, repo: string, data: string): Promise<string> {
  const up = await s.startUpload(repo);
  await s.finishUpload(repo, up.uuid, sha(data), Readable.from([Buffer.from(data)]));
  return sha(data);
}

/** A fresh registry storage on a scratch directory (removed when the test process exits). */
async function storage(): Promise<RegistryStorage> {
  const s = new RegistryStorage(await testDir('berth-gc-'));
  await s.init();
  return s;
}

async function image(s: RegistryStorage, repo: string, tag: string, seed: string) {
  const config = await blob(s, repo, `{"c":"${seed}"}`);
  const layer = await blob(s, repo, `layer ${seed}`);
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: `{"c":"${seed}"}`.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: `layer ${seed}`.length }],
    }),
  );
  const { digest } = await s.putManifest(repo, body, undefined, tag);
  return { config, layer, digest };
}

test('gc marks what manifests reference and sweeps the rest; --dry-run deletes nothing', async () => {
  const s = await storage();
  const keep = await image(s, 'app', 'v1', 'keep');
  const drop = await image(s, 'app', 'v2', 'drop');
  const orphan = await blob(s, 'app', 'orphan blob');
  assert.ok(await s.deleteManifest('app', drop.digest));

  const dry = await garbageCollect(s, { dryRun: true });
  const eligible = dry.swept.map((x) => x.digest).sort();
  assert.deepEqual(eligible, [drop.config, drop.layer, drop.digest, orphan].sort());
  assert.equal((await s.content.list()).length, 7);

  const real = await garbageCollect(s);
  assert.deepEqual(real.swept.map((x) => x.digest).sort(), eligible);
  assert.deepEqual((await s.content.list()).sort(), [keep.config, keep.layer, keep.digest].sort());
  assert.deepEqual((await s.layerLinks('app')).sort(), [keep.config, keep.layer].sort());
  assert.equal((await s.getManifest('app', 'v1'))?.digest, keep.digest);
});

test('gc --delete-untagged removes manifests no tag reaches', async () => {
  const s = await storage();
  const a = await image(s, 'r', 'a', 'a');
  const b = await image(s, 'r', 'b', 'b');
  await s.deleteTag('r', 'b');
  const res = await garbageCollect(s, { deleteUntagged: true });
  assert.deepEqual(res.manifestsDeleted, [{ repo: 'r', digest: b.digest }]);
  assert.ok(await s.getManifest('r', a.digest));
  assert.equal(await s.getManifest('r', b.digest), null);
  assert.equal(await s.content.has(b.layer), false);
});
