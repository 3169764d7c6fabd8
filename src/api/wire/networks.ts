// Docker's network JSON: GET /networks, a container's NetworkSettings and the Ports of `docker ps`.
// Built from network/'s records and views; the only place their PascalCase shape is written.
import { isUserNetwork } from '../../network/endpoints.js';
import type { NetworkView, Port } from './containers.js';
import type { ContainerNetworks, NetworkService } from '../../network/service.js';
import type {
  ContainerView,
  EndpointRecord,
  IpamPoolConfig,
  NetworkCreate,
  NetworkRecord,
} from '../../network/types.js';

type PortMap = Record<string, Array<{ HostIp: string; HostPort: string }> | null>;

/** POST /networks/create's body (moby's network.CreateRequest, the fields berth reads). */
export interface NetworkCreateRequest {
  Name?: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  IPAM?: {
    Driver?: string;
    Config?: Array<Partial<IpamPoolConfig>> | null;
    Options?: Record<string, string> | null;
  } | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export function networkCreate(req: NetworkCreateRequest): NetworkCreate {
  return {
    name: req.Name ?? '',
    driver: req.Driver ?? '',
    internal: !!req.Internal,
    attachable: !!req.Attachable,
    enableIPv6: !!req.EnableIPv6,
    ipamDriver: req.IPAM?.Driver ?? '',
    pools: req.IPAM?.Config ?? [],
    ipamOptions: req.IPAM?.Options ?? null,
    options: { ...(req.Options ?? {}) },
    labels: { ...(req.Labels ?? {}) },
  };
}

/** The answer to a create: the new network's id (Warning is always empty, as moby's today). */
export function networkCreateJson(n: NetworkRecord): { Id: string; Warning: string } {
  return { Id: n.id, Warning: '' };
}

/** A network as inspect (with its containers) and list (without) show it. */
export function networkJson(n: NetworkRecord, withContainers: boolean): object {
  const containers: Record<string, object> = {};
  if (withContainers)
    for (const ep of Object.values(n.endpoints))
      containers[ep.containerId] = {
        Name: ep.name,
        EndpointID: ep.id,
        MacAddress: ep.mac,
        IPv4Address: ep.ip ? `${ep.ip}/${ep.prefixLen}` : '',
        IPv6Address: ep.ipv6 ? `${ep.ipv6}/${ep.ipv6PrefixLen}` : '',
      };
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: n.enableIPv6,
    IPAM: { Driver: 'default', Options: isUserNetwork(n) ? n.ipamOptions : null, Config: n.ipam },
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: n.options,
    Labels: n.labels,
  };
}

const aliasesOf = (a: string[] | null | undefined) => (a?.length ? [...a] : null);

/** One entry of NetworkSettings.Networks (Docker's EndpointSettings). */
function endpointSettings(c: ContainerView, e: ContainerNetworks['entries'][number]): object {
  const { network: n, endpoint: ep, config: cfg } = e;
  const user = !!n && isUserNetwork(n);
  return {
    IPAMConfig: cfg.IPAMConfig ?? null,
    Links: cfg.Links ?? null,
    // the short id is in DNSNames (moby 1.45+); routes/containers-gates.ts adds it back for older clients
    Aliases: user ? aliasesOf(ep?.aliases ?? cfg.Aliases) : null,
    // before it runs, a container shows the MAC and driver options it asked for (Docker does)
    MacAddress: ep?.mac ?? cfg.MacAddress ?? '',
    DriverOpts: (cfg.DriverOpts as Record<string, string> | null | undefined) ?? null,
    NetworkID: n?.id ?? '',
    EndpointID: ep?.id ?? '',
    Gateway: ep?.gateway ?? '',
    IPAddress: ep?.ip ?? '',
    IPPrefixLen: ep?.prefixLen ?? 0,
    IPv6Gateway: ep?.ipv6Gateway ?? '',
    GlobalIPv6Address: ep?.ipv6 ?? '',
    GlobalIPv6PrefixLen: ep?.ipv6PrefixLen ?? 0,
    DNSNames: user && ep ? [c.name, ...ep.aliases, c.id.slice(0, 12)] : null,
  };
}

/** Docker's NetworkSettings for container inspect. */
export function networkSettingsJson(
  c: ContainerView,
  v: ContainerNetworks,
): { Networks: Record<string, object> } & Record<string, unknown> {
  const networks: Record<string, object> = {};
  let top: EndpointRecord | undefined;
  let ports: PortMap = {};
  for (const e of v.entries) {
    const { network: n, endpoint: ep } = e;
    if (n?.isDefault && ep) top = ep;
    if (ep?.ports.length || (ep && n && Object.keys(networks).length === 0)) ports = portMap(c, ep);
    networks[e.name] = endpointSettings(c, e);
  }
  const sandbox = v.sandboxKey;
  return {
    Bridge: '',
    SandboxID: sandbox ? c.id : '',
    SandboxKey: sandbox ?? '',
    Ports: ports,
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: top?.id ?? '',
    Gateway: top?.gateway ?? '',
    GlobalIPv6Address: top?.ipv6 ?? '',
    GlobalIPv6PrefixLen: top?.ipv6PrefixLen ?? 0,
    IPAddress: top?.ip ?? '',
    IPPrefixLen: top?.prefixLen ?? 0,
    IPv6Gateway: top?.ipv6Gateway ?? '',
    MacAddress: top?.mac ?? '',
    Networks: networks,
  };
}

/** NetworkSettings.Ports: every exposed port, with its host bindings when published. */
function portMap(c: ContainerView, ep: EndpointRecord): PortMap {
  const out: PortMap = {};
  for (const k of Object.keys(c.config.ExposedPorts ?? {})) out[k.includes('/') ? k : `${k}/tcp`] = null;
  for (const p of ep.ports) {
    const k = `${p.containerPort}/${p.proto}`;
    (out[k] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  }
  return out;
}

/** The `Ports` list of `docker ps`: published ports, then exposed ones that are not. */
export function portSummaryJson(c: ContainerView, endpoints: EndpointRecord[]): Port[] {
  const out: Port[] = [];
  const published = new Set<string>();
  for (const ep of endpoints)
    for (const p of ep.ports) {
      out.push({ IP: p.hostIp, PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.proto });
      published.add(`${p.containerPort}/${p.proto}`);
    }
  for (const k of Object.keys(c.config.ExposedPorts ?? {})) {
    const [port, proto = 'tcp'] = k.split('/');
    if (!published.has(`${port}/${proto}`)) out.push({ PrivatePort: Number(port), Type: proto });
  }
  return out;
}

/** The container routes' `network` view: NetworkSettings and ps Ports. */
export function containerNetworkView(net: NetworkService): (c: ContainerView) => NetworkView & { ports: Port[] } {
  return (c) => ({
    settings: networkSettingsJson(c, net.containerNetworks(c)),
    ports: portSummaryJson(c, net.endpointsOf(c.id)),
  });
}
