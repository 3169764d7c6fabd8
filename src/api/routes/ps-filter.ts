// `docker ps` filters (moby daemon/list.go): validated up front with Docker's texts, then one
// predicate over the container records.
import { healthOf } from '../../engine/health.js';
import { isRunningish } from '../../engine/states.js';
import type { ContainerRecord, Status } from '../../engine/types.js';
import { invalid } from '../../errdefs.js';
import { type Filters, matchLabels, matchRegexp } from '../filters.js';

const STATUSES: readonly Status[] = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];
export const PS_FILTERS = [
  'id',
  'name',
  'label',
  'status',
  'exited',
  'ancestor',
  'before',
  'since',
  'volume',
  'network',
  'publish',
  'expose',
  'health',
  'isolation',
  'is-task',
];

export interface PsLookups {
  /** The created time of a container named by before=/since= (throws Docker's 404). */
  created(ref: string): string;
  /** An image reference's id, or null when there is no such image. */
  imageIdFor(ref: string): Promise<string | null>;
}

/** The predicate `ps` keeps a container by; `all` includes the stopped ones. */
export async function psFilter(f: Filters, all: boolean, l: PsLookups): Promise<(r: ContainerRecord) => boolean> {
  for (const s of f.get('status') ?? [])
    if (!STATUSES.includes(s as Status)) throw invalid(`invalid filter 'status=${s}'`);
  for (const e of f.get('exited') ?? []) if (!/^-?\d+$/.test(e)) throw invalid(`invalid filter 'exited=${e}'`);
  const before = f.get('before')?.map(l.created);
  const since = f.get('since')?.map(l.created);
  const ancestors: string[] = [];
  for (const a of f.get('ancestor') ?? []) ancestors.push((await l.imageIdFor(a)) ?? '\0none');
  return (r) => {
    if (!all && !isRunningish(r.state.status)) return false;
    if (!matchRegexp(f, 'id', r.id)) return false;
    if (!matchRegexp(f, 'name', '/' + r.name)) return false;
    if (!matchLabels(f, 'label', r.config.Labels)) return false;
    if (f.has('status') && !f.get('status')!.includes(r.state.status)) return false;
    if (f.has('exited') && !(r.state.status === 'exited' && f.get('exited')!.includes(String(r.state.exitCode))))
      return false;
    if (before && !before.every((b) => r.created < b)) return false;
    if (since && !since.every((s) => r.created > s)) return false;
    if (f.has('ancestor') && !ancestors.includes(r.image)) return false;
    if (f.has('network') && !f.get('network')!.includes(r.hostConfig.NetworkMode)) return false;
    if (
      f.has('volume') &&
      !f.get('volume')!.some((v) => r.mounts.some((m) => m.Name === v || m.Destination === v || m.Source === v))
    )
      return false;
    if (f.has('isolation') && !f.get('isolation')!.includes('default')) return false;
    if (f.has('health') && !f.get('health')!.includes(healthOf(r)?.Status ?? 'none')) return false;
    if (f.has('is-task') && f.get('is-task')!.includes('true')) return false;
    if (f.has('publish') || f.has('expose')) {
      const exposed = Object.keys(r.config.ExposedPorts ?? {});
      const want = [...(f.get('publish') ?? []), ...(f.get('expose') ?? [])];
      if (!want.some((w) => exposed.includes(w.includes('/') ? w : `${w}/tcp`))) return false;
    }
    return true;
  };
}
