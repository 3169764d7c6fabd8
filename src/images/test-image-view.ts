// Test support: an image as the store shows it (one tag, no layers), for route and wire tests.
import type { ImageView } from './store.js';
import { emptyContainerConfig } from './types.js';

export function testImageView(size: number, tags = ['bb:latest']): ImageView {
  return {
    record: { id: 'sha256:i1', layers: [], size, created: '2024-05-01T10:00:00Z' },
    config: {
      architecture: 'amd64',
      os: 'linux',
      config: emptyContainerConfig(),
      rootfs: { type: 'layers', diff_ids: [] },
    },
    tags,
    digests: [],
  };
}
