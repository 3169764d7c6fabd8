// A network create request checked with Docker's texts, before anything is allocated.
import { EngineError, conflict, invalid, notFound } from '../errdefs.js';
import type { NetworkDriver } from './driver.js';
import type { IpamPoolConfig, NetworkCreate, NetworkRecord } from './types.js';

export interface CheckedRequest {
  name: string;
  driver: NetworkDriver;
  /** The IPv4 pool asked for (none: pick one from the default pools). */
  v4?: Partial<IpamPoolConfig>;
  v6?: IpamPoolConfig;
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
  if (v6cfg.length && !req.enableIPv6)
    throw invalid('IPv6 subnet given but IPv6 is not enabled for the network (use --ipv6)');
  if (v4cfg.length > 1) throw invalid('only one IPv4 subnet per network is supported');
  return { name, driver, v4: v4cfg[0], v6: v6cfg[0] };
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
