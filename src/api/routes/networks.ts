// /networks/* routes: Docker's network API over the NetworkService.
import { invalid } from '../../errdefs.js';
import type { CreateNetworkRequest, NetworkService } from '../../network/service.js';
import type { NetworkRecord } from '../../network/types.js';
import { matchLabels, parseFilters } from '../filters.js';
import { type Route, qbool } from '../router.js';

const LIST_FILTERS = ['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling'];

export function networkJson(n: NetworkRecord, withContainers: boolean): object {
  const containers: Record<string, object> = {};
  if (withContainers)
    for (const ep of Object.values(n.endpoints))
      containers[ep.containerId] = {
        Name: ep.name,
        EndpointID: ep.id,
        MacAddress: ep.mac,
        IPv4Address: ep.ip ? `${ep.ip}/${ep.prefixLen}` : '',
        IPv6Address: ep.ipv6 ? `${ep.ipv6}/${ep.ipv6PrefixLen}` : '',
      };
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: n.enableIPv6,
    IPAM: { Driver: 'default', Options: n.isDefault || n.driver !== 'bridge' ? null : n.ipamOptions, Config: n.ipam },
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: n.options,
    Labels: n.labels,
  };
}

function untilCutoff(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const m = /^(\d+)(s|m|h)$/.exec(v);
  if (m) return Date.now() - Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalid(`invalid filter 'until=${v}'`);
  return t;
}

export function networkRoutes(net: NetworkService): Route[] {
  return [
    {
      method: 'GET',
      path: '/networks',
      handler: (ctx) => {
        const f = parseFilters(ctx.query.get('filters'), LIST_FILTERS);
        for (const t of f.get('type') ?? []) if (t !== 'custom' && t !== 'builtin') throw invalid(`invalid filter: 'type'='${t}'`);
        const builtin = (n: NetworkRecord) => n.name === 'host' || n.name === 'none' || n.isDefault;
        const out = net
          .list()
          .filter((n) => {
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
          })
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
        const body = (await ctx.json<CreateNetworkRequest>()) ?? {};
        ctx.reply.json(201, await net.create(body));
      },
    },
    {
      method: 'DELETE',
      path: '/networks/{id}',
      handler: async (ctx) => {
        await net.remove(ctx.params.id!);
        ctx.reply.empty(204);
      },
    },
    {
      method: 'POST',
      path: '/networks/{id}/connect',
      handler: async (ctx) => {
        const body = (await ctx.json<{ Container?: string; EndpointConfig?: Record<string, unknown> | null }>()) ?? {};
        if (!body.Container) throw invalid('container is required');
        await net.connect(ctx.params.id!, body.Container, body.EndpointConfig as Parameters<NetworkService['connect']>[2]);
        ctx.reply.empty(200);
      },
    },
    {
      method: 'POST',
      path: '/networks/{id}/disconnect',
      handler: async (ctx) => {
        const body = (await ctx.json<{ Container?: string; Force?: boolean }>()) ?? {};
        if (!body.Container) throw invalid('container is required');
        await net.disconnect(ctx.params.id!, body.Container, !!body.Force);
        ctx.reply.empty(200);
      },
    },
    {
      method: 'POST',
      path: '/networks/prune',
      handler: async (ctx) => {
        const f = parseFilters(ctx.query.get('filters'), ['label', 'label!', 'until']);
        const until = f.get('until')?.map(untilCutoff);
        const deleted = await net.prune((n) => {
          if (!matchLabels(f, 'label', n.labels)) return false;
          for (const w of f.get('label!') ?? []) {
            const i = w.indexOf('=');
            if (i < 0 ? Object.hasOwn(n.labels, w) : n.labels[w.slice(0, i)] === w.slice(i + 1)) return false;
          }
          if (until && !until.every((u) => Date.parse(n.created) < u)) return false;
          return true;
        });
        void qbool;
        ctx.reply.json(200, { NetworksDeleted: deleted });
      },
    },
  ];
}
