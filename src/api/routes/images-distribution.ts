// Routes for moving images in and out: pull (POST /images/create?fromImage=), push, save (GET
// /images/get, /images/{name}/get), load, commit, /auth, container export and changes.
// Thin adapters: services do the work; errors before the first byte get a plain HTTP status,
// later ones go in-band as Docker's errorDetail line.
import type { Writable } from 'node:stream';
import { invalid, isKind } from '../../errdefs.js';
import { containerChanges, overlayDirs, type Change } from '../../images/archive/container-changes.js';
import { commitContainer } from '../../images/archive/commit.js';
import { exportRootfs } from '../../images/archive/export.js';
import { loadImages } from '../../images/archive/load.js';
import { saveImages } from '../../images/archive/save.js';
import type { ProgressMessage } from '../../images/copy.js';
import { decodeAuthHeader, type AuthConfig } from '../../images/distribution/auth.js';
import { send } from '../../images/distribution/registry.js';
import type { DistributionService } from '../../images/distribution/service.js';
import { familiarName, familiarString, parseReference, withDefaultTag } from '../../images/reference/reference.js';
import type { ImageService } from '../../images/store.js';
import type { ContainerConfig } from '../../images/types.js';
import type { Mount } from '../../storage/snapshot/snapshotter.js';
import { platformQuery } from '../../util/platform.js';
import { qbool, type Ctx, type Handler, type Route } from '../router.js';
import { JsonProgressWriter, progressBar } from '../stream/json-progress.js';
import { pipeOut } from '../stream/pipe-out.js';

export interface CommitTarget {
  id: string;
  image: string;
  config: ContainerConfig;
  status: string;
}

/** What these routes need from the container engine. */
export interface ContainerFsPort {
  find(ref: string): CommitTarget;
  mounts(id: string): Promise<Mount[]>;
  /** Run fn with the merged rootfs mounted (stays mounted until fn's promise settles). */
  withRootfs<T>(id: string, fn: (root: string) => Promise<T>): Promise<T>;
  pause(id: string): Promise<void>;
  unpause(id: string): Promise<void>;
  /** A container event (commit, export) with the container's name, image and labels added. */
  event?(id: string, action: string, attributes?: Record<string, string>): void;
}

export interface DistributionRouteDeps {
  images: ImageService;
  distribution: DistributionService;
  containers: ContainerFsPort;
}

/** A progress stream whose HTTP headers go out with the first message (so early errors keep their status). */
function lazyProgress(ctx: Ctx): {
  emit: (m: ProgressMessage) => void;
  writer: () => JsonProgressWriter | null;
  open: () => JsonProgressWriter;
  end: () => void;
} {
  let out: Writable | null = null;
  let w: JsonProgressWriter | null = null;
  const open = () => {
    if (!w) {
      out = ctx.reply.stream(200, 'application/json');
      w = new JsonProgressWriter(out);
    }
    return w;
  };
  return {
    emit: (m) => {
      const d = m.progressDetail;
      open().write({ ...m, ...(d && (d.current || d.total) ? { progress: progressBar(d) } : {}) });
    },
    writer: () => w,
    open,
    end: () => (out as Writable | null)?.end(),
  };
}

/**
 * moby's pull and push events: the reference as asked (with its tag or digest, none for all tags)
 * as the actor, its familiar name as name=. Only after the transfer succeeded.
 */
function logTransfer(
  images: ImageService,
  action: 'pull' | 'push',
  name: string,
  tag: string | undefined,
): Promise<void> {
  let ref = parseReference(name);
  if (tag)
    ref = /^[a-z0-9]+:[a-f0-9]{32,}$/.test(tag) ? { domain: ref.domain, path: ref.path, digest: tag } : { ...ref, tag };
  return images.logEvent(action, familiarString(ref), familiarName(ref));
}

async function streamed(ctx: Ctx, fn: (emit: (m: ProgressMessage) => void) => Promise<void>): Promise<void> {
  const p = lazyProgress(ctx);
  try {
    await fn(p.emit);
  } catch (e) {
    const w = p.writer();
    if (!w) throw e;
    w.error(e);
  }
  p.end();
}

function auth(ctx: Ctx): AuthConfig | undefined {
  return decodeAuthHeader(ctx.headers['x-registry-auth']);
}

/** POST /images/create with fromImage (pull) or a URL fromSrc (import from URL); images.ts delegates here. */
export function createImageHandler(d: DistributionRouteDeps): Handler {
  return async (ctx) => {
    const q = ctx.query;
    const from = q.get('fromImage');
    if (from) {
      // an invalid platform is a 400 before anything is streamed (moby parses it first)
      platformQuery(q.get('platform'), ctx.apiVersion);
      const tag = q.get('tag') || undefined;
      await streamed(ctx, async (emit) => {
        await d.distribution.pull({
          image: from,
          tag,
          platform: q.get('platform') || undefined,
          auth: auth(ctx),
          progress: emit,
          signal: ctx.signal,
        });
        await logTransfer(d.images, 'pull', from, tag);
      });
      return;
    }
    const src = q.get('fromSrc') ?? '';
    if (!/^https?:\/\//.test(src)) throw invalid('fromImage or fromSrc is required');
    let res = await send('GET', src, {});
    for (
      let i = 0;
      i < 5 && res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && res.headers.location;
      i++
    ) {
      res.resume();
      res = await send('GET', new URL(res.headers.location, src).href, {});
    }
    if (res.statusCode !== 200) {
      res.resume();
      throw invalid(`Get "${src}": unexpected status ${res.statusCode}`);
    }
    const { id } = await d.images.import(res, {
      repo: q.get('repo') ?? undefined,
      tag: q.get('tag') ?? undefined,
      changes: q.getAll('changes'),
      message: q.get('message') || `Imported from ${src}`,
      platform: q.get('platform') || undefined,
    });
    ctx.reply.stream(200, 'application/json').end(JSON.stringify({ status: id }) + '\r\n');
  };
}

export function distributionRoutes(d: DistributionRouteDeps): Route[] {
  const save = async (ctx: Ctx, names: string[]) => {
    const tar = await saveImages(d.images, names);
    await pipeOut(tar, ctx.reply.stream(200, 'application/x-tar'));
  };
  return [
    {
      method: 'POST',
      path: '/images/{name*}/push',
      handler: (ctx) =>
        streamed(ctx, async (emit) => {
          const tag = ctx.query.get('tag') || undefined;
          await d.distribution.push({
            name: ctx.params.name,
            tag,
            auth: auth(ctx),
            progress: emit,
            signal: ctx.signal,
          });
          await logTransfer(d.images, 'push', ctx.params.name, tag);
        }),
    },
    { method: 'GET', path: '/images/get', handler: (ctx) => save(ctx, ctx.query.getAll('names')) },
    { method: 'GET', path: '/images/{name*}/get', handler: (ctx) => save(ctx, [ctx.params.name]) },
    {
      method: 'POST',
      path: '/images/load',
      handler: async (ctx) => {
        // Like moby: quiet unless asked otherwise, always 200, and a failed load is reported in-band
        // (docker-py raises ImageLoadError on it; the docker CLI prints it and exits 1).
        const quiet = qbool(ctx.query, 'quiet', true);
        const p = lazyProgress(ctx);
        try {
          const lines = await loadImages(d.images, ctx.body, quiet ? {} : { progress: p.emit });
          const w = p.open();
          for (const l of lines) w.stream(l + '\n');
        } catch (e) {
          // tar-stream's wording for a truncated archive; Go's archive/tar says this
          const err = e instanceof Error && e.message === 'Unexpected end of data' ? new Error('unexpected EOF') : e;
          (p.writer() ?? p.open()).error(err);
        }
        p.end();
      },
    },
    {
      method: 'POST',
      path: '/auth',
      handler: async (ctx) => {
        const a = (await ctx.json<AuthConfig>()) ?? {};
        ctx.reply.json(200, await d.distribution.login(a));
      },
    },
    ...containerImageRoutes(d),
  ];
}

/** commit, export and changes: a container's filesystem as an image, a tar or a diff. */
function containerImageRoutes(d: DistributionRouteDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/commit',
      handler: async (ctx) => {
        const q = ctx.query;
        const c = d.containers.find(q.get('container') ?? '');
        const body = (await ctx.json<Partial<ContainerConfig>>()) ?? undefined;
        const dirs = overlayDirs(await d.containers.mounts(c.id));
        const upperDir = dirs.upper ?? dirs.full;
        if (!upperDir) throw invalid(`container ${c.id} has no writable layer`);
        let paused = false;
        if (qbool(q, 'pause', true) && c.status === 'running') {
          // a container that exits meanwhile is committed unpaused, as moby does for one not running
          paused = await d.containers.pause(c.id).then(
            () => true,
            (e: unknown) => {
              if (isKind(e, 'conflict')) return false;
              throw e;
            },
          );
        }
        const unpause = async () => {
          if (paused) {
            paused = false;
            await d.containers.unpause(c.id).catch(() => {});
          }
        };
        try {
          const id = await commitContainer(d.images, {
            containerId: c.id,
            imageId: c.image,
            upperDir,
            containerConfig: c.config,
            config: body,
            repo: q.get('repo') || undefined,
            tag: q.get('tag') || undefined,
            comment: q.get('comment') || undefined,
            author: q.get('author') || undefined,
            changes: q.getAll('changes').flatMap((x) => x.split('\n')),
            onLayerStored: unpause,
          });
          const repo = q.get('repo');
          const tag = q.get('tag');
          const named = repo ? parseReference(repo) : null;
          const imageRef = named ? familiarString(withDefaultTag(tag ? { ...named, tag } : named)) : '';
          d.containers.event?.(c.id, 'commit', { comment: q.get('comment') ?? '', imageID: id, imageRef });
          ctx.reply.json(201, { Id: id });
        } finally {
          await unpause();
        }
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/export',
      handler: async (ctx) => {
        const c = d.containers.find(ctx.params.id);
        await d.containers.withRootfs(c.id, async (root) => {
          await pipeOut(exportRootfs(root), ctx.reply.stream(200, 'application/x-tar'));
        });
        d.containers.event?.(c.id, 'export');
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/changes',
      handler: async (ctx) => {
        const c = d.containers.find(ctx.params.id);
        const changes: Change[] = await containerChanges(await d.containers.mounts(c.id));
        ctx.reply.json(200, changes);
      },
    },
  ];
}
