// Endpoints: what a container asks for on each network (its EndpointsConfig) and the records made from it.
// Pure helpers; the service decides when to plumb and persist.
import { randomBytes } from 'node:crypto';
import { invalid } from '../errdefs.js';
import { parseCidr4, parseCidr6, parseIp4, parseIp6 } from './ip.js';
import type { AddressLease } from './ipam.js';
import type { ContainerView, EndpointRecord, EndpointRequest, EndpointsConfigEntry, NetworkRecord } from './types.js';

/** Names of the networks berthd always has. */
export const BUILTIN = new Set(['bridge', 'host', 'none']);

export const isRunning = (c: { state: { status: string } }): boolean =>
  ['running', 'paused', 'restarting'].includes(c.state.status);

/** A user-defined network: embedded DNS, aliases, static addresses (host and null networks have none of these). */
export function isUserNetwork(n: NetworkRecord): boolean {
  return !n.isDefault && n.driver !== 'host' && n.driver !== 'null';
}

/** The container's EndpointsConfig, or the one its NetworkMode implies. */
export function endpointsConfig(c: ContainerView): Record<string, EndpointsConfigEntry> {
  const nc = c.networkingConfig as { EndpointsConfig?: Record<string, EndpointsConfigEntry> | null } | null;
  if (nc?.EndpointsConfig) return nc.EndpointsConfig;
  const nm = c.hostConfig.NetworkMode;
  if (!nm || nm.startsWith('container:')) return {};
  return { [nm === 'default' ? 'bridge' : nm]: {} };
}

export function setEndpointsConfig(c: { networkingConfig: unknown }, v: Record<string, EndpointsConfigEntry>): void {
  const nc = (c.networkingConfig && typeof c.networkingConfig === 'object' ? c.networkingConfig : {}) as Record<
    string,
    unknown
  >;
  c.networkingConfig = { ...nc, EndpointsConfig: v };
}

export function toRequest(cfg: EndpointsConfigEntry, mac?: string): EndpointRequest {
  return {
    aliases: [...(cfg.Aliases ?? [])],
    links: [...(cfg.Links ?? [])],
    ipv4: cfg.IPAMConfig?.IPv4Address || undefined,
    ipv6: cfg.IPAMConfig?.IPv6Address || undefined,
    mac: cfg.MacAddress || mac || undefined,
  };
}

/** Docker's checks of an endpoint request against the network, with its texts. */
export function validateEndpointConfig(n: NetworkRecord, cfg: EndpointsConfigEntry): void {
  const userNet = isUserNetwork(n);
  if ((cfg.IPAMConfig?.IPv4Address || cfg.IPAMConfig?.IPv6Address) && !userNet)
    throw invalid('user specified IP address is supported on user defined networks only');
  if (cfg.Aliases?.length && !userNet)
    throw invalid('network-scoped alias is supported only for containers in user defined networks');
  const ip = cfg.IPAMConfig?.IPv4Address;
  if (ip) {
    if (parseIp4(ip) === null) throw invalid(`invalid IPv4 address: ${ip}`);
    const pool = n.ipam.find((p) => parseCidr4(p.Subnet));
    const sub = pool && parseCidr4(pool.Subnet);
    const a = parseIp4(ip)!;
    if (sub && (a & (sub.bits ? (0xffffffff << (32 - sub.bits)) >>> 0 : 0)) >>> 0 !== sub.base)
      throw invalid(`Invalid address ${ip}: It does not belong to any of this network's subnets`);
  }
  validateIpv6Address(n, cfg.IPAMConfig?.IPv6Address);
}

/**
 * IPAMConfig.IPv6Address with Docker 27's texts: an address, on a network whose IPv6 subnet the user gave. Without
 * EnableIPv6 it is kept in the endpoint's config (inspect shows it) but not assigned, as Docker does.
 */
function validateIpv6Address(n: NetworkRecord, ip: string | undefined): void {
  if (!ip) return;
  const a = parseIp6(ip);
  if (a === null) throw invalid(`invalid IPv6 address: ${ip}`);
  const pool = n.ipam.find((p) => parseCidr6(p.Subnet));
  if (!pool)
    throw invalid(
      'user specified IP address is supported only when connecting to networks with user configured subnets',
    );
  const sub = parseCidr6(pool.Subnet)!;
  if (n.enableIPv6 && a >> BigInt(128 - sub.bits) !== sub.base >> BigInt(128 - sub.bits))
    throw invalid(`Invalid address ${ip}: It does not belong to any of this network's subnets`);
}

/** A legacy link as stored ("/target:/self/alias") or given ("target:alias" / "target"). */
export function parseLink(l: string): { target: string; alias: string } {
  const i = l.indexOf(':');
  const target = (i < 0 ? l : l.slice(0, i)).replace(/^\//, '');
  let alias = i < 0 ? target : l.slice(i + 1);
  if (alias.startsWith('/')) alias = alias.slice(alias.lastIndexOf('/') + 1);
  return { target, alias };
}

/** The lowest ethN the container does not use on any network yet. */
export function nextIfname(nets: Iterable<NetworkRecord>, cid: string): string {
  const used = new Set<string>();
  for (const m of nets) if (m.endpoints[cid]) used.add(m.endpoints[cid]!.ifname);
  let i = 0;
  while (used.has(`eth${i}`)) i++;
  return `eth${i}`;
}

/** A new endpoint record for an allocated address; the driver fills in its own names (host veth). */
export function newEndpoint(
  c: { id: string; name: string },
  ifname: string,
  a: AddressLease,
  mac: string,
  req: EndpointRequest,
): EndpointRecord {
  return {
    id: randomBytes(32).toString('hex'),
    containerId: c.id,
    name: c.name,
    ifname,
    hostVeth: '',
    ip: a.ip,
    prefixLen: a.prefixLen,
    gateway: a.gateway,
    mac,
    ipv6: '',
    ipv6PrefixLen: 0,
    ipv6Gateway: '',
    aliases: req.aliases,
    links: req.links,
    ports: [],
  };
}
