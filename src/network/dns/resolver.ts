// The embedded DNS server's name table: on the user networks the asking container shares, a name is a
// container's name, its short or full id, a network alias, or one of the asker's legacy links; `name.network`
// narrows to one network. Answers rotate (round-robin per name and type), as Docker's do.
import { isUserNetwork, parseLink } from '../endpoints.js';
import { parseIp6 } from '../ip.js';
import type { EndpointRecord, NetworkRecord } from '../types.js';
import { TYPE_A, TYPE_AAAA, type Question } from './packet.js';

export interface ResolverDeps {
  networks(): Iterable<NetworkRecord>;
  container(ref: string): { id: string; hostConfig: { Links: string[] | null } } | undefined;
}

export class NameResolver {
  private readonly rr = new Map<string, number>(); // round-robin counters per name and type

  constructor(private readonly d: ResolverDeps) {}

  resolve(clientIp: string, q: Question): { addrs: Buffer[] } | null {
    if (q.type !== TYPE_A && q.type !== TYPE_AAAA) return null;
    const nets = [...this.d.networks()].filter(isUserNetwork);
    let asker: string | undefined;
    for (const n of nets) for (const ep of Object.values(n.endpoints)) if (ep.ip === clientIp) asker = ep.containerId;
    if (!asker) return null;
    const found = this.lookup(
      q.name,
      asker,
      nets.filter((n) => n.endpoints[asker!]),
    );
    if (!found.length) return null;
    const uniq = [...new Map(found.map((e) => [`${e.ip}`, e])).values()];
    const k = `${q.name}/${q.type}`; // per type: resolvers ask A and AAAA together, which must not cancel out
    const off = this.rr.get(k) ?? 0;
    this.rr.set(k, off + 1);
    const rot = uniq.map((_, i) => uniq[(i + off) % uniq.length]!);
    if (q.type === TYPE_A) return { addrs: rot.map((e) => Buffer.from(e.ip.split('.').map(Number))) };
    return { addrs: rot.filter((e) => e.ipv6).map((e) => ip6Bytes(e.ipv6)) };
  }

  /** Endpoints a name means to `asker` on the networks in `scope`. */
  private lookup(qname: string, asker: string, scope: NetworkRecord[]): EndpointRecord[] {
    const askerRec = this.d.container(asker);
    const found: EndpointRecord[] = [];
    for (const n of scope) {
      let name = qname;
      if (name.endsWith(`.${n.name.toLowerCase()}`)) name = name.slice(0, -(n.name.length + 1));
      // links (legacy --link on a user network, or the endpoint's own Links) resolve for the linking container
      // only; a target may be created after the linker started (libnetwork resolves them at query time)
      for (const l of [...(askerRec?.hostConfig.Links ?? []), ...(n.endpoints[asker]?.links ?? [])]) {
        const p = parseLink(l);
        if (p.alias.toLowerCase() !== name) continue;
        const t = this.d.container(p.target);
        if (t && n.endpoints[t.id]) found.push(n.endpoints[t.id]!);
      }
      for (const ep of Object.values(n.endpoints)) {
        const hit =
          ep.name.toLowerCase() === name ||
          ep.containerId === name ||
          ep.containerId.slice(0, 12) === name ||
          ep.aliases.some((a) => a.toLowerCase() === name);
        if (hit) found.push(ep);
      }
    }
    return found;
  }
}

function ip6Bytes(s: string): Buffer {
  const v = parseIp6(s) ?? 0n;
  const b = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) b[i] = Number((v >> BigInt((15 - i) * 8)) & 0xffn);
  return b;
}
