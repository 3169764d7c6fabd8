// GET /system/df: disk usage of images, containers, volumes and the build cache (`docker system df [-v]`).
import { DF_TYPES, type DfType, type DiskUsage } from '../../engine/disk-usage.js';
import { invalid } from '../../errdefs.js';
import type { Route } from '../router.js';
import { summaryJson } from '../wire/containers.js';
import { imageSummaryJson } from '../wire/images.js';
import { buildCacheJson } from './build.js';

export function systemDfRoutes(df: Pick<DiskUsage, 'usage'>): Route[] {
  return [
    {
      method: 'GET',
      path: '/system/df',
      handler: async (ctx) => {
        const types = ctx.query.getAll('type');
        for (const t of types) if (!DF_TYPES.includes(t as DfType)) throw invalid(`unknown object type: ${t}`);
        const u = await df.usage(types as DfType[]);
        const out: Record<string, unknown> = {};
        if (u.images) {
          out.LayersSize = u.layersSize;
          out.Images = u.images.map(imageSummaryJson);
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
