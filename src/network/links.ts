// Legacy links (--link): their targets, the /etc/hosts lines and the <ALIAS>_PORT… variables they give.
import { EngineError } from '../errdefs.js';
import { isRunning, parseLink } from './endpoints.js';
import { linkEnv } from './etc.js';
import type { ContainerView, NetworkRecord } from './types.js';

export interface LinkTarget {
  target: ContainerView;
  alias: string;
  name: string; // "/self/alias"
}

/**
 * The containers `c` links to. At start (`running` true) every target must be running, with Docker's text;
 * else targets that are gone are skipped.
 */
export function linkTargets(
  c: ContainerView,
  find: (ref: string) => ContainerView | undefined,
  running: boolean,
): LinkTarget[] {
  const out: LinkTarget[] = [];
  for (const l of c.hostConfig.Links ?? []) {
    const p = parseLink(l);
    const t = find(p.target);
    if (running && (!t || !isRunning(t)))
      throw new EngineError(
        'invalid',
        `Cannot link to a non running container: /${p.target.replace(/^\//, '')} AS /${c.name}/${p.alias}`,
      );
    if (t) out.push({ target: t, alias: p.alias, name: `/${c.name}/${p.alias}` });
  }
  return out;
}

/** The container's address on the first of `nets` it is on. */
export function ipOf(cid: string, nets: NetworkRecord[]): string | undefined {
  for (const n of nets) if (n.endpoints[cid]) return n.endpoints[cid]!.ip;
  return undefined;
}

export function linkHosts(
  links: LinkTarget[],
  nets: NetworkRecord[],
): Array<{ ip: string; alias: string; id: string; name: string }> {
  return links
    .map((l) => ({ ip: ipOf(l.target.id, nets) ?? '', alias: l.alias, id: l.target.id, name: l.target.name }))
    .filter((l) => l.ip);
}

export function linksEnv(links: LinkTarget[], nets: NetworkRecord[]): string[] {
  const env: string[] = [];
  for (const l of links) {
    const ip = ipOf(l.target.id, nets);
    if (!ip) continue;
    const ports = Object.keys(l.target.config.ExposedPorts ?? {}).map((k) => ({
      port: Number(k.split('/')[0]),
      proto: k.split('/')[1] ?? 'tcp',
    }));
    env.push(...linkEnv({ alias: l.alias, name: l.name, ip, ports, env: l.target.config.Env ?? [] }));
  }
  return env;
}
