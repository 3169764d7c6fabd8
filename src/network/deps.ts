// What NetworkService is built from: options, the container records (read; changed only through the container
// service), and seams that default to the real host (drivers, IPAM, firewall, namespaces, DNS, proxies).
import type { NetworkDriver } from './driver.js';
import type { Resolve } from './dns/server.js';
import type { FirewallPort } from './firewall/queue.js';
import type { Cidr4 } from './ip.js';
import type { Ipam } from './ipam.js';
import type { NetnsPort } from './netns.js';
import type { ProxyStarter } from './portmap/publisher.js';
import type { ContainerView } from './types.js';

export interface NetworkOptions {
  bip?: string;
  fixedCidr?: string;
  iptables: boolean;
  ipForward: boolean;
  userlandProxy: boolean;
  defaultAddressPools: string[];
  bridgeName?: string;
  /** dockerd's --host-gateway-ip: what `--add-host name:host-gateway` maps to (default: the default bridge's gateway). */
  hostGatewayIp?: string;
}

/** The container records as network/ sees them; the container service stays their only writer. */
export interface ContainerPort {
  find(ref: string): ContainerView | undefined;
  all(): ContainerView[];
  /** Queued, persisted change of a record. Never called while the network lock is held (start holds both). */
  update(id: string, mutate: (c: ContainerView) => void): Promise<void>;
}

export interface DnsPort {
  listen(ip: string): Promise<void>;
  close(ip: string): void;
  closeAll(): void;
}

export interface NetworkServiceDeps {
  dataRoot: string;
  execRoot: string;
  options: NetworkOptions;
  containers: ContainerPort;
  log: (level: 'debug' | 'info' | 'warn' | 'error', m: string) => void;
  // The seams below default to the real host; unit tests pass fakes.
  drivers?: NetworkDriver[];
  ipam?: Ipam;
  firewall?: FirewallPort;
  netns?: NetnsPort;
  dns?: (resolve: Resolve, upstreams: string[]) => DnsPort;
  proxy?: ProxyStarter;
  /** Whether the host can listen on IPv6 (then `-p` without an address also binds [::]). */
  ipv6Listenable?: () => Promise<boolean>;
  /** The host's resolv.conf text (default: read /etc/resolv.conf). */
  hostResolv?: string;
  routes?: (ownBridges: string[]) => Promise<Cidr4[]>;
}
