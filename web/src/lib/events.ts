// Which views an Engine API event makes stale: the dashboard refetches those instead of
// patching its lists (a list call is cheap, and its answer is always the engine's truth).

export interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  id?: string;
  status?: string;
  time?: number;
}

export type View = 'containers' | 'images' | 'networks' | 'volumes' | 'system';

/** Actions that leave every list as it was: execs, attach sessions, terminal resizes. */
const QUIET = new Set(['attach', 'detach', 'resize', 'top', 'export', 'copy', 'archive-path', 'extract-to-dir']);

export function staleViews(e: EngineEvent): View[] {
  const action = (e.Action ?? e.status ?? '').split(':')[0]!;
  switch (e.Type) {
    case 'container':
      if (action.startsWith('exec_') || QUIET.has(action)) return [];
      if (action === 'health_status') return ['containers'];
      return ['containers', 'system', ...(action === 'create' || action === 'destroy' ? (['volumes'] as View[]) : [])];
    case 'image':
      return ['images', 'system'];
    case 'network':
      return ['networks', ...(action === 'connect' || action === 'disconnect' ? (['containers'] as View[]) : [])];
    case 'volume':
      return ['volumes', 'system'];
    default:
      return [];
  }
}

/** Bumps the version of each stale view (a reducer: views re-fetch when their number changes). */
export function reduceVersions(v: Record<View, number>, e: EngineEvent): Record<View, number> {
  const stale = staleViews(e);
  if (stale.length === 0) return v;
  const next = { ...v };
  for (const s of stale) next[s]++;
  return next;
}
