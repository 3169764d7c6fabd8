// `docker ps` filters (moby daemon/list.go): validated up front with Docker's texts, then one
// predicate over the container records.
import { healthOf } from '../../engine/health.js';
import { isRunningish } from '../../engine/states.js';
import type { ContainerRecord, Status } from '../../engine/types.js';
import { invalid } from '../../errdefs.js';
import { parsePortRange, splitProtoPort } from '../../util/port-range.js';
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
  /** The container's ps `Ports` (empty unless it runs). */
  ports(r: ContainerRecord): ReadonlyArray<{ PrivatePort: number; PublicPort?: number; Type: string }>;
}

/** moby's portOp: "80", "80/udp", "8000-8080" → {"80/tcp", …}; tcp by default. */
function portFilter(f: Filters, key: string): Set<string> | null {
  const values = f.get(key);
  if (!values?.length) return null;
  const out = new Set<string>();
  for (const v of values) {
    if (v.includes(':')) throw invalid(`filter for '${key}' should not contain ':': ${v}`);
    const [proto, range] = splitProtoPort(v);
    const r = parsePortRange(range);
    if (!r) throw invalid(`error while looking up for ${key} ${v}: invalid port range: ${range}`);
    const [start, end] = r;
    for (let p = start; p <= end; p++) out.add(`${p}/${proto.toLowerCase()}`);
  }
  return out;
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
  const publish = portFilter(f, 'publish');
  const expose = portFilter(f, 'expose');
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
    // like moby: over the ps Ports summary, publish by host port, expose by container port
    if (
      (publish || expose) &&
      !l
        .ports(r)
        .some((p) => publish?.has(`${p.PublicPort ?? 0}/${p.Type}`) || expose?.has(`${p.PrivatePort}/${p.Type}`))
    )
      return false;
    return true;
  };
}
