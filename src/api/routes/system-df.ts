// GET /system/df: disk usage of images, containers, volumes and the build cache (`docker system df [-v]`).
import { invalid } from '../../errdefs.js';
import type { Route } from '../router.js';

export interface DfSources {
  images: () => Promise<object[]>;
  layersSize: () => Promise<number>;
  containers: () => Promise<object[]>;
  volumes: () => Promise<object[]>;
  /** BuildCache records (the builder's RUN --mount=type=cache directories). */
  buildCache?: () => Promise<object[]>;
}

const TYPES = ['container', 'image', 'volume', 'build-cache'];

export function systemDfRoutes(s: DfSources): Route[] {
  return [
    {
      method: 'GET',
      path: '/system/df',
      handler: async (ctx) => {
        const types = ctx.query.getAll('type');
        for (const t of types) if (!TYPES.includes(t)) throw invalid(`unknown object type: ${t}`);
        const want = (t: string) => types.length === 0 || types.includes(t);
        const out: Record<string, unknown> = {};
        if (want('image')) {
          out.LayersSize = await s.layersSize();
          out.Images = await s.images();
        }
        if (want('container')) out.Containers = await s.containers();
        if (want('volume')) out.Volumes = await s.volumes();
        if (want('build-cache')) out.BuildCache = s.buildCache ? await s.buildCache() : [];
        ctx.reply.json(200, out);
      },
    },
  ];
}
