// NetworkService: networks (bridge/host/null), endpoints of containers, published ports and the embedded DNS.
// State that must survive restarts (networks, endpoints with their addresses and ports) is persisted per network;
// the firewall is regenerated from it, so a restart never duplicates rules and no address is handed out twice.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { EngineError, conflict, invalid, notFound } from '../errdefs.js';
import { writeFileAtomic } from '../util/atomic.js';
import { deleteBridge, ensureBridge, joinBridge, leaveBridge, redirectDns } from './bridge/bridge.js';
import { DnsServer } from './dns/server.js';
import { TYPE_A, TYPE_AAAA, type Question } from './dns/packet.js';
import { writeEtcFiles, writeInitialEtcFiles } from './container-files.js';
import { buildHosts, buildResolvConf, hostNameservers, linkEnv } from './etc.js';
import { run } from './exec.js';
import { Firewall } from './firewall/firewall.js';
import type { FwState } from './firewall/rules.js';
import { fmtCidr4, fmtIp4, fmtIp6, parseCidr4, parseCidr6, parseIp4, parseIp6, type Cidr4 } from './ip.js';
import { allocateIp, completePool, DEFAULT_POOLS, ipv4Subnets, macFor, parsePoolFlag, pickSubnet, type AddressPool } from './ipam.js';
import { Netns } from './netns.js';
import { PortAllocator, ephemeralRange } from './portmap/allocator.js';
import { portRequests } from './portmap/bindings.js';
import { startTcpProxy, startUdpProxy, type Proxy } from './portmap/proxy.js';
import type { EndpointRecord, EndpointRequest, IpamPoolConfig, NetworkRecord, PortMapping } from './types.js';

/** The parts of a container the network layer reads (engine's ContainerRecord fits structurally). */
export interface ContainerView {
  id: string;
  name: string;
  config: { Hostname: string; Domainname: string; Env: string[] | null; ExposedPorts?: Record<string, object> | null; MacAddress?: string };
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

export interface NetworkOptions {
  bip?: string;
  fixedCidr?: string;
  iptables: boolean;
  ipForward: boolean;
  userlandProxy: boolean;
  defaultAddressPools: string[];
  bridgeName?: string;
}

export interface NetworkServiceDeps {
  dataRoot: string;
  execRoot: string;
  options: NetworkOptions;
  containers: {
    find(ref: string): ContainerView | undefined;
    all(): ContainerView[];
    save(c: ContainerView): Promise<void>;
  };
  log: (level: 'debug' | 'info' | 'warn' | 'error', m: string) => void;
}

export interface NetworkSetup {
  netnsPath?: string;
  hosts?: string;
  resolvConf?: string;
  env?: string[];
}

export interface CreateNetworkRequest {
  Name?: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Config?: IpamPoolConfig[] | null; Options?: Record<string, string> | null } | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

interface EndpointsConfigEntry {
  Aliases?: string[] | null;
  Links?: string[] | null;
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string } | null;
  MacAddress?: string;
  [k: string]: unknown;
}

const BUILTIN = new Set(['bridge', 'host', 'none']);
const isRunning = (c: ContainerView) => ['running', 'paused', 'restarting'].includes(c.state.status);

export class NetworkService {
  readonly nets = new Map<string, NetworkRecord>();
  private readonly netns: Netns;
  private readonly fw: Firewall;
  private readonly ports: PortAllocator;
  private readonly proxies = new Map<string, Proxy[]>(); // container id → proxies
  private readonly dns: DnsServer;
  private readonly rr = new Map<string, number>(); // round-robin counters per name
  private readonly dnsRedirected = new Set<string>();
  private readonly envs = new Map<string, string[]>(); // legacy link variables per container
  private lock: Promise<unknown> = Promise.resolve();
  private hostResolv = '';
  private pools: AddressPool[] = DEFAULT_POOLS;

  constructor(readonly d: NetworkServiceDeps) {
    this.netns = new Netns(path.join(d.execRoot, 'netns'));
    this.fw = new Firewall(d.options.iptables);
    let range: [number, number] = [49153, 60999];
    try {
      range = ephemeralRange(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'));
    } catch {
      /* default */
    }
    this.ports = new PortAllocator(range);
    this.hostResolv = readText('/etc/resolv.conf');
    this.dns = new DnsServer({ resolve: (ip, q) => this.resolveName(ip, q), upstreams: hostNameservers(this.hostResolv) });
  }

  private get dir(): string {
    return path.join(this.d.dataRoot, 'networks');
  }

  /** Serialise mutations (address allocation + plumbing + persistence). */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.lock.then(fn, fn);
    this.lock = p.catch(() => {});
    return p;
  }

  private async persist(n: NetworkRecord): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(path.join(this.dir, `${n.id}.json`), JSON.stringify(n));
  }

  // ------------------------------------------------------------------ startup / shutdown
  async init(): Promise<void> {
    if (this.d.options.defaultAddressPools.length) this.pools = this.d.options.defaultAddressPools.map(parsePoolFlag);
    await fsp.mkdir(this.dir, { recursive: true });
    for (const f of await fsp.readdir(this.dir)) {
      if (!f.endsWith('.json')) continue;
      try {
        const n = JSON.parse(await fsp.readFile(path.join(this.dir, f), 'utf8')) as NetworkRecord;
        this.nets.set(n.id, n);
      } catch (e) {
        this.d.log('warn', `network state ${f}: ${(e as Error).message}`);
      }
    }
    if (this.d.options.ipForward) await fsp.writeFile('/proc/sys/net/ipv4/ip_forward', '1').catch(() => {});
    for (const [name, driver] of [['host', 'host'], ['none', 'null']] as const)
      if (!this.byName(name)) await this.persist(this.newRecord(name, driver, {}));
    let def = this.byName('bridge');
    // keep the default bridge's subnet across restarts unless the flags ask for another one
    const keep = def && !this.d.options.bip && !this.d.options.fixedCidr && def.ipam[0] && !def.ipam[0].IPRange;
    const wanted = keep ? def!.ipam[0]! : await this.defaultBridgePool();
    if (def && (def.ipam[0]?.Subnet !== wanted.Subnet || def.ipam[0]?.Gateway !== wanted.Gateway || def.ipam[0]?.IPRange !== wanted.IPRange)) {
      if (Object.keys(def.endpoints).length === 0) {
        def.ipam = [wanted];
        await this.persist(def);
      }
    }
    if (!def) {
      def = this.newRecord('bridge', 'bridge', {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
        'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
        'com.docker.network.bridge.name': this.d.options.bridgeName ?? 'berth0',
        'com.docker.network.driver.mtu': '1500',
      });
      def.isDefault = true;
      def.bridge = this.d.options.bridgeName ?? 'berth0';
      def.ipam = [wanted];
      await this.persist(def);
    }
    for (const n of this.nets.values()) if (n.driver === 'bridge') await this.upBridge(n);
    await this.applyFirewall();
  }

  private async defaultBridgePool(): Promise<IpamPoolConfig> {
    const o = this.d.options;
    if (o.bip) {
      const i = o.bip.indexOf('/');
      const gw = o.bip.slice(0, i);
      const sub = parseCidr4(o.bip);
      if (!sub || parseIp4(gw) === null) throw invalid(`invalid --bip: ${o.bip}`);
      const p: IpamPoolConfig = { Subnet: fmtCidr4(sub), Gateway: gw };
      if (o.fixedCidr) p.IPRange = completePool({ Subnet: p.Subnet, IPRange: o.fixedCidr }, []).IPRange;
      return p;
    }
    const existing = this.byName('bridge');
    const others = ipv4Subnets([...this.nets.values()].filter((n) => n !== existing));
    const sub = pickSubnet(this.pools, [...others, ...(await routedSubnets([this.d.options.bridgeName ?? 'berth0']))]);
    if (!sub) throw new EngineError('unavailable', 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
    const p: IpamPoolConfig = { Subnet: fmtCidr4(sub), Gateway: fmtIp4(sub.base + 1) };
    if (o.fixedCidr) p.IPRange = completePool({ Subnet: p.Subnet, IPRange: o.fixedCidr }, []).IPRange;
    return p;
  }

  private async upBridge(n: NetworkRecord): Promise<void> {
    const v4 = n.ipam.find((p) => parseCidr4(p.Subnet));
    const v6 = n.ipam.find((p) => parseCidr6(p.Subnet));
    await ensureBridge(
      n.bridge,
      `${v4!.Gateway}/${parseCidr4(v4!.Subnet)!.bits}`,
      v6?.Gateway ? `${v6.Gateway}/${parseCidr6(v6.Subnet)!.bits}` : undefined,
    );
    if (!n.isDefault && v4?.Gateway) await this.dns.listen(v4.Gateway).catch((e) => this.d.log('warn', `embedded DNS on ${v4.Gateway}: ${(e as Error).message}`));
  }

  /** After the containers were restored: keep endpoints of running containers, release the rest. */
  async restore(): Promise<void> {
    await this.locked(async () => {
      for (const n of this.nets.values()) {
        let changed = false;
        for (const [cid, ep] of Object.entries(n.endpoints)) {
          const c = this.d.containers.find(cid);
          if (c && isRunning(c)) {
            if (n.driver === 'bridge' && !n.isDefault) this.dnsRedirected.add(cid);
            continue;
          }
          await leaveBridge(ep).catch(() => {});
          for (const p of ep.ports) this.ports.release(p.proto, p.hostIp, p.hostPort);
          delete n.endpoints[cid];
          changed = true;
        }
        if (changed) await this.persist(n);
      }
      // ports of survivors: re-reserve and restart their proxies
      for (const n of this.nets.values())
        for (const ep of Object.values(n.endpoints)) {
          for (const p of ep.ports) this.ports.reserve(p.proto, p.hostIp, p.hostPort, ep.containerId);
          if (this.d.options.userlandProxy && ep.ports.length) {
            const list: Proxy[] = [];
            for (const p of ep.ports)
              list.push(await this.startProxy(p, ep.ip).catch((e) => (this.d.log('warn', `proxy ${p.hostPort}: ${(e as Error).message}`), { close() {} })));
            this.proxies.set(ep.containerId, list);
          }
        }
      // namespaces of containers that are gone
      const live = new Set(this.d.containers.all().filter(isRunning).map((c) => c.id));
      for (const id of this.netns.list()) if (!live.has(id)) await this.netns.remove(id);
      await this.applyFirewall();
    });
  }

  /** Daemon shutdown: stop proxies and DNS; with nothing attached, remove bridges and rules too. */
  async shutdown(): Promise<void> {
    for (const list of this.proxies.values()) for (const p of list) p.close();
    this.proxies.clear();
    this.dns.closeAll();
    const busy = [...this.nets.values()].some((n) => Object.keys(n.endpoints).length > 0);
    if (busy) return;
    for (const n of this.nets.values()) if (n.driver === 'bridge') await deleteBridge(n.bridge).catch(() => {});
    await this.fw.cleanup().catch(() => {});
  }

  // ------------------------------------------------------------------ lookup
  byName(name: string): NetworkRecord | undefined {
    for (const n of this.nets.values()) if (n.name === name) return n;
    return undefined;
  }

  find(ref: string): NetworkRecord {
    const n = this.tryFind(ref);
    if (!n) throw notFound(`network ${ref} not found`);
    return n;
  }

  tryFind(ref: string): NetworkRecord | undefined {
    if (!ref) return undefined;
    const byId = this.nets.get(ref);
    if (byId) return byId;
    const byName = this.byName(ref);
    if (byName) return byName;
    const pref = [...this.nets.values()].filter((n) => n.id.startsWith(ref));
    if (pref.length === 1) return pref[0];
    if (pref.length > 1) throw invalid(`network ${ref} is ambiguous (${pref.length} matches found based on ID prefix)`);
    return undefined;
  }

  list(): NetworkRecord[] {
    return [...this.nets.values()];
  }

  private newRecord(name: string, driver: NetworkRecord['driver'], options: Record<string, string>): NetworkRecord {
    const n: NetworkRecord = {
      id: randomBytes(32).toString('hex'),
      name,
      driver,
      created: new Date().toISOString(),
      internal: false,
      attachable: false,
      enableIPv6: false,
      labels: {},
      options,
      ipamOptions: null,
      ipam: [],
      bridge: '',
      isDefault: false,
      endpoints: {},
    };
    this.nets.set(n.id, n);
    return n;
  }

  // ------------------------------------------------------------------ networks API
  create(req: CreateNetworkRequest): Promise<{ Id: string; Warning: string }> {
    return this.locked(async () => {
      const name = req.Name ?? '';
      if (!name) throw invalid('network name cannot be empty');
      if (this.byName(name)) throw conflict(`network with name ${name} already exists`);
      const driver = req.Driver || 'bridge';
      if (driver === 'host' || driver === 'null') throw new EngineError('forbidden', `only one instance of "${driver}" network is allowed`);
      if (driver !== 'bridge') throw notFound(`plugin "${driver}" not found`);
      if (req.IPAM?.Driver && req.IPAM.Driver !== 'default') throw notFound(`plugin "${req.IPAM.Driver}" not found`);
      const cfgs = req.IPAM?.Config ?? [];
      const v4cfg = cfgs.filter((c) => !c.Subnet || !c.Subnet.includes(':'));
      const v6cfg = cfgs.filter((c) => c.Subnet?.includes(':'));
      if (v6cfg.length && !req.EnableIPv6) throw invalid('IPv6 subnet given but IPv6 is not enabled for the network (use --ipv6)');
      if (v4cfg.length > 1) throw invalid('only one IPv4 subnet per network is supported');
      const existing = ipv4Subnets([...this.nets.values()]);
      let pool: IpamPoolConfig;
      if (v4cfg[0]?.Subnet) pool = completePool(v4cfg[0], existing);
      else {
        if (v4cfg[0]?.IPRange || v4cfg[0]?.Gateway) throw invalid('ip-range and gateway require a subnet');
        const sub = pickSubnet(this.pools, [...existing, ...(await routedSubnets())]);
        if (!sub) throw new EngineError('unavailable', 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
        pool = { Subnet: fmtCidr4(sub), Gateway: fmtIp4(sub.base + 1) };
      }
      const ipam = [pool];
      if (v6cfg[0]) {
        const s6 = parseCidr6(v6cfg[0].Subnet);
        if (!s6) throw invalid(`invalid CIDR address: ${v6cfg[0].Subnet}`);
        ipam.push({ Subnet: v6cfg[0].Subnet, Gateway: v6cfg[0].Gateway || fmtIp6(s6.base + 1n) });
      }
      const opts = { ...(req.Options ?? {}) };
      const id = randomBytes(32).toString('hex');
      const bridge = opts['com.docker.network.bridge.name'] || `br-${id.slice(0, 12)}`;
      if (bridge.length > 15) throw invalid(`bridge name ${bridge} is too long`);
      if ([...this.nets.values()].some((n) => n.bridge === bridge)) throw conflict(`bridge name ${bridge} is already in use`);
      const n = this.newRecord(name, 'bridge', opts);
      this.nets.delete(n.id);
      n.id = id;
      this.nets.set(id, n);
      n.internal = !!req.Internal;
      n.attachable = !!req.Attachable;
      n.enableIPv6 = !!req.EnableIPv6;
      n.labels = { ...(req.Labels ?? {}) };
      n.ipamOptions = req.IPAM?.Options ?? null;
      n.ipam = ipam;
      n.bridge = bridge;
      try {
        await this.upBridge(n);
        await this.persist(n);
        await this.applyFirewall();
      } catch (e) {
        this.nets.delete(id);
        await deleteBridge(bridge).catch(() => {});
        await fsp.rm(path.join(this.dir, `${id}.json`), { force: true });
        throw e;
      }
      return { Id: id, Warning: '' };
    });
  }

  remove(ref: string): Promise<void> {
    return this.locked(async () => {
      const n = this.find(ref);
      if (BUILTIN.has(n.name) && (n.isDefault || n.driver !== 'bridge'))
        throw new EngineError('forbidden', `${n.name} is a pre-defined network and cannot be removed`);
      if (Object.keys(n.endpoints).length)
        throw new EngineError('forbidden', `error while removing network: network ${n.name} id ${n.id} has active endpoints`);
      const gw = n.ipam.find((p) => parseCidr4(p.Subnet))?.Gateway;
      if (gw) this.dns.close(gw);
      await deleteBridge(n.bridge);
      this.nets.delete(n.id);
      await fsp.rm(path.join(this.dir, `${n.id}.json`), { force: true });
      await this.applyFirewall();
    });
  }

  async prune(match: (n: NetworkRecord) => boolean): Promise<string[]> {
    const out: string[] = [];
    for (const n of [...this.nets.values()]) {
      if (BUILTIN.has(n.name) || Object.keys(n.endpoints).length || !match(n)) continue;
      try {
        await this.remove(n.id);
        out.push(n.name);
      } catch (e) {
        this.d.log('warn', `network prune ${n.name}: ${(e as Error).message}`);
      }
    }
    return out;
  }

  async connect(ref: string, cref: string, cfg: EndpointsConfigEntry | null | undefined): Promise<void> {
    const n = this.find(ref);
    const c = this.d.containers.find(cref);
    if (!c) throw notFound(`No such container: ${cref}`);
    const nm = c.hostConfig.NetworkMode;
    if (n.driver !== 'bridge' || nm === 'host') throw new EngineError('forbidden', 'container cannot be disconnected from host network or connected to host network');
    if (nm === 'none' || nm.startsWith('container:'))
      throw new EngineError('forbidden', `container sharing network namespace with another container or host cannot be connected to any other network`);
    const want = endpointsConfig(c);
    if (want[n.name] || n.endpoints[c.id]) throw new EngineError('forbidden', `endpoint with name ${c.name} already exists in network ${n.name}`);
    const entry: EndpointsConfigEntry = { ...(cfg ?? {}) };
    validateEndpointConfig(n, entry);
    await this.locked(async () => {
      if (isRunning(c) && this.netns.exists(c.id)) {
        await this.join(c, n, toRequest(entry), this.netns.pathOf(c.id), false);
        await this.persist(n);
        // like libnetwork: joining a user network starts the embedded resolver for the container
        if (!n.isDefault && !/^\s*nameserver\s+127\.0\.0\.11/m.test(readText(c.resolvConfPath)))
          await writeEtcFiles(c, {
            resolvConf: buildResolvConf({ host: this.hostResolv, embedded: true, dns: [], search: c.hostConfig.DnsSearch ?? [], options: c.hostConfig.DnsOptions ?? [] }),
          });
      }
      want[n.name] = { ...entry, Aliases: entry.Aliases ?? null };
      setEndpointsConfig(c, want);
      await this.d.containers.save(c);
    });
  }

  async disconnect(ref: string, cref: string, force: boolean): Promise<void> {
    const n = this.find(ref);
    const c = this.d.containers.find(cref);
    if (!c) {
      if (force) {
        for (const [cid, ep] of Object.entries(n.endpoints)) if (cid.startsWith(cref) || ep.name === cref) await this.locked(() => this.leave(n, cid));
        return;
      }
      throw notFound(`No such container: ${cref}`);
    }
    if (c.hostConfig.NetworkMode === 'host' && n.driver === 'host') throw new EngineError('forbidden', 'container cannot be disconnected from host network or connected to host network');
    const want = endpointsConfig(c);
    if (!want[n.name] && !n.endpoints[c.id]) throw new EngineError('forbidden', `container ${c.id} is not connected to network ${n.name}`);
    await this.locked(async () => {
      if (n.endpoints[c.id]) await this.leave(n, c.id);
      delete want[n.name];
      setEndpointsConfig(c, want);
      await this.d.containers.save(c);
      await this.applyFirewall();
    });
  }

  // ------------------------------------------------------------------ engine hooks
  /** At create: validate the network mode, links, ports and aliases; normalise HostConfig.Links and EndpointsConfig. */
  async prepare(c: ContainerView): Promise<void> {
    const nm = c.hostConfig.NetworkMode || 'bridge';
    portRequests(c.hostConfig.PortBindings, c.config.ExposedPorts, c.hostConfig.PublishAllPorts);
    if (nm.startsWith('container:')) {
      const ref = nm.slice('container:'.length);
      const other = this.d.containers.find(ref);
      if (!other) throw notFound(`No such container: ${ref}`);
      c.hostConfig.NetworkMode = `container:${other.id}`;
      if (Object.keys(c.hostConfig.PortBindings ?? {}).length || c.hostConfig.PublishAllPorts)
        throw invalid('conflicting options: port publishing and the container type network mode');
      return;
    }
    if (nm === 'host' && (c.hostConfig.Links ?? []).length) throw invalid('conflicting options: host type networking can\'t be used with links. This would result in undefined behavior');
    const n = this.find(nm === 'default' ? 'bridge' : nm);
    const given = endpointsConfig(c);
    const out: Record<string, EndpointsConfigEntry> = {};
    // the mode's network first, then any others given at create
    const primary = given[nm] ?? given[n.name] ?? given[n.id] ?? (nm === 'bridge' ? given.default : undefined) ?? {};
    out[n.name] = primary;
    for (const [k, v] of Object.entries(given)) {
      const other = this.find(k === 'default' ? 'bridge' : k);
      if (other.name !== n.name) out[other.name] = v;
    }
    for (const [k, v] of Object.entries(out)) {
      const net = this.find(k);
      validateEndpointConfig(net, v);
      if (net.driver !== 'bridge') out[k] = { ...v };
    }
    const links: string[] = [];
    for (const l of c.hostConfig.Links ?? []) {
      const parsed = parseLink(l);
      const target = this.d.containers.find(parsed.target);
      if (!target) throw notFound(`could not get container for ${parsed.target}: No such container: ${parsed.target}`);
      links.push(`/${target.name}:/${c.name}/${parsed.alias}`);
    }
    c.hostConfig.Links = links.length ? links : c.hostConfig.Links && c.hostConfig.Links.length === 0 ? [] : null;
    setEndpointsConfig(c, out);
  }

  /** Before the task is created: namespace, endpoints, published ports, hosts/resolv.conf and link env. */
  async setup(c: ContainerView): Promise<NetworkSetup> {
    // The namespace is the container's own: make it before taking the lock, so parallel starts overlap.
    const nm = c.hostConfig.NetworkMode;
    if (nm !== 'host' && nm !== 'none' && !nm.startsWith('container:')) await this.netns.create(c.id);
    let fw: Promise<void> = Promise.resolve();
    const r = await this.locked(() => this.setupLocked(c, (p) => (fw = p)));
    // rules are applied outside the lock, shared by the starts that changed state meanwhile
    await fw;
    // network/ owns these two files; hosts/resolvConf stay in the result while the engine still writes them
    await writeEtcFiles(c, r);
    return r;
  }

  /** At create, before any network: the container's hosts and resolv.conf as Docker writes them then. */
  writeInitialFiles(c: ContainerView): Promise<void> {
    return writeInitialEtcFiles(c);
  }

  private async setupLocked(c: ContainerView, deferFirewall?: (p: Promise<void>) => void): Promise<NetworkSetup> {
    const nm = c.hostConfig.NetworkMode;
    if (nm === 'host') return {};
    if (nm.startsWith('container:')) {
      const other = this.d.containers.find(nm.slice('container:'.length));
      if (!other || !isRunning(other)) return {};
      return { hosts: readText(other.hostsPath) || undefined, resolvConf: readText(other.resolvConfPath) || undefined };
    }
    const self = { hostname: c.config.Hostname, domainname: c.config.Domainname, ip: '' };
    if (nm === 'none') return { hosts: buildHosts({ extraHosts: c.hostConfig.ExtraHosts ?? [], links: [], self }) };
    // links: every target must be running
    const links: Array<{ target: ContainerView; alias: string; name: string }> = [];
    for (const l of c.hostConfig.Links ?? []) {
      const p = parseLink(l);
      const t = this.d.containers.find(p.target);
      if (!t || !isRunning(t))
        throw new EngineError('invalid', `Cannot link to a non running container: /${p.target.replace(/^\//, '')} AS /${c.name}/${p.alias}`);
      links.push({ target: t, alias: p.alias, name: `/${c.name}/${p.alias}` });
    }
    const want = endpointsConfig(c);
    const netnsPath = await this.netns.create(c.id);
    const joined: NetworkRecord[] = [];
    try {
      let first = true;
      for (const [name, cfg] of Object.entries(want)) {
        const n = this.tryFind(name);
        if (!n) throw notFound(`network ${name} not found`);
        if (n.driver !== 'bridge') continue;
        const ep = await this.join(c, n, toRequest(cfg, c.config.MacAddress), netnsPath, first);
        joined.push(n);
        if (first) {
          self.ip = ep.ip;
          await this.publish(c, n, ep);
        }
        first = false;
      }
      for (const n of joined) await this.persist(n);
      if (deferFirewall) deferFirewall(this.applyFirewall());
      else await this.applyFirewall();
    } catch (e) {
      await this.teardownLocked(c);
      throw e;
    }
    const defaultOnly = joined.every((n) => n.isDefault);
    const hostLinks = links.map((l) => ({ ip: this.ipOf(l.target.id, joined) ?? '', alias: l.alias, id: l.target.id, name: l.target.name })).filter((l) => l.ip);
    const env = this.computeLinkEnv(links, joined);
    const hosts = buildHosts({ extraHosts: c.hostConfig.ExtraHosts ?? [], links: hostLinks, self });
    const resolvConf = buildResolvConf({
      host: this.hostResolv,
      embedded: !defaultOnly,
      dns: c.hostConfig.Dns ?? [],
      search: c.hostConfig.DnsSearch ?? [],
      options: c.hostConfig.DnsOptions ?? [],
    });
    this.envs.set(c.id, env);
    return { netnsPath, hosts, resolvConf, env };
  }

  private computeLinkEnv(links: Array<{ target: ContainerView; alias: string; name: string }>, nets: NetworkRecord[]): string[] {
    const env: string[] = [];
    for (const l of links) {
      const ip = this.ipOf(l.target.id, nets);
      if (!ip) continue;
      const ports = Object.keys(l.target.config.ExposedPorts ?? {}).map((k) => ({ port: Number(k.split('/')[0]), proto: k.split('/')[1] ?? 'tcp' }));
      env.push(...linkEnv({ alias: l.alias, name: l.name, ip, ports, env: l.target.config.Env ?? [] }));
    }
    return env;
  }

  /** Link variables of a running container (computed at setup; recomputed after a daemon restart). */
  linkEnv(id: string): string[] {
    const known = this.envs.get(id);
    if (known) return known;
    const c = this.d.containers.find(id);
    if (!c || !isRunning(c)) return [];
    const nets = [...this.nets.values()].filter((n) => n.endpoints[c.id]);
    const links: Array<{ target: ContainerView; alias: string; name: string }> = [];
    for (const l of c.hostConfig.Links ?? []) {
      const p = parseLink(l);
      const t = this.d.containers.find(p.target);
      if (t) links.push({ target: t, alias: p.alias, name: `/${c.name}/${p.alias}` });
    }
    const env = this.computeLinkEnv(links, nets);
    this.envs.set(id, env);
    return env;
  }

  private ipOf(cid: string, nets: NetworkRecord[]): string | undefined {
    for (const n of nets) if (n.endpoints[cid]) return n.endpoints[cid]!.ip;
    return undefined;
  }

  /** After the container stopped (or at removal): release everything; idempotent. */
  teardown(c: ContainerView): Promise<void> {
    return this.locked(() => this.teardownLocked(c));
  }

  private async teardownLocked(c: ContainerView): Promise<void> {
    let changed = false;
    let failed: unknown = null;
    for (const n of this.nets.values())
      if (n.endpoints[c.id]) {
        // a record that cannot be saved (full disk) must not keep the netns, proxies and rules
        await this.leave(n, c.id).catch((e) => (failed ??= e));
        changed = true;
      }
    for (const p of this.proxies.get(c.id) ?? []) p.close();
    this.proxies.delete(c.id);
    this.dnsRedirected.delete(c.id);
    this.envs.delete(c.id);
    if (this.netns.exists(c.id) || fs.existsSync(this.netns.pathOf(c.id))) await this.netns.remove(c.id);
    if (changed) await this.applyFirewall();
    if (failed) throw failed;
  }

  netnsPath(c: { id: string; hostConfig: { NetworkMode: string } }): string | undefined {
    const nm = c.hostConfig.NetworkMode;
    if (nm === 'host' || nm === 'none' || nm.startsWith('container:')) return undefined;
    return this.netns.exists(c.id) ? this.netns.pathOf(c.id) : undefined;
  }

  // ------------------------------------------------------------------ endpoints
  private async join(c: ContainerView, n: NetworkRecord, req: EndpointRequest, netns: string, primary: boolean): Promise<EndpointRecord> {
    if (n.endpoints[c.id]) throw new EngineError('forbidden', `endpoint with name ${c.name} already exists in network ${n.name}`);
    const a = allocateIp(n, req.ipv4);
    const used = new Set<string>();
    for (const m of this.nets.values()) if (m.endpoints[c.id]) used.add(m.endpoints[c.id]!.ifname);
    let i = 0;
    while (used.has(`eth${i}`)) i++;
    const ep: EndpointRecord = {
      id: randomBytes(32).toString('hex'),
      containerId: c.id,
      name: c.name,
      ifname: `eth${i}`,
      hostVeth: `veth${randomBytes(4).toString('hex').slice(0, 7)}`,
      ip: a.ip,
      prefixLen: a.prefixLen,
      gateway: a.gateway,
      mac: req.mac || macFor(a.ip),
      ipv6: '',
      ipv6PrefixLen: 0,
      ipv6Gateway: '',
      aliases: req.aliases,
      links: req.links,
      ports: [],
    };
    const v6 = n.enableIPv6 ? n.ipam.find((p) => parseCidr6(p.Subnet)) : undefined;
    if (v6) {
      const s6 = parseCidr6(v6.Subnet)!;
      const taken = new Set(Object.values(n.endpoints).map((e) => e.ipv6));
      let addr = req.ipv6 ?? '';
      for (let k = 2n; !addr && k < 1n << 16n; k++) {
        const cand = fmtIp6(s6.base + k);
        if (!taken.has(cand) && cand !== v6.Gateway) addr = cand;
      }
      ep.ipv6 = addr;
      ep.ipv6PrefixLen = s6.bits;
      ep.ipv6Gateway = v6.Gateway ?? '';
    }
    n.endpoints[c.id] = ep; // reserves the address before any await
    try {
      await joinBridge(n.bridge, netns, ep, primary);
      if (!n.isDefault && !this.dnsRedirected.has(c.id)) {
        await redirectDns(netns, ep.ifname, ep.gateway, ep.ip);
        this.dnsRedirected.add(c.id);
      }
    } catch (e) {
      delete n.endpoints[c.id];
      await leaveBridge(ep).catch(() => {});
      throw e;
    }
    return ep;
  }

  private async leave(n: NetworkRecord, cid: string): Promise<void> {
    const ep = n.endpoints[cid];
    if (!ep) return;
    if (ep.ports.length) {
      for (const p of this.proxies.get(cid) ?? []) p.close();
      this.proxies.delete(cid);
      for (const p of ep.ports) this.ports.release(p.proto, p.hostIp, p.hostPort);
    }
    await leaveBridge(ep).catch((e) => this.d.log('warn', `removing ${ep.hostVeth}: ${(e as Error).message}`));
    delete n.endpoints[cid];
    await this.persist(n);
  }

  private startProxy(p: PortMapping, ip: string): Promise<Proxy> {
    return p.proto === 'tcp' ? startTcpProxy(p.hostIp, p.hostPort, ip, p.containerPort) : startUdpProxy(p.hostIp, p.hostPort, ip, p.containerPort);
  }

  /** Allocate host ports (bind proxies, which also proves the port is free) and record them on the endpoint. */
  private async publish(c: ContainerView, n: NetworkRecord, ep: EndpointRecord): Promise<void> {
    const reqs = portRequests(c.hostConfig.PortBindings, c.config.ExposedPorts, c.hostConfig.PublishAllPorts);
    const proxies: Proxy[] = [];
    this.proxies.set(c.id, proxies);
    const fail = (e: unknown) =>
      new EngineError(
        e instanceof EngineError ? e.kind : 'internal',
        `driver failed programming external connectivity on endpoint ${c.name} (${ep.id}): ${(e as Error).message}`,
      );
    for (const r of reqs) {
      const fixed = r.hostPortStart !== 0 && r.hostPortStart === r.hostPortEnd;
      let done = false;
      let lastErr: unknown = null;
      const cands = fixed ? [r.hostPortStart] : this.ports.candidates(r.proto, r.hostIp, r.hostPortStart, r.hostPortEnd);
      for (const port of cands) {
        const m: PortMapping = { proto: r.proto, hostIp: r.hostIp, hostPort: port, containerPort: r.containerPort };
        try {
          this.ports.reserve(m.proto, m.hostIp, m.hostPort, c.id);
        } catch (e) {
          lastErr = e;
          if (fixed) break;
          continue;
        }
        try {
          if (this.d.options.userlandProxy) proxies.push(await this.startProxy(m, ep.ip));
        } catch (e) {
          this.ports.release(m.proto, m.hostIp, m.hostPort);
          lastErr = e;
          if (fixed) break;
          continue;
        }
        ep.ports.push(m);
        done = true;
        break;
      }
      if (!done) throw fail(lastErr ?? conflict(`Bind for ${r.hostIp}:${r.hostPortStart || 0} failed: port is already allocated`));
    }
    void n;
  }

  private fwState(): FwState {
    const s: FwState = { networks: [], ports: [] };
    for (const n of this.nets.values()) {
      if (n.driver !== 'bridge') continue;
      const v4 = n.ipam.find((p) => parseCidr4(p.Subnet));
      if (!v4) continue;
      s.networks.push({ bridge: n.bridge, subnet: v4.Subnet, internal: n.internal });
      for (const ep of Object.values(n.endpoints))
        for (const p of ep.ports) s.ports.push({ bridge: n.bridge, proto: p.proto, hostIp: p.hostIp, hostPort: p.hostPort, containerIp: ep.ip, containerPort: p.containerPort });
    }
    return s;
  }

  private fwQueued: Promise<void> | null = null;
  private fwActive: Promise<void> = Promise.resolve();
  /**
   * Apply the current rule state. Callers that changed the state while a run is queued share that run
   * (it reads the state when it starts), so 50 parallel starts cost a few iptables-restore runs, not 50.
   */
  private applyFirewall(): Promise<void> {
    if (this.fwQueued) return this.fwQueued;
    const run = this.fwActive.then(async () => {
      this.fwQueued = null;
      try {
        await this.fw.apply(this.fwState());
      } catch (e) {
        this.d.log('warn', `iptables: ${(e as Error).message}`);
      }
    });
    this.fwQueued = run;
    this.fwActive = run;
    return run;
  }

  // ------------------------------------------------------------------ DNS
  private resolveName(clientIp: string, q: Question): { addrs: Buffer[] } | null {
    if (q.type !== TYPE_A && q.type !== TYPE_AAAA) return null;
    let asker: string | undefined;
    for (const n of this.nets.values()) {
      if (n.isDefault || n.driver !== 'bridge') continue;
      for (const ep of Object.values(n.endpoints)) if (ep.ip === clientIp) asker = ep.containerId;
    }
    if (!asker) return null;
    const scope = [...this.nets.values()].filter((n) => !n.isDefault && n.driver === 'bridge' && n.endpoints[asker!]);
    const askerRec = this.d.containers.find(asker);
    const found: EndpointRecord[] = [];
    for (const n of scope) {
      let name = q.name;
      if (name.endsWith(`.${n.name.toLowerCase()}`)) name = name.slice(0, -(n.name.length + 1));
      // links (legacy --link on a user network) resolve for the linking container only
      for (const l of askerRec?.hostConfig.Links ?? []) {
        const p = parseLink(l);
        if (p.alias.toLowerCase() !== name) continue;
        const t = this.d.containers.find(p.target);
        if (t && n.endpoints[t.id]) found.push(n.endpoints[t.id]!);
      }
      for (const ep of Object.values(n.endpoints)) {
        if (
          ep.name.toLowerCase() === name ||
          ep.containerId === name ||
          ep.containerId.slice(0, 12) === name ||
          ep.aliases.some((a) => a.toLowerCase() === name)
        )
          found.push(ep);
      }
    }
    if (!found.length) return null;
    const uniq = [...new Map(found.map((e) => [`${e.ip}`, e])).values()];
    const k = `${q.name}/${q.type}`; // per type: resolvers ask A and AAAA together, which must not cancel out
    const off = this.rr.get(k) ?? 0;
    this.rr.set(k, off + 1);
    const rot = uniq.map((_, i) => uniq[(i + off) % uniq.length]!);
    if (q.type === TYPE_A) return { addrs: rot.map((e) => Buffer.from(e.ip.split('.').map(Number))) };
    return { addrs: rot.filter((e) => e.ipv6).map((e) => ip6Bytes(e.ipv6)) };
  }

  // ------------------------------------------------------------------ inspect views
  /** Docker's NetworkSettings for container inspect. */
  settings(c: ContainerView): object {
    const want = endpointsConfig(c);
    const nm = c.hostConfig.NetworkMode;
    const networks: Record<string, object> = {};
    const names = Object.keys(want);
    if (!names.length && (nm === 'host' || nm === 'none')) names.push(nm);
    let top: EndpointRecord | undefined;
    let ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
    for (const name of names) {
      const n = this.tryFind(name);
      const ep = n?.endpoints[c.id];
      const cfg = want[name] ?? {};
      if (n?.isDefault && ep) top = ep;
      if (ep?.ports.length || (ep && n && Object.keys(networks).length === 0)) ports = this.portsOf(c, ep);
      networks[name] = {
        IPAMConfig: cfg.IPAMConfig ?? null,
        Links: cfg.Links ?? null,
        Aliases: n && !n.isDefault && n.driver === 'bridge' ? [...(ep?.aliases ?? cfg.Aliases ?? []), c.id.slice(0, 12)] : null,
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
        DNSNames: n && !n.isDefault && n.driver === 'bridge' && ep ? [c.name, ...ep.aliases, c.id.slice(0, 12)] : null,
      };
    }
    const sandbox = this.netnsPath(c);
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

  private portsOf(c: ContainerView, ep: EndpointRecord): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
    const out: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
    for (const k of Object.keys(c.config.ExposedPorts ?? {})) out[k.includes('/') ? k : `${k}/tcp`] = null;
    for (const p of ep.ports) {
      const k = `${p.containerPort}/${p.proto}`;
      (out[k] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
    }
    return out;
  }

  /** The `Ports` list of `docker ps`. */
  summaryPorts(c: ContainerView): Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> {
    const out: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> = [];
    const published = new Set<string>();
    for (const n of this.nets.values()) {
      const ep = n.endpoints[c.id];
      for (const p of ep?.ports ?? []) {
        out.push({ IP: p.hostIp, PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.proto });
        published.add(`${p.containerPort}/${p.proto}`);
      }
    }
    for (const k of Object.keys(c.config.ExposedPorts ?? {})) {
      const [port, proto = 'tcp'] = k.split('/');
      if (!published.has(`${port}/${proto}`)) out.push({ PrivatePort: Number(port), Type: proto });
    }
    return out;
  }

  /** Names of the networks a container is configured for (for `ps --filter network=`). */
  networksOf(c: ContainerView): string[] {
    return Object.keys(endpointsConfig(c));
  }
}

// ------------------------------------------------------------------ helpers
function readText(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

function ip6Bytes(s: string): Buffer {
  const v = parseIp6(s) ?? 0n;
  const b = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) b[i] = Number((v >> BigInt((15 - i) * 8)) & 0xffn);
  return b;
}

/** IPv4 subnets routed on the host (what Docker skips when choosing a pool). */
export async function routedSubnets(ownBridges: string[] = []): Promise<Cidr4[]> {
  const r = await run('ip', ['-4', '-o', 'route', 'show'], { allowFail: true });
  const out: Cidr4[] = [];
  for (const line of r.stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    const dev = f[f.indexOf('dev') + 1];
    if (f.includes('dev') && dev && ownBridges.includes(dev)) continue; // our own bridges' routes
    const dst = f[0];
    if (!dst || dst === 'default') continue;
    const c = parseCidr4(dst.includes('/') ? dst : `${dst}/32`);
    if (c) out.push(c);
  }
  return out;
}

function parseLink(l: string): { target: string; alias: string } {
  // stored "/target:/self/alias" or given "target:alias" / "target"
  const i = l.indexOf(':');
  const target = (i < 0 ? l : l.slice(0, i)).replace(/^\//, '');
  let alias = i < 0 ? target : l.slice(i + 1);
  if (alias.startsWith('/')) alias = alias.slice(alias.lastIndexOf('/') + 1);
  return { target, alias };
}

function endpointsConfig(c: ContainerView): Record<string, EndpointsConfigEntry> {
  const nc = c.networkingConfig as { EndpointsConfig?: Record<string, EndpointsConfigEntry> | null } | null;
  if (nc && nc.EndpointsConfig) return nc.EndpointsConfig;
  const nm = c.hostConfig.NetworkMode;
  if (!nm || nm.startsWith('container:')) return {};
  return { [nm === 'default' ? 'bridge' : nm]: {} };
}

function setEndpointsConfig(c: ContainerView, v: Record<string, EndpointsConfigEntry>): void {
  const nc = (c.networkingConfig && typeof c.networkingConfig === 'object' ? c.networkingConfig : {}) as Record<string, unknown>;
  c.networkingConfig = { ...nc, EndpointsConfig: v };
}

function toRequest(cfg: EndpointsConfigEntry, mac?: string): EndpointRequest {
  return {
    aliases: [...(cfg.Aliases ?? [])],
    links: [...(cfg.Links ?? [])],
    ipv4: cfg.IPAMConfig?.IPv4Address || undefined,
    ipv6: cfg.IPAMConfig?.IPv6Address || undefined,
    mac: cfg.MacAddress || mac || undefined,
  };
}

function validateEndpointConfig(n: NetworkRecord, cfg: EndpointsConfigEntry): void {
  const userNet = n.driver === 'bridge' && !n.isDefault;
  if ((cfg.IPAMConfig?.IPv4Address || cfg.IPAMConfig?.IPv6Address) && !userNet)
    throw invalid('user specified IP address is supported on user defined networks only');
  if (cfg.Aliases?.length && !userNet) throw invalid('network-scoped alias is supported only for containers in user defined networks');
  const ip = cfg.IPAMConfig?.IPv4Address;
  if (ip) {
    if (parseIp4(ip) === null) throw invalid(`invalid IPv4 address: ${ip}`);
    const pool = n.ipam.find((p) => parseCidr4(p.Subnet));
    const sub = pool && parseCidr4(pool.Subnet);
    const a = parseIp4(ip)!;
    if (sub && ((a & (sub.bits ? (0xffffffff << (32 - sub.bits)) >>> 0 : 0)) >>> 0) !== sub.base)
      throw invalid(`Invalid address ${ip}: It does not belong to any of this network's subnets`);
  }
}
