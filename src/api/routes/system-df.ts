// GET /system/df: disk usage of images, containers, volumes and the build cache (`docker system df [-v]`).
// Shaped as moby's getDiskUsage (API < 1.52 form): every size in content bytes.
import { DF_TYPES, type DfType, type DiskUsage } from '../../engine/disk-usage.js';
import { invalid } from '../../errdefs.js';
import type { Route } from '../router.js';
import { versionAtLeast } from '../server.js';
import { summaryJson } from '../wire/containers.js';
import { imageSummaryJson } from '../wire/images.js';
import { buildCacheJson } from './build.js';

export function systemDfRoutes(df: Pick<DiskUsage, 'usage'>): Route[] {
  return [
    {
      method: 'GET',
      path: '/system/df',
      handler: async (ctx) => {
        // moby: `type=` is read from API 1.42 on; older clients always get every kind
        const types = versionAtLeast(ctx.apiVersion, '1.42') ? ctx.query.getAll('type') : [];
        for (const t of types) if (!DF_TYPES.includes(t as DfType)) throw invalid(`unknown object type: ${t}`);
        const u = await df.usage(types as DfType[]);
        const out: Record<string, unknown> = {};
        if (u.images) {
          out.LayersSize = u.layersSize;
          const images = u.images.map(imageSummaryJson);
          // moby sets VirtualSize (= Size) only for clients below 1.44
          if (versionAtLeast(ctx.apiVersion, '1.44')) for (const i of images) delete i.VirtualSize;
          out.Images = images;
        }
        if (u.containers)
          out.Containers = u.containers.map(({ rec, size }) => summaryJson(rec, { imageRef: rec.config.Image, size }));
        if (u.volumes) out.Volumes = u.volumes;
        if (u.buildCache) out.BuildCache = u.buildCache.map(buildCacheJson);
        ctx.reply.json(200, out);
      },
    },
  ];
}
