// IPv6 pools and addresses: a user's IPv6 subnet checked with Docker 27's texts (api/types/network ValidateIPAM), or
// one from the default ULA pool, and addresses handed out inside the pool's IPRange.
import { EngineError, conflict, invalid } from '../errdefs.js';
import { type Cidr6, fmtCidr6, fmtIp6, parseCidr4, parseCidr6, parseIp4, parseIp6 } from './ip.js';
import type { IpamPoolConfig, NetworkRecord } from './types.js';

/** Where an IPv6 network without a subnet gets one: /64s of fd00::/8, as Docker 27's default pool. */
export const DEFAULT_POOL6 = { base: 'fd00::/8', size: 64 } as const;

/** The IPv6 pool the network uses: none unless IPv6 is enabled (a v6 subnet given without it is only recorded). */
export function pool6(n: NetworkRecord): IpamPoolConfig | undefined {
  return n.enableIPv6 ? n.ipam.find((p) => parseCidr6(p.Subnet)) : undefined;
}

const contains6 = (c: Cidr6, ip: bigint) => ip >> BigInt(128 - c.bits) === c.base >> BigInt(128 - c.bits);
export const overlaps6 = (a: Cidr6, b: Cidr6) => contains6(a, b.base) || contains6(b, a.base);

/** The IPv6 subnets networks with IPv6 enabled use. */
export function ipv6Subnets(nets: NetworkRecord[]): Cidr6[] {
  return nets.flatMap((n) => {
    const p = pool6(n);
    return p ? [parseCidr6(p.Subnet)!] : [];
  });
}

const badConfig = (why: string) => invalid(`invalid network config:\n${why}`);

/** An address of the subnet's family inside it (Docker's validateAddress), else why not. */
function addressProblem(addr: string, sub: Cidr6, subnet: string): string | null {
  if (parseIp4(addr) !== null) return 'parent subnet is an IPv6 block';
  const a = parseIp6(addr);
  if (a === null) return 'invalid address';
  if (!contains6(sub, a)) return `parent subnet ${subnet} doesn't contain this address`;
  return null;
}

/** Validate a user's IPv6 pool (given with EnableIPv6) and fill in the gateway (the subnet's ::1). */
export function completePool6(cfg: IpamPoolConfig, existing: Cidr6[]): IpamPoolConfig {
  const sub = parseCidr6(cfg.Subnet);
  if (!sub) throw invalid(`invalid CIDR address: ${cfg.Subnet}`);
  const masked = fmtCidr6(sub);
  if (parseIp6(cfg.Subnet.split('/')[0]!) !== sub.base)
    throw badConfig(`invalid subnet ${cfg.Subnet}: it should be ${masked}`);
  const out: IpamPoolConfig = { Subnet: cfg.Subnet };
  if (cfg.IPRange) {
    const r = parseCidr6(cfg.IPRange);
    if (!r) {
      const why = parseCidr4(cfg.IPRange) ? 'parent subnet is an IPv6 block' : 'invalid CIDR block notation';
      throw badConfig(`invalid ip-range ${cfg.IPRange}: ${why}`);
    }
    if (r.bits < sub.bits)
      throw badConfig(`invalid ip-range ${cfg.IPRange}: CIDR block is bigger than its parent subnet ${cfg.Subnet}`);
    if (!contains6(sub, r.base))
      throw badConfig(`invalid ip-range ${cfg.IPRange}: parent subnet ${cfg.Subnet} doesn't contain ip-range`);
    out.IPRange = cfg.IPRange;
  }
  if (cfg.Gateway) {
    const why = addressProblem(cfg.Gateway, sub, cfg.Subnet);
    if (why) throw badConfig(`invalid gateway ${cfg.Gateway}: ${why}`);
  }
  out.Gateway = cfg.Gateway || fmtIp6(sub.base + 1n);
  for (const [k, v] of Object.entries(cfg.AuxiliaryAddresses ?? {})) {
    const why = addressProblem(v, sub, cfg.Subnet);
    if (why) throw badConfig(`invalid auxiliary address ${k}: ${why}`);
  }
  if (cfg.AuxiliaryAddresses && Object.keys(cfg.AuxiliaryAddresses).length)
    out.AuxiliaryAddresses = cfg.AuxiliaryAddresses;
  if (existing.some((e) => overlaps6(e, sub))) throw conflict('Pool overlaps with other one on this address space');
  return out;
}

const NO_POOL6 =
  'could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network';

/** The first /64 of the default pool no IPv6 network uses. */
export function pickPool6(existing: Cidr6[]): IpamPoolConfig {
  const base = parseCidr6(DEFAULT_POOL6.base)!;
  const step = 1n << BigInt(128 - DEFAULT_POOL6.size);
  for (let i = 0n; i < 1n << 16n; i++) {
    const c = { base: base.base + i * step, bits: DEFAULT_POOL6.size };
    if (!existing.some((e) => overlaps6(e, c))) return { Subnet: fmtCidr6(c), Gateway: fmtIp6(c.base + 1n) };
  }
  throw new EngineError('unavailable', NO_POOL6);
}

/**
 * An IPv6 address on the network's IPv6 pool: `want` if given (in the subnet and free), else the first free one of
 * the IPRange (or subnet) after its base address, skipping the gateway and auxiliary addresses.
 */
export function allocateIp6(n: NetworkRecord, want?: string): { ip: string; prefixLen: number; gateway: string } {
  const pool = n.ipam.find((p) => parseCidr6(p.Subnet));
  if (!pool) throw invalid(`network ${n.name} has no IPv6 pool`);
  const sub = parseCidr6(pool.Subnet)!;
  const taken = new Set<bigint>();
  for (const a of [pool.Gateway, ...Object.values(pool.AuxiliaryAddresses ?? {})])
    if (a && parseIp6(a) !== null) taken.add(parseIp6(a)!);
  for (const e of Object.values(n.endpoints)) if (e.ipv6) taken.add(parseIp6(e.ipv6)!);
  const lease = (v: bigint) => ({ ip: fmtIp6(v), prefixLen: sub.bits, gateway: pool.Gateway ?? '' });
  if (want) {
    const a = parseIp6(want);
    if (a === null) throw invalid(`invalid IPv6 address: ${want}`);
    if (!contains6(sub, a))
      throw invalid(`Invalid address ${want}: It does not belong to any of this network's subnets`);
    if (taken.has(a)) throw conflict('Address already in use');
    return lease(a);
  }
  const range = (pool.IPRange && parseCidr6(pool.IPRange)) || sub;
  const size = 1n << BigInt(128 - range.bits);
  for (let k = 1n; k < size && k < 1n << 20n; k++) if (!taken.has(range.base + k)) return lease(range.base + k);
  throw conflict(`no available IPv6 addresses on this network's address pools: ${n.name}`);
}
