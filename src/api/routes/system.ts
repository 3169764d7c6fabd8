// /_ping, /version, /info; /events is events.ts's.
import type { Events } from '../../engine/events.js';
import type { SystemInfo } from '../../engine/info.js';
import type { Route } from '../router.js';
import { MAX_API, MIN_API } from '../server.js';
import { infoForVersion, infoJson, versionJson } from '../wire/info.js';
import { eventsRoutes } from './events.js';

export interface SystemRouteDeps {
  version: string;
  info: () => Promise<SystemInfo>;
  components: () => Promise<Array<{ Name: string; Version: string; Details?: Record<string, string> }>>;
  events: Events;
  /** berthd --experimental: /version says so (as /info does from its config). */
  experimental?: boolean;
}

export function systemRoutes(s: SystemRouteDeps): Route[] {
  // moby's pingHandler: clients pick the builder (Builder-Version 1: the classic /build, so a CLI
  // with buildx installed does not ask for BuildKit) and swarm mode from these headers
  const ping: Route['handler'] = (ctx) => {
    const head = ctx.method === 'HEAD';
    ctx.reply
      .stream(200, 'text/plain; charset=utf-8', {
        'Cache-Control': 'no-cache, no-store, must-revalidate',
        Pragma: 'no-cache',
        'Builder-Version': '1',
        'Docker-Experimental': String(!!s.experimental),
        Swarm: 'inactive',
        'Content-Length': head ? '0' : '2',
      })
      .end(head ? undefined : 'OK');
  };
  return [
    { method: 'GET', path: '/_ping', handler: ping },
    { method: 'HEAD', path: '/_ping', handler: ping },
    {
      method: 'GET',
      path: '/version',
      handler: async (ctx) => {
        ctx.reply.json(
          200,
          versionJson(
            { version: s.version, apiVersion: MAX_API, minApiVersion: MIN_API, experimental: s.experimental },
            await s.components(),
          ),
        );
      },
    },
    {
      method: 'GET',
      path: '/info',
      handler: async (ctx) => {
        ctx.reply.json(200, infoForVersion(infoJson(await s.info()), ctx.apiVersion));
      },
    },
    ...eventsRoutes(s.events),
  ];
}
