// HostConfig.PortBindings / PublishAllPorts → the list of ports to publish (pure, before allocation).
import { invalid } from '../../errdefs.js';
import { parseIp4, parseIp6 } from '../ip.js';

/** One host port to find for every address in hostIps (Docker gives 0.0.0.0 and [::] the same port). */
export interface PortRequest {
  proto: 'tcp' | 'udp';
  containerPort: number;
  /** IPv4 addresses first; '0.0.0.0' / '::' = every address of the family. */
  hostIps: string[];
  hostPortStart: number; // 0 = ephemeral
  hostPortEnd: number;
}

type Bindings = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null | undefined;

export function parsePortKey(key: string): { port: number; proto: 'tcp' | 'udp' } {
  const [p, proto = 'tcp'] = key.split('/');
  if (!/^\d+$/.test(p ?? '') || Number(p) < 1 || Number(p) > 65535) throw invalid(`invalid containerPort: ${p}`);
  if (proto !== 'tcp' && proto !== 'udp') throw invalid(`invalid proto: ${proto}`);
  return { port: Number(p), proto };
}

function hostRange(s: string | undefined): [number, number] {
  if (!s) return [0, 0];
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw invalid(`invalid hostPort: ${s}`);
  const a = Number(m[1]);
  const b = m[2] ? Number(m[2]) : a;
  if (a < 1 || a > 65535 || b > 65535 || b < a) throw invalid(`invalid hostPort: ${s}`);
  return [a, b];
}

export const isIp6 = (ip: string): boolean => ip.includes(':');

/** The bridge network option naming the address `-p` binds when it gives none (moby's DefaultBindingIP). */
export const DEFAULT_BINDING_IP = 'com.docker.network.bridge.host_binding_ipv4';

/** moby's check of that option at network create (net.ParseIP), with its text. */
export function validateDefaultBindingIp(options: Record<string, string>): void {
  const v = options[DEFAULT_BINDING_IP];
  if (v !== undefined && parseIp4(v) === null && parseIp6(v) === null)
    throw invalid(`failed to parse ${DEFAULT_BINDING_IP} value: ${v} (nil ip)`);
}

/**
 * Where a mapping forwards to: an IPv6 host address goes to the container's IPv6 address when it has one, else
 * (through the userland proxy only, as moby does) to its IPv4 address.
 */
export function targetIp(p: { hostIp: string }, ep: { ip: string; ipv6: string }): string {
  return isIp6(p.hostIp) && ep.ipv6 ? ep.ipv6 : ep.ip;
}

/** Order of host addresses in a group: IPv4 before IPv6, then by value (netip.Addr.Compare). */
function cmpHostIp(a: string, b: string): number {
  if (isIp6(a) !== isIp6(b)) return isIp6(a) ? 1 : -1;
  const [x, y] = isIp6(a) ? [parseIp6(a), parseIp6(b)] : [parseIp4(a), parseIp4(b)];
  if (x === null || y === null) return a.localeCompare(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** moby's PortBindingReq.Compare: exact host ports before ranges, then container port, proto, host ports. */
function cmpRequest(a: PortRequest, b: PortRequest): number {
  const range = (r: PortRequest) => r.hostPortStart === 0 || r.hostPortStart !== r.hostPortEnd;
  if (range(a) !== range(b)) return range(a) ? 1 : -1;
  return (
    a.containerPort - b.containerPort ||
    a.proto.localeCompare(b.proto) ||
    a.hostPortStart - b.hostPortStart ||
    a.hostPortEnd - b.hostPortEnd
  );
}

/**
 * Validate and expand bindings, grouped and sorted as moby's sortAndNormPBs does: a binding without a host
 * address gets the network's default binding address (`defHostIp`, com.docker.network.bridge.host_binding_ipv4);
 * its default 0.0.0.0 means [::] too when the host has IPv6 (`ipv6`). Bindings that differ only in the host
 * address share one host port. PublishAllPorts adds an ephemeral binding for each exposed port without one.
 */
export function portRequests(
  bindings: Bindings,
  exposed: Record<string, object> | null | undefined,
  publishAll: boolean,
  ipv6 = false,
  defHostIp: string | undefined = '0.0.0.0',
): PortRequest[] {
  const groups = new Map<string, PortRequest>();
  const add = (proto: 'tcp' | 'udp', port: number, ips: string[], s: number, e: number) => {
    const k = `${port}/${proto}/${s}/${e}`;
    const g = groups.get(k);
    if (!g) groups.set(k, { proto, containerPort: port, hostIps: ips, hostPortStart: s, hostPortEnd: e });
    else for (const ip of ips) if (!g.hostIps.includes(ip)) g.hostIps.push(ip);
  };
  const any = defHostIp && defHostIp !== '0.0.0.0' ? [defHostIp] : ipv6 ? ['0.0.0.0', '::'] : ['0.0.0.0'];
  const seen = new Set<string>();
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { port, proto } = parsePortKey(key);
    seen.add(`${port}/${proto}`);
    for (const b of list ?? [{}]) {
      const [s, e] = hostRange(b.HostPort);
      add(proto, port, b.HostIp ? [b.HostIp] : any, s, e);
    }
  }
  if (publishAll)
    for (const key of Object.keys(exposed ?? {})) {
      const { port, proto } = parsePortKey(key);
      if (!seen.has(`${port}/${proto}`)) add(proto, port, any, 0, 0);
    }
  const out = [...groups.values()];
  for (const g of out) g.hostIps.sort(cmpHostIp);
  return out.sort(cmpRequest);
}
