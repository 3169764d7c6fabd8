// Address management: choose subnets from the default pools and hand out addresses within a network.
// Pure functions over the network records, so "never twice" follows from the persisted endpoints.
import { EngineError, conflict, invalid } from '../errdefs.js';
import {
  type Cidr4,
  contains4,
  fmtCidr4,
  fmtIp4,
  maskOf,
  mustCidr4,
  overlaps4,
  parseCidr4,
  parseIp4,
  size4,
} from './ip.js';
import { allocateIp6, completePool6, ipv6Subnets, pickPool6 } from './ipam6.js';
import type { IpamPoolConfig, NetworkRecord } from './types.js';

export { allocateIp6 } from './ipam6.js';

export interface AddressPool {
  base: string;
  size: number;
}

/** Docker's default local address pools: 172.17-31.0.0/16, then 192.168.0.0/16 in /20s. */
export const DEFAULT_POOLS: AddressPool[] = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/16', size: 16 },
  { base: '172.19.0.0/16', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/14', size: 16 },
  { base: '172.28.0.0/14', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/** Parse `--default-address-pool base=10.10.0.0/16,size=24`. */
export function parsePoolFlag(s: string): AddressPool {
  const kv = Object.fromEntries(s.split(',').map((p) => p.split('=', 2) as [string, string]));
  if (!kv.base || !kv.size || !parseCidr4(kv.base) || !/^\d+$/.test(kv.size))
    throw invalid(`invalid default address pool: ${s}`);
  const size = Number(kv.size);
  if (size < parseCidr4(kv.base)!.bits || size > 30)
    throw invalid(`invalid default address pool: ${s}: size must be between the base prefix and 30`);
  return { base: kv.base, size };
}

/** Every candidate subnet from the pools, in order. */
export function* candidateSubnets(pools: AddressPool[]): Generator<Cidr4> {
  for (const p of pools) {
    const base = mustCidr4(p.base);
    const step = 2 ** (32 - p.size);
    for (let n = 0; n < size4(base) / step; n++) yield { base: (base.base + n * step) >>> 0, bits: p.size };
  }
}

/** The first pool subnet overlapping neither a used subnet nor a route on the host. */
export function pickSubnet(pools: AddressPool[], used: Cidr4[]): Cidr4 | null {
  for (const c of candidateSubnets(pools)) if (!used.some((u) => overlaps4(u, c))) return c;
  return null;
}

export function ipv4Subnets(nets: NetworkRecord[]): Cidr4[] {
  const out: Cidr4[] = [];
  for (const n of nets)
    for (const c of n.ipam) {
      const p = parseCidr4(c.Subnet);
      if (p) out.push(p);
    }
  return out;
}

/** Validate a user's IPAM config (one IPv4 pool) and fill in the gateway. */
export function completePool(cfg: IpamPoolConfig, existing: Cidr4[]): IpamPoolConfig {
  const sub = parseCidr4(cfg.Subnet);
  if (!sub) throw invalid(`invalid CIDR address: ${cfg.Subnet}`);
  if (existing.some((e) => overlaps4(e, sub))) throw conflict('Pool overlaps with other one on this address space');
  const out: IpamPoolConfig = { Subnet: fmtCidr4(sub) };
  if (cfg.IPRange) {
    const r = parseCidr4(cfg.IPRange);
    if (!r) throw invalid(`invalid CIDR address: ${cfg.IPRange}`);
    if (r.bits < sub.bits || !contains4(sub, r.base))
      throw invalid(`Invalid Address: IP range ${cfg.IPRange} is not within subnet ${cfg.Subnet}`);
    out.IPRange = fmtCidr4(r);
  }
  if (cfg.Gateway) {
    const g = parseIp4(cfg.Gateway);
    if (g === null) throw invalid(`invalid gateway address ${cfg.Gateway}`);
    if (!contains4(sub, g))
      throw invalid(`Invalid Address: gateway ${cfg.Gateway} does not belong to subnet ${cfg.Subnet}`);
    out.Gateway = cfg.Gateway;
  } else out.Gateway = fmtIp4(sub.base + 1);
  if (cfg.AuxiliaryAddresses && Object.keys(cfg.AuxiliaryAddresses).length) {
    for (const [k, v] of Object.entries(cfg.AuxiliaryAddresses)) {
      const a = parseIp4(v);
      if (a === null || !contains4(sub, a))
        throw invalid(`invalid auxiliary address ${k}=${v}: not within subnet ${cfg.Subnet}`);
    }
    out.AuxiliaryAddresses = cfg.AuxiliaryAddresses;
  }
  return out;
}

function reserved(n: NetworkRecord, pool: IpamPoolConfig, sub: Cidr4): Set<number> {
  const s = new Set<number>([sub.base, (sub.base + size4(sub) - 1) >>> 0]);
  if (pool.Gateway) s.add(parseIp4(pool.Gateway)!);
  for (const v of Object.values(pool.AuxiliaryAddresses ?? {})) s.add(parseIp4(v)!);
  for (const ep of Object.values(n.endpoints)) if (ep.ip) s.add(parseIp4(ep.ip)!);
  return s;
}

/**
 * Allocate an IPv4 address on the network's first IPv4 pool: `want` if given (must be free and in the subnet),
 * else the next free one after the last handed out (libnetwork's sequential order, so a freed address is not
 * immediately reused). Mutates `n.lastIp`; the caller records the endpoint.
 */
export function allocateIp(n: NetworkRecord, want?: string): { ip: string; prefixLen: number; gateway: string } {
  const pool = n.ipam.find((p) => parseCidr4(p.Subnet));
  if (!pool) throw invalid(`network ${n.name} has no IPv4 pool`);
  const sub = parseCidr4(pool.Subnet)!;
  const used = reserved(n, pool, sub);
  const gateway = pool.Gateway ?? '';
  if (want) {
    const a = parseIp4(want);
    if (a === null) throw invalid(`invalid IPv4 address: ${want}`);
    if (!contains4(sub, a))
      throw invalid(`Invalid address ${want}: It does not belong to any of this network's subnets`);
    if (used.has(a)) throw conflict(`Address already in use`);
    return { ip: want, prefixLen: sub.bits, gateway };
  }
  const range = pool.IPRange ? parseCidr4(pool.IPRange)! : sub;
  const first = range.base;
  const count = size4(range);
  const start = n.lastIp !== undefined && contains4(range, n.lastIp) ? n.lastIp - first + 1 : 0;
  for (let i = 0; i < count; i++) {
    const a = (first + ((start + i) % count)) >>> 0;
    if (used.has(a) || !contains4(sub, a)) continue;
    n.lastIp = a;
    return { ip: fmtIp4(a), prefixLen: sub.bits, gateway };
  }
  throw unavailableErr(n.name);
}

function unavailableErr(name: string) {
  return conflict(`no available IPv4 addresses on this network's address pools: ${name}`);
}

/** Docker's MAC for an IPv4 address: 02:42 followed by the four address bytes. */
export function macFor(ip: string): string {
  const a = parseIp4(ip) ?? 0;
  const b = [0x02, 0x42, a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export { maskOf };

/** An address handed to an endpoint, with what its interface needs. */
export interface AddressLease {
  ip: string;
  prefixLen: number;
  gateway: string;
}

/** A network's pool request: the user's IPAM config entry, or none to pick one from the default pools. */
export interface PoolRequest {
  config?: Partial<IpamPoolConfig>;
  family: 4 | 6;
  /** The other networks, whose subnets a new pool must not overlap. */
  others: NetworkRecord[];
  /** Bridges whose host routes are ours (not a reason to skip a subnet). */
  ownBridges?: string[];
}

/**
 * Address management (libnetwork's ipamapi shape). The persisted endpoints are the allocation table, so an
 * address is free again once its endpoint is deleted from the network record, and a pool once its network is.
 */
export interface Ipam {
  requestPool(r: PoolRequest): Promise<IpamPoolConfig>;
  requestAddress(n: NetworkRecord, family: 4 | 6, want?: string): AddressLease;
  releaseAddress(n: NetworkRecord, ip: string): void;
  releasePool(n: NetworkRecord, pool: IpamPoolConfig): void;
}

const NO_POOL =
  'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network';

/** The built-in IPAM driver ("default"): the default address pools, sequential IPv4, first free IPv6. */
export class DefaultIpam implements Ipam {
  /** `routes`: IPv4 subnets routed on the host, except those of the given bridges (`ip route`). */
  constructor(
    private readonly pools: () => AddressPool[],
    private readonly routes: (ownBridges: string[]) => Promise<Cidr4[]>,
  ) {}

  async requestPool(r: PoolRequest): Promise<IpamPoolConfig> {
    const cfg = r.config;
    if (r.family === 6) {
      const existing6 = ipv6Subnets(r.others);
      if (cfg?.Subnet) return completePool6({ ...cfg, Subnet: cfg.Subnet }, existing6);
      if (cfg?.IPRange || cfg?.Gateway) throw invalid('ip-range and gateway require a subnet');
      return pickPool6(existing6);
    }
    const existing = ipv4Subnets(r.others);
    if (cfg?.Subnet) return completePool({ ...cfg, Subnet: cfg.Subnet }, existing);
    if (cfg?.IPRange || cfg?.Gateway) throw invalid('ip-range and gateway require a subnet');
    const sub = pickSubnet(this.pools(), [...existing, ...(await this.routes(r.ownBridges ?? []))]);
    if (!sub) throw new EngineError('unavailable', NO_POOL);
    return { Subnet: fmtCidr4(sub), Gateway: fmtIp4(sub.base + 1) };
  }

  requestAddress(n: NetworkRecord, family: 4 | 6, want?: string): AddressLease {
    return family === 4 ? allocateIp(n, want) : allocateIp6(n, want);
  }

  releaseAddress(): void {
    // the endpoint's removal from the network record frees it
  }

  releasePool(): void {
    // the network record's removal frees it
  }
}
