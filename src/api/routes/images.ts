// /images/* routes: thin HTTP adapters over ImageService (errors are thrown, server maps them).
import { invalid, notImplemented } from '../../errdefs.js';
import type { ImageService } from '../../images/store.js';
import { platformQuery } from '../../util/platform.js';
import { type Ctx, qbool, qfilters, type Handler, type Route } from '../router.js';
import { versionAtLeast } from '../server.js';
import {
  deleteItemsJson,
  imageHistoryJson,
  imageInspectJson,
  imagePruneJson,
  imageSummaryJson,
} from '../wire/images.js';

type InUse = (imageId: string) => { id: string; running: boolean }[];

/** `create` answers fromImage (pull) and URL imports (images-distribution.ts). */
export function imageRoutes(images: ImageService, inUse: InUse, create?: Handler): Route[] {
  return [
    { method: 'GET', path: '/images/json', handler: (ctx) => listImages(ctx, images) },
    {
      method: 'POST',
      path: '/images/create',
      handler: async (ctx) => {
        const q = ctx.query;
        // moby parses platform= first, for pull and import alike: a bad one is its 400
        platformQuery(q.get('platform'), ctx.apiVersion);
        const src = q.get('fromSrc');
        if (create && (q.get('fromImage') || /^https?:\/\//.test(src ?? ''))) return create(ctx);
        if (q.get('fromImage'))
          throw notImplemented('pulling images is not implemented yet; use docker import or docker load');
        if (src === null || src === '') throw invalid('fromImage or fromSrc is required');
        if (src !== '-')
          throw notImplemented('importing from a URL is not supported; pipe the archive: docker import - < file.tar');
        const { id } = await images.import(ctx.body, {
          repo: q.get('repo') ?? undefined,
          tag: q.get('tag') ?? undefined,
          changes: q.getAll('changes'),
          message: q.get('message') ?? undefined,
          platform: q.get('platform') || undefined,
        });
        const out = ctx.reply.stream(200, 'application/json');
        out.end(JSON.stringify({ status: id }) + '\r\n');
      },
    },
    {
      method: 'POST',
      path: '/images/prune',
      handler: async (ctx) => {
        const f = qfilters(ctx.query);
        ctx.reply.json(200, imagePruneJson(await images.prune({ filters: f }, inUse)));
      },
    },
    {
      method: 'GET',
      path: '/images/{name*}/json',
      handler: async (ctx) => {
        const v = await images.view(ctx.params.name);
        const i = imageInspectJson(v, v.graphData) as unknown as Record<string, unknown>;
        if (versionAtLeast(ctx.apiVersion, '1.44')) delete i.VirtualSize;
        else if (!i.Created) i.Created = '0001-01-01T00:00:00Z'; // moby#47368: older clients want a time
        if (versionAtLeast(ctx.apiVersion, '1.45')) {
          // Docker drops these from 1.45; Container is kept when set (commit) since users read it.
          // ContainerConfig stays: docker-compose 1.29 negotiates the newest version and reads it on recreate.
          if (!i.Container) delete i.Container;
        }
        ctx.reply.json(200, i);
      },
    },
    {
      method: 'GET',
      path: '/images/{name*}/history',
      handler: async (ctx) => {
        const v = await images.view(ctx.params.name);
        // the local parent chain names the steps of a classic build (one entry each, as moby walks it)
        const parents = [];
        const steps = v.config.history?.length ?? 0;
        for (let p = v.record.parent; p && parents.length < steps; ) {
          const pv = await images.view(p).catch(() => null);
          if (!pv) break;
          parents.push(pv);
          p = pv.record.parent;
        }
        ctx.reply.json(200, imageHistoryJson(v, parents));
      },
    },
    {
      method: 'POST',
      path: '/images/{name*}/tag',
      handler: async (ctx) => {
        const repo = ctx.query.get('repo');
        if (!repo) throw invalid('repository name must have at least one component');
        await images.tag(ctx.params.name, repo, ctx.query.get('tag') || undefined);
        ctx.reply.empty(201);
      },
    },
    {
      method: 'DELETE',
      path: '/images/{name*}',
      handler: async (ctx) => {
        const items = await images.remove(
          ctx.params.name,
          { force: qbool(ctx.query, 'force'), noprune: qbool(ctx.query, 'noprune') },
          inUse,
        );
        ctx.reply.json(200, deleteItemsJson(items));
      },
    },
  ];
}

/** GET /images/json with moby's gates: legacy filter= before 1.41, <none> placeholders before 1.43, VirtualSize before 1.44. */
async function listImages(ctx: Ctx, images: ImageService): Promise<void> {
  const filters = qfilters(ctx.query);
  const legacy = ctx.query.get('filter'); // before 1.41: a reference glob
  if (legacy && !versionAtLeast(ctx.apiVersion, '1.41'))
    filters.set('reference', [...(filters.get('reference') ?? []), legacy]);
  const list = (await images.views({ all: qbool(ctx.query, 'all'), filters })).map(imageSummaryJson);
  if (versionAtLeast(ctx.apiVersion, '1.44')) for (const s of list) delete s.VirtualSize;
  // before 1.43 an image with neither tag nor digest shows moby's placeholders
  if (!versionAtLeast(ctx.apiVersion, '1.43'))
    for (const s of list)
      if (!s.RepoTags?.length && !s.RepoDigests?.length) {
        s.RepoTags = ['<none>:<none>'];
        s.RepoDigests = ['<none>@<none>'];
      }
  ctx.reply.json(200, list);
}
