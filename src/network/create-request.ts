// A network create request checked with Docker's texts, before anything is allocated.
import { EngineError, conflict, invalid, notFound } from '../errdefs.js';
import type { NetworkDriver } from './driver.js';
import type { IpamPoolConfig, NetworkCreate, NetworkRecord } from './types.js';

export interface CheckedRequest {
  name: string;
  driver: NetworkDriver;
  /** The IPv4 pool asked for (none: pick one from the default pools). */
  v4?: Partial<IpamPoolConfig>;
  /** With EnableIPv6: the IPv6 pool asked for ({} when none: one comes from the default pool). */
  v6?: Partial<IpamPoolConfig>;
  /** Without EnableIPv6: an IPv6 pool given anyway, recorded as given and not used (Docker 27). */
  v6Unused?: IpamPoolConfig;
}

export function checkCreateRequest(
  req: NetworkCreate,
  taken: (name: string) => boolean,
  drivers: ReadonlyMap<string, NetworkDriver>,
): CheckedRequest {
  const name = req.name;
  if (!name) throw invalid('network name cannot be empty');
  if (taken(name)) throw conflict(`network with name ${name} already exists`);
  const type = req.driver || 'bridge';
  if (type === 'host' || type === 'null')
    throw new EngineError('forbidden', `only one instance of "${type}" network is allowed`);
  const driver = drivers.get(type);
  if (!driver) throw notFound(`plugin "${type}" not found`);
  if (req.ipamDriver && req.ipamDriver !== 'default') throw notFound(`plugin "${req.ipamDriver}" not found`);
  const v4cfg = req.pools.filter((c) => !c.Subnet?.includes(':'));
  const v6cfg = req.pools.filter((c) => c.Subnet?.includes(':')) as IpamPoolConfig[];
  if (v4cfg.length > 1) throw invalid('only one IPv4 subnet per network is supported');
  if (v6cfg.length > 1 && req.enableIPv6) throw invalid('only one IPv6 subnet per network is supported');
  // Docker 27 skips IPv6 pools when IPv6 is off (ValidateIPAM) and allocates none, but keeps them in the config
  if (!req.enableIPv6) return { name, driver, v4: v4cfg[0], v6Unused: v6cfg[0] };
  return { name, driver, v4: v4cfg[0], v6: v6cfg[0] ?? {} };
}

/** The pools in inspect's order (moby's buildIPAMResources): those the user gave, v4 then v6, then allocated ones. */
export function orderPools(r: CheckedRequest, v4: IpamPoolConfig, v6?: IpamPoolConfig): IpamPoolConfig[] {
  const six = v6 ?? r.v6Unused;
  const v4Given = !!r.v4?.Subnet;
  const v6Given = !!(r.v6Unused || r.v6?.Subnet);
  const order = [v4Given && v4, v6Given && six, !v4Given && v4, !v6Given && six];
  return order.filter((p): p is IpamPoolConfig => !!p);
}

/** The request's plain fields onto a new record. */
export function applyRequest(n: NetworkRecord, req: NetworkCreate, ipam: IpamPoolConfig[]): void {
  n.internal = req.internal;
  n.attachable = req.attachable;
  n.enableIPv6 = req.enableIPv6;
  n.labels = { ...req.labels };
  n.ipamOptions = req.ipamOptions;
  n.ipam = ipam;
}
