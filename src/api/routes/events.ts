// GET /events: the engine's events, past (since) and live, filtered like moby's (daemon/events).
import type { EngineEvent, Events } from '../../engine/events.js';
import { familiarName, parseReference } from '../../images/reference/reference.js';
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

/** Filters that match an actor's ID or name= by prefix, whatever the event's type (moby's fuzzyMatchName). */
const NAME_FILTERS = ['daemon', 'container', 'plugin', 'volume', 'network', 'node', 'service', 'secret', 'config'];
/** event= values that switch every event= value to prefix matching (moby #25798). */
const FUZZY_EVENTS = new Set(['health_status', 'exec_create', 'exec_start']);

/** moby's stripTag: the familiar name without tag or digest; the input when it is no reference. */
function stripTag(image: string): string {
  try {
    return familiarName(parseReference(image));
  } catch {
    return image;
  }
}

/** Docker's FuzzyMatch: no values, an exact value or a prefix. */
const fuzzy = (want: string[] | undefined, source: string) => !want || want.some((w) => source.startsWith(w));

/** moby's matchImage: the actor's ID or its image (name= for image events), each with and without its tag. */
function matchImage(want: string[] | undefined, e: EngineEvent): boolean {
  if (!want) return true;
  const name = (e.Type === 'image' ? e.Actor.Attributes.name : e.Actor.Attributes.image) ?? '';
  const ids = [e.Actor.ID, name, stripTag(e.Actor.ID), stripTag(name)];
  return want.some((w) => ids.includes(w));
}

/** Whether an event passes the filters, as moby's daemon/events Filter.Include. */
export function eventMatcher(f: Filters): (e: EngineEvent) => boolean {
  // a key given with no values filters nothing (Go's ExactMatch)
  const get = (k: string) => (f.get(k)?.length ? f.get(k) : undefined);
  const events = get('event');
  const fuzzyEvents = !!events?.some((x) => FUZZY_EVENTS.has(x));
  return (e) => {
    if (events && !events.some((x) => e.Action === x || (fuzzyEvents && e.Action.startsWith(x)))) return false;
    if (get('type') && !get('type')!.includes(e.Type)) return false;
    if (get('scope') && !get('scope')!.includes(e.scope)) return false;
    for (const k of NAME_FILTERS) {
      const want = get(k);
      if (want && !fuzzy(want, e.Actor.ID) && !fuzzy(want, e.Actor.Attributes.name ?? '')) return false;
    }
    if (!matchImage(get('image'), e)) return false;
    return matchLabels(f, 'label', e.Actor.Attributes);
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
