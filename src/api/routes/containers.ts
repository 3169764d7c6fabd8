// /containers/* and /exec/* routes: decode the request, call the engine, encode Docker's response.
// The streaming ones are in containers-io.ts, exec in exec.ts.
import { EngineError, invalid } from '../../errdefs.js';
import type { CreateRequest } from '../../engine/create-config.js';
import type { ContainerService } from '../../engine/service.js';
import { matchLabels, parseFilters } from '../filters.js';
import { type Route, qbool, qint } from '../router.js';
import { inspectJson, summaryJson } from '../wire/containers.js';
import { linkNames } from '../../engine/links.js';
import { createdJson, pruneJson, topJson, waitJson } from '../wire/container-results.js';
import type { ContainerRouteDeps } from './container-route-deps.js';
import { versionAtLeast } from '../server.js';
import { gateCreate, gateInspect, gateMacAddress, queryGates } from './containers-gates.js';
import { containerIoRoutes } from './containers-io.js';
import { PS_FILTERS, psFilter } from './ps-filter.js';
import { execRoutes } from './exec.js';
import { checkImagePlatform, platformQuery } from '../../util/platform.js';

export type { ContainerRouteDeps } from './container-route-deps.js';

export function containerRoutes(d: ContainerRouteDeps): Route[] {
  return [
    ...listRoutes(d),
    ...stateRoutes(d.containers),
    ...controlRoutes(d.containers),
    ...containerIoRoutes(d),
    ...execRoutes(d),
  ];
}

/** ps, create, prune, inspect. */
function listRoutes(d: ContainerRouteDeps): Route[] {
  const c = d.containers;
  return [
    {
      method: 'GET',
      path: '/containers/json',
      handler: async (ctx) => {
        const f = parseFilters(ctx.query.get('filters'), PS_FILTERS);
        const limit = qint(ctx.query, 'limit') ?? -1;
        // moby's includeContainerInList: a limit (ps -n N, ps -l) counts stopped containers too
        const all = qbool(ctx.query, 'all') || f.has('status') || f.has('exited') || limit > 0;
        const withSize = qbool(ctx.query, 'size');
        const keep = await psFilter(f, all, {
          created: (ref) => c.find(ref).created,
          imageIdFor: d.imageIdFor,
          ports: (r) =>
            (d.network?.(r)?.ports ?? []) as Array<{ PrivatePort: number; PublicPort?: number; Type: string }>,
        });
        let recs = c.d.store
          .all()
          .sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0))
          .filter(keep);
        if (limit > 0) recs = recs.slice(0, limit);
        const out = [];
        const links = linkNames(c.d.store.all());
        for (const r of recs)
          out.push(
            summaryJson(r, {
              linkNames: links.get(r.id),
              imageRef: r.config.Image,
              size: withSize ? await d.sizes(r) : undefined,
              network: d.network?.(r),
            }),
          );
        if (!versionAtLeast(ctx.apiVersion, '1.46'))
          for (const s of out) delete (s as { HostConfig: { Annotations?: unknown } }).HostConfig.Annotations;
        ctx.reply.json(200, out);
      },
    },
    {
      method: 'POST',
      path: '/containers/create',
      handler: async (ctx) => {
        const body = ((await ctx.json<Record<string, unknown>>()) ?? {}) as Record<string, unknown>;
        const { HostConfig, NetworkingConfig, ...config } = body;
        const hostConfig = gateCreate(
          { config, hostConfig: HostConfig as Record<string, unknown>, networkingConfig: NetworkingConfig },
          ctx.apiVersion,
          { cgroupV2: versionAtLeast(ctx.apiVersion, '1.41') || !d.cgroupV2 || (await d.cgroupV2()) },
        );
        const mac = gateMacAddress({ config, hostConfig, networkingConfig: NetworkingConfig }, ctx.apiVersion);
        const platform = platformQuery(ctx.query.get('platform'), ctx.apiVersion, '1.41'); // bad: moby's 400
        await checkImagePlatform(platform, String(config.Image ?? ''), d.imagePlatform); // foreign local image: 404
        const req: CreateRequest = {
          name: ctx.query.get('name') ?? undefined,
          config: config as CreateRequest['config'],
          hostConfig: (hostConfig ?? null) as CreateRequest['hostConfig'],
          networkingConfig: mac.networkingConfig as CreateRequest['networkingConfig'],
        };
        const made = await c.create(req);
        ctx.reply.json(201, createdJson(mac.warning ? { ...made, warnings: [...made.warnings, mac.warning] } : made));
      },
    },
    {
      method: 'POST',
      path: '/containers/prune',
      handler: async (ctx) => {
        const f = parseFilters(ctx.query.get('filters'), ['label', 'label!', 'until']);
        const until = f.get('until')?.map(parseUntil);
        const r = await c.prune((rec) => {
          if (!matchLabels(f, 'label', rec.config.Labels)) return false;
          const neg = f.get('label!');
          if (neg?.length && matchLabels(new Map([['label', neg]]), 'label', rec.config.Labels)) return false;
          if (until && !until.every((u) => Date.parse(rec.created) < u)) return false;
          return true;
        });
        ctx.reply.json(200, pruneJson(r));
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/json',
      handler: async (ctx) => {
        const rec = c.find(ctx.params.id!);
        ctx.reply.json(
          200,
          gateInspect(
            inspectJson(rec, {
              size: qbool(ctx.query, 'size') ? await d.sizes(rec) : undefined,
              network: d.network?.(rec),
              graphData: (await d.graphData?.(rec)) ?? null,
            }) as unknown as Record<string, unknown>,
            ctx.apiVersion,
          ),
        );
      },
    },
  ];
}

/** `POST /containers/{id}/<verb>`: the action, then 204 No Content. */
function action(verb: string, run: (id: string, q: URLSearchParams, v: string) => Promise<unknown>): Route {
  return {
    method: 'POST',
    path: `/containers/{id}/${verb}`,
    handler: async (ctx) => {
      await run(ctx.params.id!, ctx.query, ctx.apiVersion);
      ctx.reply.empty(204);
    },
  };
}

/** start, stop, restart, kill, pause, unpause. */
function stateRoutes(c: ContainerService): Route[] {
  return [
    action('start', (id) => c.start(id)),
    action('stop', (id, q, v) => c.stop(id, { timeout: qint(q, 't'), signal: queryGates.signal(q, v) })),
    action('restart', (id, q, v) => c.restart(id, qint(q, 't'), queryGates.signal(q, v))),
    action('kill', (id, q) => c.kill(id, q.get('signal') ?? undefined)),
    action('pause', (id) => c.pause(id)),
    action('unpause', (id) => c.unpause(id)),
  ];
}

/** rename, wait, rm, top, resize. */
function controlRoutes(c: ContainerService): Route[] {
  return [
    action('rename', (id, q) => c.rename(id, q.get('name') ?? '')),
    {
      method: 'POST',
      path: '/containers/{id}/wait',
      handler: async (ctx) => {
        const rec = c.find(ctx.params.id!);
        // headers first (like Docker) so the client knows the wait is registered before it starts the container
        const out = ctx.reply.stream(200, 'application/json');
        const r = await c.wait(rec.id, queryGates.waitCondition(ctx.query, ctx.apiVersion), ctx.signal);
        out.end(JSON.stringify(waitJson(r)) + '\n');
      },
    },
    {
      method: 'DELETE',
      // {id*}: a legacy link's name is "parent/alias"
      path: '/containers/{id*}',
      handler: async (ctx) => {
        if (qbool(ctx.query, 'link')) {
          await c.removeLink(ctx.params.id!);
          return ctx.reply.empty(204);
        }
        await c.remove(ctx.params.id!, { force: qbool(ctx.query, 'force'), volumes: qbool(ctx.query, 'v') });
        ctx.reply.empty(204);
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/top',
      handler: async (ctx) => {
        ctx.reply.json(200, topJson(await c.top(ctx.params.id!, ctx.query.get('ps_args') ?? '-ef')));
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/resize',
      handler: async (ctx) => {
        const h = qint(ctx.query, 'h');
        const w = qint(ctx.query, 'w');
        if (h === undefined || w === undefined || h < 0 || w < 0)
          throw invalid('strconv.Atoi: parsing "": invalid syntax');
        await c.resize(ctx.params.id!, h, w);
        ctx.reply.empty(200);
      },
    },
  ];
}

function parseUntil(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const m = /^(\d+)(s|m|h)$/.exec(v);
  if (m) return Date.now() - Number(m[1]) * { s: 1000, m: 60000, h: 3600000 }[m[2] as 's' | 'm' | 'h'];
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new EngineError('invalid', `failed to parse value ${v}`);
  return t;
}
