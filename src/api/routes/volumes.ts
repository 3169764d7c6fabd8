// /volumes/* routes: thin HTTP adapters over VolumeService (errors are thrown, server maps them).
import { PRUNE_FILTERS, VOLUME_FILTERS, type CreateVolumeRequest, type VolumeService } from '../../volumes/service.js';
import { parseFilters } from '../filters.js';
import { qbool, type Route } from '../router.js';
import { versionAtLeast } from '../server.js';

export interface VolumeRouteDeps {
  volumes: VolumeService;
}

export function volumeRoutes(d: VolumeRouteDeps): Route[] {
  const v = d.volumes;
  return [
    {
      method: 'GET',
      path: '/volumes',
      handler: (ctx) => {
        const f = parseFilters(ctx.query.get('filters'), VOLUME_FILTERS);
        ctx.reply.json(200, { Volumes: v.list(f), Warnings: null });
      },
    },
    {
      method: 'POST',
      path: '/volumes/create',
      handler: async (ctx) => {
        // shape and types were checked at the edge (api/schema): an object or nothing
        const req = (await ctx.json<CreateVolumeRequest>()) ?? {};
        const vol = await v.create(req);
        ctx.reply.json(201, vol);
      },
    },
    {
      method: 'POST',
      path: '/volumes/prune',
      handler: async (ctx) => {
        const f = parseFilters(ctx.query.get('filters'), PRUNE_FILTERS);
        // API < 1.42 pruned every unused volume; newer APIs only anonymous ones unless all=true
        const r = await v.prune(f, !versionAtLeast(ctx.apiVersion, '1.42'));
        ctx.reply.json(200, {
          VolumesDeleted: r.VolumesDeleted.length ? r.VolumesDeleted : null,
          SpaceReclaimed: r.SpaceReclaimed,
        });
      },
    },
    {
      method: 'GET',
      path: '/volumes/{name}',
      handler: (ctx) => {
        ctx.reply.json(200, v.get(ctx.params.name!));
      },
    },
    {
      method: 'DELETE',
      path: '/volumes/{name}',
      handler: async (ctx) => {
        const name = ctx.params.name!;
        await v.remove(name, { force: qbool(ctx.query, 'force') });
        ctx.reply.empty(204);
      },
    },
  ];
}
