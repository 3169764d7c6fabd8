// /networks/* routes: Docker's network API over the NetworkService.
import { invalid } from '../../errdefs.js';
import { untilTime } from '../../images/filters.js';
import type { NetworkService } from '../../network/service.js';
import type { EndpointsConfigEntry, NetworkRecord } from '../../network/types.js';
import { type Filters, matchLabels, parseFilters } from '../filters.js';
import type { Route } from '../router.js';
import { type NetworkCreateRequest, networkCreate, networkCreateJson, networkJson } from '../wire/networks.js';

const LIST_FILTERS = ['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling'];

/** GET /networks filters: driver, id (prefix), name (substring), scope, type (builtin/custom), dangling, label. */
function listFilter(f: Filters): (n: NetworkRecord) => boolean {
  for (const t of f.get('type') ?? [])
    if (t !== 'custom' && t !== 'builtin') throw invalid(`invalid filter: 'type'='${t}'`);
  const builtin = (n: NetworkRecord) => n.name === 'host' || n.name === 'none' || n.isDefault;
  return (n) => {
    if (f.has('driver') && !f.get('driver')!.includes(n.driver)) return false;
    if (f.has('id') && !f.get('id')!.some((x) => n.id.startsWith(x))) return false;
    if (f.has('name') && !f.get('name')!.some((x) => n.name.includes(x))) return false;
    if (f.has('scope') && !f.get('scope')!.includes('local')) return false;
    if (f.has('type') && !f.get('type')!.includes(builtin(n) ? 'builtin' : 'custom')) return false;
    if (f.has('dangling')) {
      const d = f.get('dangling')!.includes('true') || f.get('dangling')!.includes('1');
      if (d !== (!builtin(n) && Object.keys(n.endpoints).length === 0)) return false;
    }
    return matchLabels(f, 'label', n.labels);
  };
}

/** POST /networks/prune filters: label, label!, until. */
function pruneFilter(f: Filters): (n: NetworkRecord) => boolean {
  const until = f.get('until')?.map(untilTime);
  return (n) => {
    if (!matchLabels(f, 'label', n.labels)) return false;
    for (const w of f.get('label!') ?? []) {
      const i = w.indexOf('=');
      if (i < 0 ? Object.hasOwn(n.labels, w) : n.labels[w.slice(0, i)] === w.slice(i + 1)) return false;
    }
    if (until && !until.every((u) => Date.parse(n.created) < u)) return false;
    return true;
  };
}

/** Where network events go, and the containers a connect or disconnect names. */
export interface NetworkEventDeps {
  emit(action: string, id: string, attributes: Record<string, string>): void;
  containers: { tryFind(ref: string): { id: string; state: { status: string } } | undefined };
}

/** The container's id when it runs: moby logs connect/disconnect only then (a stopped one only changes its configuration). */
function runningId(ev: NetworkEventDeps | undefined, ref: string): string | null {
  const c = ev?.containers.tryFind(ref);
  return c && (c.state.status === 'running' || c.state.status === 'paused') ? c.id : null;
}

/** moby's LogNetworkEventWithAttributes: name= and type= (the driver) after the given attributes. */
function networkEvent(ev: NetworkEventDeps | undefined, action: string, n: NetworkRecord, a = {}): void {
  ev?.emit(action, n.id, { ...a, name: n.name, type: n.driver });
}

export function networkRoutes(net: NetworkService, ev?: NetworkEventDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/networks',
      handler: (ctx) => {
        const keep = listFilter(parseFilters(ctx.query.get('filters'), LIST_FILTERS));
        const out = net
          .list()
          .filter(keep)
          .map((n) => networkJson(n, false));
        ctx.reply.json(200, out);
      },
    },
    {
      method: 'GET',
      path: '/networks/{id}',
      handler: (ctx) => {
        ctx.reply.json(200, networkJson(net.find(ctx.params.id!), true));
      },
    },
    {
      method: 'POST',
      path: '/networks/create',
      handler: async (ctx) => {
        const body = (await ctx.json<NetworkCreateRequest>()) ?? {};
        const n = await net.create(networkCreate(body));
        networkEvent(ev, 'create', n);
        ctx.reply.json(201, networkCreateJson(n));
      },
    },
    {
      method: 'DELETE',
      path: '/networks/{id}',
      handler: async (ctx) => {
        const n = net.find(ctx.params.id!);
        await net.remove(n.id);
        networkEvent(ev, 'destroy', n);
        ctx.reply.empty(204);
      },
    },
    {
      method: 'POST',
      path: '/networks/{id}/connect',
      handler: async (ctx) => {
        const body = (await ctx.json<{ Container?: string; EndpointConfig?: EndpointsConfigEntry | null }>()) ?? {};
        if (!body.Container) throw invalid('container is required');
        await net.connect(ctx.params.id!, body.Container, body.EndpointConfig);
        const cid = runningId(ev, body.Container);
        if (cid) networkEvent(ev, 'connect', net.find(ctx.params.id!), { container: cid });
        ctx.reply.empty(200);
      },
    },
    {
      method: 'POST',
      path: '/networks/{id}/disconnect',
      handler: async (ctx) => {
        const body = (await ctx.json<{ Container?: string; Force?: boolean }>()) ?? {};
        if (!body.Container) throw invalid('container is required');
        const n = net.find(ctx.params.id!);
        const cid = runningId(ev, body.Container);
        await net.disconnect(n.id, body.Container, !!body.Force);
        if (cid) networkEvent(ev, 'disconnect', n, { container: cid });
        ctx.reply.empty(200);
      },
    },
    {
      method: 'POST',
      path: '/networks/prune',
      handler: async (ctx) => {
        const before = net.list();
        const deleted = await net.prune(
          pruneFilter(parseFilters(ctx.query.get('filters'), ['label', 'label!', 'until'])),
        );
        for (const n of before) if (deleted.includes(n.name)) networkEvent(ev, 'destroy', n);
        ev?.emit('prune', '', { reclaimed: '0' });
        ctx.reply.json(200, { NetworksDeleted: deleted });
      },
    },
  ];
}
