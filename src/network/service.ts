// NetworkService: networks, the endpoints of containers (through sandboxes.ts), published ports and the embedded
// DNS, over a NetworkDriver per network type (bridge/), an Ipam, the namespaces and the firewall. State that must
// survive restarts (networks, endpoints with their addresses and ports) is persisted per network; the firewall is
// regenerated from it, so a restart never duplicates rules and no address is handed out twice.
// The container record is the container service's: connect/disconnect change it through `containers.update`.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { EngineError, notFound } from '../errdefs.js';
import { BridgeDriver } from './bridge/driver.js';
import { readEtcText, useEmbeddedDns, writeEtcFiles } from './container-files.js';
import { applyRequest, checkCreateRequest, orderPools } from './create-request.js';
import { ensurePredefined } from './default-bridge.js';
import type { DnsPort, NetworkServiceDeps } from './deps.js';
import { type NetworkDriver, firewallState } from './driver.js';
import { NameResolver } from './dns/resolver.js';
import { DnsServer, type Resolve } from './dns/server.js';
import * as ep from './endpoints.js';
import { hostNameservers } from './etc.js';
import { Firewall } from './firewall/firewall.js';
import { FirewallQueue } from './firewall/queue.js';
import { parseCidr4 } from './ip.js';
import { type AddressPool, DEFAULT_POOLS, DefaultIpam, type Ipam, parsePoolFlag } from './ipam.js';
import { pool6 } from './ipam6.js';
import { Netns, type NetnsPort } from './netns.js';
import { PortAllocator, hostEphemeralRange } from './portmap/allocator.js';
import { PortPublisher } from './portmap/publisher.js';
import { routedSubnets } from './routes.js';
import { prepareContainer } from './prepare.js';
import { Sandboxes } from './sandboxes.js';
import { NetworkStore, newNetworkRecord } from './store.js';
import type {
  ContainerNetworks,
  ContainerView,
  NetworkCreate,
  EndpointRecord,
  EndpointsConfigEntry,
  NetworkRecord,
  NetworkSetup,
} from './types.js';

export type { ContainerNetworks, ContainerView, NetworkCreate, NetworkSetup } from './types.js';
export { routedSubnets } from './routes.js';
export type { ContainerPort, DnsPort, NetworkOptions, NetworkServiceDeps } from './deps.js';

export class NetworkService {
  private readonly store: NetworkStore;
  private readonly drivers = new Map<string, NetworkDriver>();
  private readonly ipam: Ipam;
  private readonly netns: NetnsPort;
  private readonly fw: FirewallQueue;
  private readonly publisher: PortPublisher;
  private readonly dns: DnsPort;
  private readonly sandboxes: Sandboxes;
  private lock: Promise<unknown> = Promise.resolve();
  private readonly hostResolv: string;
  private pools: AddressPool[] = DEFAULT_POOLS;

  constructor(private readonly d: NetworkServiceDeps) {
    this.store = new NetworkStore(path.join(d.dataRoot, 'networks'));
    for (const drv of d.drivers ?? [new BridgeDriver()]) this.drivers.set(drv.type, drv);
    this.ipam = d.ipam ?? new DefaultIpam(() => this.pools, d.routes ?? routedSubnets);
    this.netns = d.netns ?? new Netns(path.join(d.execRoot, 'netns'));
    const warn = (m: string) => d.log('warn', m);
    this.fw = new FirewallQueue(
      d.firewall ?? new Firewall(d.options.iptables),
      () => firewallState(this.store.list(), this.drivers),
      warn,
    );
    const ports = new PortAllocator(hostEphemeralRange());
    this.publisher = new PortPublisher(ports, d.options.userlandProxy, warn, d.proxy, d.ipv6Listenable);
    this.hostResolv = d.hostResolv ?? readEtcText('/etc/resolv.conf');
    const resolver = new NameResolver({
      networks: () => this.store.nets.values(),
      container: (ref) => d.containers.find(ref),
    });
    const resolve: Resolve = (ip, q) => resolver.resolve(ip, q);
    const upstreams = hostNameservers(this.hostResolv);
    this.dns = d.dns ? d.dns(resolve, upstreams) : new DnsServer({ resolve, upstreams });
    this.sandboxes = new Sandboxes({
      store: this.store,
      drivers: this.drivers,
      ipam: this.ipam,
      netns: this.netns,
      publisher: this.publisher,
      fw: this.fw,
      containers: d.containers,
      hostResolv: this.hostResolv,
      warn,
      hostGatewayIp: d.options.hostGatewayIp,
    });
  }

  /** Serialise mutations (address allocation + plumbing + persistence). */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.lock.then(fn, fn);
    this.lock = p.catch(() => {});
    return p;
  }

  private driverOf(n: NetworkRecord): NetworkDriver | undefined {
    return this.drivers.get(n.driver);
  }

  // ------------------------------------------------------------------ startup / shutdown
  async init(): Promise<void> {
    if (this.d.options.defaultAddressPools.length) this.pools = this.d.options.defaultAddressPools.map(parsePoolFlag);
    await this.store.load((m) => this.d.log('warn', m));
    if (this.d.options.ipForward) await fsp.writeFile('/proc/sys/net/ipv4/ip_forward', '1').catch(() => {});
    await ensurePredefined(this.store, this.ipam, this.d.options);
    for (const n of this.store.list()) await this.upNetwork(n);
    await this.fw.apply();
  }

  /** The driver's host side, and the embedded DNS on a user network's gateway. */
  private async upNetwork(n: NetworkRecord): Promise<void> {
    const driver = this.driverOf(n);
    if (!driver) return;
    await driver.createNetwork(n);
    // as Docker: hosts forward IPv6 once an IPv6 network exists (IPv4's is set at start)
    if (this.d.options.ipForward && pool6(n))
      await fsp.writeFile('/proc/sys/net/ipv6/conf/all/forwarding', '1').catch(() => {});
    const gw = n.ipam.find((p) => parseCidr4(p.Subnet))?.Gateway;
    if (!n.isDefault && gw)
      await this.dns.listen(gw).catch((e) => this.d.log('warn', `embedded DNS on ${gw}: ${(e as Error).message}`));
  }

  /** After the containers were restored: keep endpoints of running containers, release the rest. */
  async restore(): Promise<void> {
    await this.locked(async () => {
      for (const n of this.store.list()) {
        let changed = false;
        for (const [cid, e] of Object.entries(n.endpoints)) {
          const c = this.d.containers.find(cid);
          if (c && ep.isRunning(c)) {
            if (ep.isUserNetwork(n)) this.sandboxes.redirected(cid);
            continue;
          }
          await this.driverOf(n)
            ?.leave(n, e)
            .catch(() => {});
          this.publisher.releasePorts(e);
          delete n.endpoints[cid];
          changed = true;
        }
        if (changed) await this.store.persist(n);
      }
      // ports of survivors: re-reserve and restart their proxies
      for (const n of this.store.list()) for (const e of Object.values(n.endpoints)) await this.publisher.restore(e);
      // namespaces of containers that are gone
      const live = new Set(
        this.d.containers
          .all()
          .filter(ep.isRunning)
          .map((c) => c.id),
      );
      for (const id of this.netns.list()) if (!live.has(id)) await this.netns.remove(id);
      await this.fw.apply();
    });
  }

  /** Daemon shutdown: stop proxies and DNS; with nothing attached, remove bridges and rules too. */
  async shutdown(): Promise<void> {
    this.publisher.closeAll();
    this.dns.closeAll();
    await this.netns.drain?.();
    const busy = this.store.list().some((n) => Object.keys(n.endpoints).length > 0);
    if (busy) return;
    for (const n of this.store.list())
      await this.driverOf(n)
        ?.deleteNetwork(n)
        .catch(() => {});
    await this.fw.cleanup().catch(() => {});
  }

  // ------------------------------------------------------------------ lookup
  byName(name: string): NetworkRecord | undefined {
    return this.store.byName(name);
  }

  find(ref: string): NetworkRecord {
    return this.store.find(ref);
  }

  tryFind(ref: string): NetworkRecord | undefined {
    return this.store.tryFind(ref);
  }

  list(): NetworkRecord[] {
    return this.store.list();
  }

  // ------------------------------------------------------------------ networks API
  create(req: NetworkCreate): Promise<NetworkRecord> {
    return this.locked(async () => {
      const r = checkCreateRequest(req, (name) => !!this.store.byName(name), this.drivers);
      const driver = r.driver;
      const others = this.store.list();
      const v4 = await this.ipam.requestPool({ config: r.v4, family: 4, others });
      const v6 = r.v6 && (await this.ipam.requestPool({ config: r.v6, family: 6, others }));
      const ipam = orderPools(r, v4, v6);
      const n = newNetworkRecord(r.name, driver.type, { ...req.options });
      applyRequest(n, req, ipam);
      driver.configure(n, others);
      this.store.put(n);
      try {
        await this.upNetwork(n);
        await this.store.persist(n);
        await this.fw.apply();
      } catch (e) {
        await driver.deleteNetwork(n).catch(() => {});
        await this.store.delete(n.id);
        throw e;
      }
      return n;
    });
  }

  remove(ref: string): Promise<void> {
    return this.locked(async () => {
      const n = this.store.find(ref);
      if (ep.BUILTIN.has(n.name) && !ep.isUserNetwork(n))
        throw new EngineError('forbidden', `${n.name} is a pre-defined network and cannot be removed`);
      if (Object.keys(n.endpoints).length)
        throw new EngineError(
          'forbidden',
          `error while removing network: network ${n.name} id ${n.id} has active endpoints`,
        );
      const gw = n.ipam.find((p) => parseCidr4(p.Subnet))?.Gateway;
      if (gw) this.dns.close(gw);
      await this.driverOf(n)?.deleteNetwork(n);
      for (const p of n.ipam) this.ipam.releasePool(n, p);
      await this.store.delete(n.id);
      await this.fw.apply();
    });
  }

  async prune(match: (n: NetworkRecord) => boolean): Promise<string[]> {
    const out: string[] = [];
    for (const n of this.store.list()) {
      if (ep.BUILTIN.has(n.name) || Object.keys(n.endpoints).length || !match(n)) continue;
      try {
        await this.remove(n.id);
        out.push(n.name);
      } catch (e) {
        this.d.log('warn', `network prune ${n.name}: ${(e as Error).message}`);
      }
    }
    return out;
  }

  /**
   * Plumbing under the network lock; the record's EndpointsConfig after it, through the container service's
   * queue. Never the queue inside the lock: a start holds the queue and then waits for this lock (setup).
   */
  async connect(ref: string, cref: string, cfg: EndpointsConfigEntry | null | undefined): Promise<void> {
    const n = this.store.find(ref);
    const c = this.d.containers.find(cref);
    if (!c) throw notFound(`No such container: ${cref}`);
    const nm = c.hostConfig.NetworkMode;
    if (!this.driverOf(n) || nm === 'host')
      throw new EngineError(
        'forbidden',
        'container cannot be disconnected from host network or connected to host network',
      );
    if (nm === 'none' || nm.startsWith('container:'))
      throw new EngineError(
        'forbidden',
        `container sharing network namespace with another container or host cannot be connected to any other network`,
      );
    if (ep.endpointsConfig(c)[n.name] || n.endpoints[c.id])
      throw new EngineError('forbidden', `endpoint with name ${c.name} already exists in network ${n.name}`);
    const entry: EndpointsConfigEntry = { ...(cfg ?? {}) };
    ep.validateEndpointConfig(n, entry);
    await this.locked(async () => {
      if (!ep.isRunning(c) || !this.netns.exists(c.id)) return;
      // the default route when it is the container's only network (docker-py disconnects the last, then connects)
      const only = !this.endpointsOf(c.id).length;
      await this.sandboxes.join(c, n, ep.toRequest(entry), this.netns.pathOf(c.id), only);
      await this.store.persist(n);
      // like libnetwork: joining a user network starts the embedded resolver for the container
      if (!n.isDefault) await useEmbeddedDns(c, this.hostResolv);
    });
    await this.d.containers.update(c.id, (rec) => {
      const want = ep.endpointsConfig(rec);
      want[n.name] = { ...entry, Aliases: entry.Aliases ?? null };
      ep.setEndpointsConfig(rec, want);
    });
  }

  async disconnect(ref: string, cref: string, force: boolean): Promise<void> {
    const n = this.store.find(ref);
    const c = this.d.containers.find(cref);
    if (!c) {
      if (!force) throw notFound(`No such container: ${cref}`);
      for (const [cid, e] of Object.entries(n.endpoints))
        if (cid.startsWith(cref) || e.name === cref) await this.locked(() => this.sandboxes.leave(n, cid));
      return;
    }
    if (c.hostConfig.NetworkMode === 'host' && n.driver === 'host')
      throw new EngineError(
        'forbidden',
        'container cannot be disconnected from host network or connected to host network',
      );
    if (!ep.endpointsConfig(c)[n.name] && !n.endpoints[c.id])
      throw new EngineError('forbidden', `container ${c.id} is not connected to network ${n.name}`);
    await this.locked(async () => {
      if (!n.endpoints[c.id]) return;
      await this.sandboxes.leave(n, c.id);
      await this.sandboxes.repointDns(c.id);
    });
    await this.d.containers.update(c.id, (rec) => {
      const want = ep.endpointsConfig(rec);
      delete want[n.name];
      ep.setEndpointsConfig(rec, want);
    });
    await this.fw.apply();
  }

  // ------------------------------------------------------------------ engine hooks
  /**
   * At create (the record is not stored yet, so it is changed in place): validate the network mode, links,
   * ports and aliases; normalise HostConfig.Links and EndpointsConfig.
   */
  async prepare(c: ContainerView): Promise<void> {
    prepareContainer(c, {
      network: (ref) => this.store.find(ref),
      container: (ref) => this.d.containers.find(ref),
      plumbed: (n) => !!this.driverOf(n),
    });
  }

  /** Before the task is created: namespace, endpoints, published ports, hosts/resolv.conf (written) and link env. */
  async setup(c: ContainerView): Promise<NetworkSetup> {
    // The namespace is the container's own: make it before taking the lock, so parallel starts overlap.
    const nm = c.hostConfig.NetworkMode;
    if (nm !== 'host' && nm !== 'none' && !nm.startsWith('container:')) await this.netns.create(c.id);
    let fw: Promise<void> = Promise.resolve();
    const { hosts, resolvConf, ...r } = await this.locked(() => this.sandboxes.setup(c, (p) => (fw = p)));
    // rules are applied outside the lock, shared by the starts that changed state meanwhile
    await fw;
    await writeEtcFiles(c, { hosts, resolvConf });
    return r;
  }

  /** Link variables of a running container (computed at setup; recomputed after a daemon restart). */
  linkEnv(id: string): string[] {
    return this.sandboxes.linkEnv(id);
  }

  /**
   * A running container was renamed: its endpoints answer to the new name in the embedded DNS and no
   * longer to the old one (libnetwork's Sandbox.Rename). Stopped containers have no endpoints.
   */
  renamed(c: { id: string; name: string }): Promise<void> {
    return this.locked(async () => {
      for (const n of this.store.list()) {
        const e = n.endpoints[c.id];
        if (!e || e.name === c.name) continue;
        e.name = c.name;
        await this.store.persist(n);
      }
    });
  }

  /** After the container stopped (or at removal): release everything; idempotent. */
  teardown(c: ContainerView): Promise<void> {
    return this.locked(() => this.sandboxes.release(c)).then((r) => r.unplugged); // plumbing after the lock
  }

  netnsPath(c: { id: string; hostConfig: { NetworkMode: string } }): string | undefined {
    return this.sandboxes.netnsPath(c);
  }

  // ------------------------------------------------------------------ views (Docker's JSON: api/wire/networks.ts)
  /** The networks a container is configured for, each with its record and endpoint when they exist. */
  containerNetworks(c: ContainerView): ContainerNetworks {
    const want = ep.endpointsConfig(c);
    const nm = c.hostConfig.NetworkMode;
    const names = Object.keys(want);
    if (!names.length && (nm === 'host' || nm === 'none')) names.push(nm);
    const entries = names.map((name) => {
      const network = this.store.tryFind(name);
      return { name, network, endpoint: network?.endpoints[c.id], config: want[name] ?? {} };
    });
    return { entries, sandboxKey: this.netnsPath(c) };
  }

  /** The container's endpoints on every network, in network order. */
  endpointsOf(cid: string): EndpointRecord[] {
    return this.store.list().flatMap((n) => (n.endpoints[cid] ? [n.endpoints[cid]!] : []));
  }
}
