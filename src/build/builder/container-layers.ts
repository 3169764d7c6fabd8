// The image store's side of a RUN step: where a container's writable layer is, and committing its
// root filesystem snapshot as a layer. Snapshot names are the image store's business.
import { invalid } from '../../errdefs.js';
import type { ImageService } from '../../images/store.js';
import type { ContainerLayerPort } from './ports.js';

type Images = Pick<ImageService, 'rootfsMounts' | 'commitContainerRootfs'>;

export function containerLayers(images: Images): ContainerLayerPort {
  return {
    async upperDir(id) {
      const mounts = await images.rootfsMounts(id);
      const upper = mounts.flatMap((x) => x.options).find((o) => o.startsWith('upperdir='));
      if (upper) return upper.slice('upperdir='.length);
      const bind = mounts.find((x) => x.type === 'bind');
      if (bind) return bind.source;
      throw invalid(`container ${id} has no writable layer`);
    },
    // removing the container afterwards tolerates the snapshot's absence
    commitRootfs: (id, name) => images.commitContainerRootfs(id, name),
  };
}
