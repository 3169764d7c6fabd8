// GET /events: the engine's events, past (since) and live, filtered like moby's (daemon/events).
import type { EngineEvent, Events } from '../../engine/events.js';
import { parseUnixTimestamp } from '../../logs/common/timestamps.js';
import { type Filters, matchLabels, parseFilters } from '../filters.js';
import type { Route } from '../router.js';

const EVENT_FILTERS = [
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
];

/** Whether an event passes the filters (type, event, container, image, volume, network, daemon, label). */
export function eventMatcher(f: Filters): (e: EngineEvent) => boolean {
  return (e) => {
    if (f.has('type') && !f.get('type')!.includes(e.Type)) return false;
    if (f.has('event') && !f.get('event')!.some((x) => e.Action === x || e.Action.startsWith(x + ':'))) return false;
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
            img(e.Actor.Attributes.image ?? '') === img(x) || e.Actor.ID === x || e.Actor.ID.startsWith('sha256:' + x),
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
}

export function eventsRoutes(events: Events): Route[] {
  return [
    {
      method: 'GET',
      path: '/events',
      handler: async (ctx) => {
        const q = ctx.query;
        const f = parseFilters(q.get('filters'), EVENT_FILTERS);
        const since = q.get('since') ? parseUnixTimestamp(q.get('since')!) : null;
        const until = q.get('until') ? parseUnixTimestamp(q.get('until')!) : null;
        const match = eventMatcher(f);
        const out = ctx.reply.stream(200, 'application/json');
        const nowNs = BigInt(Date.now()) * 1_000_000n;
        if (since !== null)
          for (const e of events.since(since))
            if (match(e) && (until === null || BigInt(e.timeNano) <= until)) out.write(JSON.stringify(e) + '\n');
        if (until !== null && until <= nowNs) {
          out.end();
          return;
        }
        await new Promise<void>((resolve) => {
          const unsub = events.subscribe((e) => {
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
