// Legacy links' names (moby's linkIndex): a link "/target:/parent/alias" in the parent's
// HostConfig.Links gives the target the extra name "/parent/alias" (shown by ps, removable with
// DELETE /containers/parent/alias?link=1).
import { EngineError, notFound, msg } from '../errdefs.js';
import { parseLink } from '../network/endpoints.js';
import type { ContainerRecord } from './types.js';

/** Each linked container's link names, by container id (sorted like moby's name index). */
export function linkNames(recs: Iterable<ContainerRecord>): Map<string, string[]> {
  const all = [...recs];
  const byName = new Map(all.map((r) => [r.name, r.id]));
  const out = new Map<string, string[]>();
  for (const r of all)
    for (const l of r.hostConfig.Links ?? []) {
      // a link lives in its parent's record: its name is "/parent/alias", as linkTargets names it
      const p = parseLink(l);
      const id = byName.get(p.target);
      if (id) out.set(id, [...(out.get(id) ?? []), `/${r.name}/${p.alias}`].sort());
    }
  return out;
}

/**
 * moby's rmLink checks, in its order: a name without a parent is the container's own name; the
 * parent must exist; the link must be one of the parent's. Returns the parent and the link entry.
 */
export function findLink(
  name: string,
  find: (ref: string) => ContainerRecord | undefined,
): { parent: ContainerRecord; entry: string } {
  const full = name.startsWith('/') ? name : `/${name}`;
  const cut = full.lastIndexOf('/');
  const parentName = full.slice(1, cut);
  const alias = full.slice(cut + 1);
  const parent = parentName ? find(parentName) : undefined;
  const entry = parent?.hostConfig.Links?.find((l) => parseLink(l).alias === alias);
  if (!parentName) {
    if (!find(alias)) throw notFound(msg.noSuchContainer(name));
    throw new EngineError('internal', 'Conflict, cannot remove the default link name of the container');
  }
  if (!parent || !entry) throw notFound(msg.noSuchContainer(name));
  return { parent, entry };
}
