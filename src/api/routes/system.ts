// /_ping, /version, /info, /events.
import os from 'node:os';
import type { EngineEvent, Events } from '../../engine/events.js';
import type { SystemInfo } from '../../engine/info.js';
import { parseUnixTimestamp } from '../../logs/common/timestamps.js';
import { matchLabels, parseFilters } from '../filters.js';
import type { Route } from '../router.js';
import { MAX_API, MIN_API } from '../server.js';
import { goArch } from '../../util/go-arch.js';
import { infoJson } from '../wire/info.js';

export interface SystemRouteDeps {
  version: string;
  info: () => Promise<SystemInfo>;
  components: () => Promise<Array<{ Name: string; Version: string; Details?: Record<string, string> }>>;
  events: Events;
}

export function systemRoutes(s: SystemRouteDeps): Route[] {
  const ping: Route['handler'] = (ctx) => {
    ctx.reply.text(200, 'OK');
  };
  return [
    { method: 'GET', path: '/_ping', handler: ping },
    { method: 'HEAD', path: '/_ping', handler: ping },
    {
      method: 'GET',
      path: '/version',
      handler: async (ctx) => {
        const kernel = os.release();
        ctx.reply.json(200, {
          Platform: { Name: 'berth' },
          Components: [
            {
              Name: 'Engine',
              Version: s.version,
              Details: {
                ApiVersion: MAX_API,
                Arch: goArch(),
                BuildTime: '',
                Experimental: 'false',
                GitCommit: '',
                GoVersion: `node${process.versions.node}`,
                KernelVersion: kernel,
                MinAPIVersion: MIN_API,
                Os: 'linux',
              },
            },
            ...(await s.components()),
          ],
          Version: s.version,
          ApiVersion: MAX_API,
          MinAPIVersion: MIN_API,
          GitCommit: '',
          GoVersion: `node${process.versions.node}`,
          Os: 'linux',
          Arch: goArch(),
          KernelVersion: kernel,
          BuildTime: '',
        });
      },
    },
    {
      method: 'GET',
      path: '/info',
      handler: async (ctx) => {
        ctx.reply.json(200, infoJson(await s.info()));
      },
    },
    {
      method: 'GET',
      path: '/events',
      handler: async (ctx) => {
        const q = ctx.query;
        const f = parseFilters(q.get('filters'), [
          'container',
          'event',
          'image',
          'label',
          'type',
          'volume',
          'network',
          'daemon',
          'plugin',
          'node',
          'service',
          'secret',
          'config',
          'scope',
        ]);
        const since = q.get('since') ? parseUnixTimestamp(q.get('since')!) : null;
        const until = q.get('until') ? parseUnixTimestamp(q.get('until')!) : null;
        const match = (e: EngineEvent) => {
          if (f.has('type') && !f.get('type')!.includes(e.Type)) return false;
          if (f.has('event') && !f.get('event')!.some((x) => e.Action === x || e.Action.startsWith(x + ':')))
            return false;
          if (
            f.has('container') &&
            (e.Type !== 'container' ||
              !f.get('container')!.some((x) => e.Actor.ID.startsWith(x) || e.Actor.Attributes.name === x))
          )
            return false;
          const img = (x: string) => x.replace(/:latest$/, '');
          if (
            f.has('image') &&
            !f
              .get('image')!
              .some(
                (x) =>
                  img(e.Actor.Attributes.image ?? '') === img(x) ||
                  e.Actor.ID === x ||
                  e.Actor.ID.startsWith('sha256:' + x),
              )
          )
            return false;
          if (f.has('volume') && (e.Type !== 'volume' || !f.get('volume')!.includes(e.Actor.ID))) return false;
          if (
            f.has('network') &&
            (e.Type !== 'network' ||
              !f.get('network')!.some((x) => e.Actor.ID.startsWith(x) || e.Actor.Attributes.name === x))
          )
            return false;
          if (f.has('daemon') && e.Type !== 'daemon') return false;
          if (!matchLabels(f, 'label', e.Actor.Attributes)) return false;
          return true;
        };
        const out = ctx.reply.stream(200, 'application/json');
        const nowNs = BigInt(Date.now()) * 1_000_000n;
        if (since !== null)
          for (const e of s.events.since(since))
            if (match(e) && (until === null || BigInt(e.timeNano) <= until)) out.write(JSON.stringify(e) + '\n');
        if (until !== null && until <= nowNs) {
          out.end();
          return;
        }
        await new Promise<void>((resolve) => {
          const unsub = s.events.subscribe((e) => {
            if (match(e)) out.write(JSON.stringify(e) + '\n');
          });
          const stop = () => {
            unsub();
            resolve();
          };
          ctx.signal.addEventListener('abort', stop);
          if (ctx.signal.aborted) stop(); // the client left before we subscribed: 'abort' fires no more
          if (until !== null) setTimeout(stop, Number((until - nowNs) / 1_000_000n)).unref();
        });
        out.end();
      },
    },
  ];
}
