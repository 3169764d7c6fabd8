// NetworkDriver: what one kind of network (bridge today; macvlan or ipvlan later, each in its own folder) does to
// the host and to a container's namespace. libnetwork's driverapi shape; the service owns records, addresses,
// ports, DNS and persistence, and calls the driver for the plumbing only.
import type { FwNetwork, FwPort, FwState } from './firewall/rules.js';
import type { EndpointRecord, NetworkRecord } from './types.js';

export interface NetworkDriver {
  /** The name in `docker network create --driver` and in NetworkRecord.driver. */
  readonly type: string;
  /** Check a new network's driver options and set the driver's fields of its record (e.g. the bridge's name). */
  configure(n: NetworkRecord, others: NetworkRecord[]): void;
  /** Bring the network's host side up. Idempotent: also runs for every network at daemon start. */
  createNetwork(n: NetworkRecord): Promise<void>;
  deleteNetwork(n: NetworkRecord): Promise<void>;
  /** Give a new endpoint the driver's own names (e.g. the host-side interface) before it is recorded. */
  createEndpoint(n: NetworkRecord, ep: EndpointRecord): void;
  deleteEndpoint(n: NetworkRecord, ep: EndpointRecord): Promise<void>;
  /** Plumb the endpoint into the namespace; `defaultRoute` for the container's first network. */
  join(n: NetworkRecord, ep: EndpointRecord, netnsPath: string, o: { defaultRoute: boolean }): Promise<void>;
  /** Undo join; must succeed on an endpoint whose join failed half-way. */
  leave(n: NetworkRecord, ep: EndpointRecord): Promise<void>;
  /** The network's share of berth's iptables state (pure). */
  firewall(n: NetworkRecord): { networks: FwNetwork[]; ports: FwPort[] };
}

/** Drivers by type, built once in the composition root (no self-registration). */
export type DriverTable = ReadonlyMap<string, NetworkDriver>;

/** berth's whole iptables state: every network's share, from its driver. */
export function firewallState(nets: NetworkRecord[], drivers: DriverTable): FwState {
  const s: FwState = { networks: [], ports: [] };
  for (const n of nets) {
    const part = drivers.get(n.driver)?.firewall(n);
    if (!part) continue;
    s.networks.push(...part.networks);
    s.ports.push(...part.ports);
  }
  return s;
}
