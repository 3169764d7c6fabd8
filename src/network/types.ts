// Network and endpoint records as berthd persists them (one JSON file per network under <data-root>/networks).

export interface IpamPoolConfig {
  Subnet: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

export interface PortMapping {
  proto: 'tcp' | 'udp';
  hostIp: string; // '0.0.0.0' for all
  hostPort: number;
  containerPort: number;
}

export interface EndpointRecord {
  id: string;
  containerId: string;
  name: string; // container name, for DNS and inspect
  ifname: string; // eth0, eth1 … inside the container
  hostVeth: string;
  ip: string;
  prefixLen: number;
  gateway: string;
  mac: string;
  ipv6: string;
  ipv6PrefixLen: number;
  ipv6Gateway: string;
  aliases: string[]; // --network-alias / connect --alias
  links: string[]; // "target:alias" for user-network links
  ports: PortMapping[]; // published ports DNAT'ed to this endpoint
}

export interface NetworkRecord {
  id: string;
  name: string;
  /** 'host' and 'null' (the predefined networks), else a NetworkDriver's type ('bridge'). */
  driver: string;
  created: string;
  internal: boolean;
  attachable: boolean;
  enableIPv6: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  ipamOptions: Record<string, string> | null;
  ipam: IpamPoolConfig[]; // with Gateway filled in for bridge networks
  bridge: string; // Linux bridge name ('' for host/null)
  /** The predefined bridge (legacy links, no DNS, not removable). */
  isDefault: boolean;
  endpoints: Record<string, EndpointRecord>; // by container id
  lastIp?: number; // sequential allocation pointer, like libnetwork's
}

/** What a container asked for on one network (Docker's EndpointSettings subset). */
export interface EndpointRequest {
  aliases: string[];
  links: string[];
  ipv4?: string;
  ipv6?: string;
  mac?: string;
}

/** The parts of a container the network layer reads (engine's ContainerRecord fits structurally). */
export interface ContainerView {
  id: string;
  name: string;
  config: {
    Hostname: string;
    Domainname: string;
    Env: string[] | null;
    ExposedPorts?: Record<string, object> | null;
    MacAddress?: string;
  };
  hostConfig: {
    NetworkMode: string;
    PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null;
    PublishAllPorts: boolean;
    Links: string[] | null;
    ExtraHosts: string[] | null;
    Dns: string[] | null;
    DnsSearch: string[] | null;
    DnsOptions: string[] | null;
  };
  networkingConfig: unknown;
  state: { status: string; pid: number };
  hostsPath: string;
  resolvConfPath: string;
}

/** Docker's EndpointSettings as a container asks for it (NetworkingConfig.EndpointsConfig[name]). */
export interface EndpointsConfigEntry {
  Aliases?: string[] | null;
  Links?: string[] | null;
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string } | null;
  MacAddress?: string;
  [k: string]: unknown;
}

/** A network to create (api/wire/networks.ts converts Docker's request to it). */
export interface NetworkCreate {
  name: string;
  /** '' for the default driver (bridge). */
  driver: string;
  internal: boolean;
  attachable: boolean;
  enableIPv6: boolean;
  /** '' for the default IPAM driver. */
  ipamDriver: string;
  /** The pools asked for; a Subnet may be missing (then one comes from the default pools). */
  pools: Array<Partial<IpamPoolConfig>>;
  /** null when the request gave none (inspect shows it as given). */
  ipamOptions: Record<string, string> | null;
  options: Record<string, string>;
  labels: Record<string, string>;
}

/** What a container's start needs from the network layer (setup writes its hosts and resolv.conf itself). */
export interface NetworkSetup {
  netnsPath?: string;
  /** Legacy link variables, before the container's own Env. */
  env?: string[];
}

/** The networks a container is configured for, each with its record and endpoint when they exist. */
export interface ContainerNetworks {
  entries: Array<{ name: string; network?: NetworkRecord; endpoint?: EndpointRecord; config: EndpointsConfigEntry }>;
  /** The namespace's path while it exists. */
  sandboxKey?: string;
}
