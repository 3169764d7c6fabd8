import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageView } from '../../images/store.js';
import { emptyContainerConfig } from '../../images/types.js';
import { imageHistoryJson } from './images.js';

const T = '2026-01-01T00:00:00Z';
function view(id: string, steps: string[], o: { parent?: string; tags?: string[]; layers?: number } = {}): ImageView {
  return {
    record: {
      id,
      layers: Array.from({ length: o.layers ?? 1 }, (_, i) => ({ diffId: '', chainId: '', size: 100 + i })),
      size: 0,
      created: T,
      parent: o.parent,
    },
    config: {
      architecture: 'amd64',
      os: 'linux',
      config: emptyContainerConfig(),
      rootfs: { type: 'layers', diff_ids: [] },
      history: steps.map((s, i) => ({ created: T, created_by: s, empty_layer: i > 0 })),
    },
    tags: o.tags ?? [],
    digests: [],
  };
}

test('history: a pulled image names only itself, older entries are <missing>', () => {
  const h = imageHistoryJson(view('sha256:b', ['ADD rootfs', 'CMD sh'], { tags: ['busybox:latest'] }));
  assert.deepEqual(
    h.map((x) => [x.Id, x.Tags, x.CreatedBy, x.Size]),
    [
      ['sha256:b', ['busybox:latest'], 'CMD sh', 0],
      ['<missing>', null, 'ADD rootfs', 100],
    ],
  );
});

test("history: a classic build's steps take their step images' ids, as moby walks the parent chain", () => {
  const base = view('sha256:a', ['ADD rootfs']);
  const step1 = view('sha256:s1', ['ADD rootfs', 'ENV A=1'], { parent: 'sha256:a' });
  const top = view('sha256:s2', ['ADD rootfs', 'ENV A=1', 'CMD x'], { parent: 'sha256:s1', tags: ['app:1'] });
  const h = imageHistoryJson(top, [step1, base]);
  assert.deepEqual(
    h.map((x) => [x.Id, x.Tags]),
    [
      ['sha256:s2', ['app:1']],
      ['sha256:s1', null],
      ['sha256:a', null],
    ],
  );
});
