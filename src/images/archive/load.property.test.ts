// Property tests for `docker load`: archives with random manifest.json / index.json / config
// documents (any JSON types), real and junk layers, links and missing files load or are refused
// with an `invalid` EngineError, never a TypeError (a 500), and a refused load keeps no blob.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { EngineError } from '../../errdefs.js';
import { makeTar } from '../../storage/layers/testtar.js';
import { OverlaySnapshotter } from '../../storage/snapshot/overlay.js';
import { onlyRejects, params } from '../../util/prop-check.js';
import { testDir } from '../../util/test-dirs.js';
import { ImageService } from '../store.js';
import { loadImages } from './load.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** A JSON value that is sometimes what the loader expects and often not. */
function doc(layerHex: string, cfgHex: string, layer: Buffer): fc.Arbitrary<unknown> {
  const str = fc.constantFrom(
    'layer.tar',
    `${cfgHex}.json`,
    `blobs/sha256/${layerHex}`,
    `blobs/sha256/${cfgHex}`,
    'missing',
    '../x',
    '',
    `sha256:${layerHex}`,
    `sha256:${cfgHex}`,
    'busybox:1',
    'UPPER:x',
    'a@b',
  );
  const leaf = fc.oneof(str, fc.integer(), fc.boolean(), fc.constant(null), fc.constant({}), fc.constant([]));
  const list = <T>(a: fc.Arbitrary<T>) => fc.oneof(fc.array(a, { maxLength: 2 }), leaf);
  const manifest = fc.oneof(
    fc.array(
      fc.record(
        { Config: fc.oneof(str, leaf), Layers: list(fc.oneof(str, leaf)), RepoTags: list(fc.oneof(str, leaf)) },
        { requiredKeys: [] },
      ),
      { maxLength: 2 },
    ),
    leaf,
  );
  const index = fc.record(
    {
      manifests: list(
        fc.record(
          {
            digest: fc.oneof(fc.constant(`sha256:${cfgHex}`), leaf),
            annotations: fc.oneof(leaf, fc.record({ 'io.containerd.image.name': fc.oneof(str, leaf) })),
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  );
  const config = fc.oneof(
    fc.record(
      {
        rootfs: fc.oneof(
          leaf,
          fc.record({
            type: fc.constant('layers'),
            diff_ids: list(fc.oneof(fc.constant(`sha256:${sha(layer)}`), leaf)),
          }),
        ),
      },
      { requiredKeys: [] },
    ),
    leaf,
  );
  return fc.record({ manifest, index, config, which: fc.constantFrom('manifest', 'index', 'both', 'none') });
}

describe('docker load of generated archives', {
  skip: process.getuid?.() === 0 ? false : 'needs root (overlay snapshots)',
}, () => {
  let svc: ImageService;
  let layer: Buffer;
  before(async () => {
    const tmp = await testDir('berth-prop-load-');
    svc = new ImageService(join(tmp, 'data'), new OverlaySnapshotter(join(tmp, 'data')));
    await svc.init();
    layer = await makeTar([{ name: 'etc/hello', body: 'hi' }]);
  });
  after(async () => {
    for (const d of await svc.content.list()) await svc.content.delete(d).catch(() => {});
  });

  test('any archive loads or is an invalid EngineError, and a refused one keeps no new blob', async () => {
    const layerHex = sha(layer);
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => doc(layerHex, 'c'.repeat(64), layer)),
        fc.array(fc.constantFrom('layer.tar', 'junk', 'link', 'blob'), { maxLength: 3 }),
        async (d0, extras) => {
          const d = d0 as { manifest: unknown; index: unknown; config: unknown; which: string };
          const cfg = JSON.stringify(d.config) ?? 'null';
          const cfgHex = sha(cfg);
          const text = (v: unknown) => (JSON.stringify(v) ?? 'null').replaceAll('c'.repeat(64), cfgHex);
          const entries = [
            { name: `${cfgHex}.json`, body: cfg },
            { name: `blobs/sha256/${cfgHex}`, body: cfg },
          ];
          if (d.which === 'manifest' || d.which === 'both')
            entries.push({ name: 'manifest.json', body: text(d.manifest) });
          if (d.which === 'index' || d.which === 'both') entries.push({ name: 'index.json', body: text(d.index) });
          const tar = await makeTar([
            ...entries,
            ...extras.map((e) =>
              e === 'layer.tar'
                ? { name: 'layer.tar', body: layer.toString('latin1') }
                : e === 'blob'
                  ? { name: `blobs/sha256/${layerHex}`, body: layer.toString('latin1') }
                  : e === 'link'
                    ? { name: 'l/layer.tar', type: 'symlink' as const, linkname: '../layer.tar' }
                    : { name: 'd/junk', body: 'not a tar' },
            ),
          ]);
          const before = new Set(await svc.content.list());
          const ok = await onlyRejects(() => loadImages(svc, Readable.from([tar])), EngineError);
          if (ok === undefined)
            for (const b of await svc.content.list()) assert.ok(before.has(b), `a refused load left ${b}`);
        },
      ),
      params(150),
    );
  });

  test('regression: malformed index.json / manifest.json / config shapes are invalid archives, not TypeErrors', async () => {
    const cases: [string, string][] = [
      ['index.json', '{"manifests":5}'],
      ['index.json', '{"manifests":[{"digest":7}]}'],
      ['manifest.json', '[{"Config":"c.json","Layers":[],"RepoTags":5}]'],
      ['manifest.json', '[{"Config":"c.json","Layers":[],"RepoTags":[5]}]'],
      ['manifest.json', '[{"Config":"n.json","Layers":[]}]'],
    ];
    for (const [name, body] of cases) {
      const tar = await makeTar([
        { name, body },
        { name: 'c.json', body: '{"rootfs":{"type":"layers","diff_ids":[]}}' },
        { name: 'n.json', body: 'null' },
      ]);
      await assert.rejects(
        loadImages(svc, Readable.from([tar])),
        (e: unknown) => e instanceof EngineError && e.kind === 'invalid',
        `${name}: ${body}`,
      );
    }
  });
});
