import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notFound } from '../../errdefs.js';
import type { ImageService } from '../../images/store.js';
import { emptyContainerConfig, type ImageConfigFile } from '../../images/types.js';
import type { State } from './build-state.js';
import { LayerSteps } from './layer-steps.js';
import type { BuildOptions } from './options.js';

class Steps extends LayerSteps {}

/** base ← cached (the step's image) ← later; `other` is a child of base too, built from something else. */
function fakeImages(): ImageService {
  const cfg = (cmd: string[], labels: Record<string, string> | null = null): ImageConfigFile => ({
    architecture: 'amd64',
    os: 'linux',
    config: emptyContainerConfig(),
    container_config: { ...emptyContainerConfig(), Cmd: cmd, Labels: labels },
    rootfs: { type: 'layers', diff_ids: [] },
  });
  const images: Record<string, { parent?: string; cfg: ImageConfigFile }> = {
    base: { cfg: cfg(['base']) },
    cached: { parent: 'base', cfg: cfg(['/bin/sh', '-c', '#(nop) ', 'LABEL a=b'], { a: 'b' }) },
    later: { parent: 'cached', cfg: cfg(['later']) },
    other: { parent: 'base', cfg: cfg(['other']) },
  };
  const fake: Pick<ImageService, 'childrenOf' | 'configFile' | 'resolve'> = {
    childrenOf: (p) => Object.keys(images).filter((k) => images[k].parent === p),
    configFile: async (id) => images[id].cfg,
    resolve: async (ref) => {
      const img = images[ref];
      if (!img) throw notFound(`No such image: ${ref}`);
      return { id: ref, parent: img.parent, created: '2026-01-01T00:00:00Z', layers: [] } as unknown as Awaited<
        ReturnType<ImageService['resolve']>
      >;
    },
  };
  return fake as ImageService;
}

async function probe(cacheFrom?: string[]): Promise<string | null> {
  const o = { noCache: false, quiet: true, cacheFrom } as BuildOptions;
  const steps = new Steps(
    { images: fakeImages(), runner: { run: async () => 0, remove: async () => {} }, tmpDir: '/nonexistent' },
    o,
    { stream() {}, aux() {} },
    new AbortController().signal,
    '/nonexistent',
  );
  const st: State = {
    imageId: 'base',
    file: {
      architecture: 'amd64',
      os: 'linux',
      config: emptyContainerConfig(),
      rootfs: { type: 'layers', diff_ids: [] },
    },
    layers: [],
    args: new Map(),
    shell: ['/bin/sh', '-c'],
    cmdSet: false,
  };
  const hit = await steps.probe(st, ['/bin/sh', '-c', '#(nop) ', 'LABEL a=b'], (c) => (c.Labels = { a: 'b' }));
  return hit ? st.imageId : null;
}

test('cache: the matching child of the parent image is used', async () => {
  assert.equal(await probe(), 'cached');
  assert.equal(await probe([]), 'cached', 'an empty cache_from is no cache_from (the CLI sends [])');
});

test('cache_from (moby ImageCache): only the given images and their parents are hits', async () => {
  assert.equal(await probe(['later']), 'cached', 'a parent of a cache_from image');
  assert.equal(await probe(['cached']), 'cached', 'the image itself');
  assert.equal(await probe(['nosuchtag']), null, 'unknown names are skipped, and nothing else is a source');
  assert.equal(await probe(['other']), null, 'not in the chain of any source');
});
