// Sandboxes (libnetwork's word): a container's network namespace with its endpoints, published ports, embedded
// DNS redirect and link variables. The service calls these under its network lock; the driver does the plumbing.
import fs from 'node:fs';
import { EngineError, notFound } from '../errdefs.js';
import type { EtcFiles } from './container-files.js';
import { readEtcText } from './container-files.js';
import type { ContainerPort } from './deps.js';
import type { DriverTable } from './driver.js';
import * as ep from './endpoints.js';
import { buildHosts, buildResolvConf } from './etc.js';
import type { FirewallQueue } from './firewall/queue.js';
import { type Ipam, macFor } from './ipam.js';
import { pool6 } from './ipam6.js';
import { linkHosts, linksEnv, linkTargets } from './links.js';
import type { NetnsPort } from './netns.js';
import { DEFAULT_BINDING_IP } from './portmap/bindings.js';
import type { PortPublisher } from './portmap/publisher.js';
import type { NetworkStore } from './store.js';
import type { ContainerView, EndpointRecord, EndpointRequest, NetworkRecord, NetworkSetup } from './types.js';

export interface SandboxDeps {
  store: NetworkStore;
  drivers: DriverTable;
  ipam: Ipam;
  netns: NetnsPort;
  publisher: PortPublisher;
  fw: FirewallQueue;
  containers: Pick<ContainerPort, 'find'>;
  hostResolv: string;
  warn: (m: string) => void;
  /** --host-gateway-ip / daemon.json host-gateway-ip. */
  hostGatewayIp?: string;
}

export class Sandboxes {
  /** Per container, the endpoint (gateway>address) its 127.0.0.11 goes to; '?' when restored (jumps exist). */
  private readonly dnsRedirected = new Map<string, string>();
  private readonly envs = new Map<string, string[]>(); // legacy link variables per container

  constructor(private readonly d: SandboxDeps) {}

  /** After a daemon restart: the container's namespace already sends 127.0.0.11 to the embedded DNS. */
  redirected(cid: string): void {
    this.dnsRedirected.set(cid, '?');
  }

  /** `--add-host name:host-gateway`: the daemon's host-gateway-ip, else the default bridge's IPv4 gateway (moby's default). */
  private hostGateway(): string | undefined {
    if (this.d.hostGatewayIp) return this.d.hostGatewayIp;
    const bridge = this.d.store.list().find((n) => n.isDefault);
    return bridge?.ipam.find((p) => p.Gateway && !p.Gateway.includes(':'))?.Gateway;
  }

  /** The container's endpoints on user networks (the ones the embedded DNS can be reached through). */
  private userEndpoints(cid: string): EndpointRecord[] {
    return this.d.store.list().flatMap((n) => (ep.isUserNetwork(n) && n.endpoints[cid] ? [n.endpoints[cid]!] : []));
  }

  /**
   * Point the namespace's 127.0.0.11 at `e` unless it goes to a live endpoint already. After the endpoint it went
   * to left (disconnect), the chains are rewritten in place (their jumps stay).
   */
  private async redirectDns(cid: string, netns: string, e: EndpointRecord): Promise<void> {
    const cur = this.dnsRedirected.get(cid);
    if (cur !== undefined && this.userEndpoints(cid).some((x) => `${x.gateway}>${x.ip}` === cur)) return;
    await this.d.netns.redirectDns(netns, e.ifname, e.gateway, e.ip, cur === undefined);
    this.dnsRedirected.set(cid, `${e.gateway}>${e.ip}`);
  }

  /** After a disconnect: 127.0.0.11 follows to another user network the container is still on. */
  async repointDns(cid: string): Promise<void> {
    const left = this.userEndpoints(cid);
    if (left.length && this.dnsRedirected.has(cid) && this.d.netns.exists(cid))
      await this.redirectDns(cid, this.d.netns.pathOf(cid), left[0]!);
  }

  /** Under the network lock: endpoints, ports, hosts/resolv.conf content and link env. */
  async setup(c: ContainerView, deferFirewall: (p: Promise<void>) => void): Promise<NetworkSetup & EtcFiles> {
    const nm = c.hostConfig.NetworkMode;
    if (nm === 'host') return {};
    if (nm.startsWith('container:')) {
      const other = this.d.containers.find(nm.slice('container:'.length));
      if (!other || !ep.isRunning(other)) return {};
      return {
        hosts: readEtcText(other.hostsPath) || undefined,
        resolvConf: readEtcText(other.resolvConfPath) || undefined,
      };
    }
    const self = { hostname: c.config.Hostname, domainname: c.config.Domainname, ip: '' };
    const hostGateway = this.hostGateway();
    if (nm === 'none')
      return { hosts: buildHosts({ extraHosts: c.hostConfig.ExtraHosts ?? [], links: [], self, hostGateway }) };
    const links = linkTargets(c, (ref) => this.d.containers.find(ref), true);
    const netnsPath = await this.d.netns.create(c.id);
    const { joined, plumbing } = await this.joinAll(c, netnsPath);
    // veths, addresses and routes are made after the lock, beside other starts (the endpoints are reserved);
    // the caller awaits them, and a failure fails the start, whose teardown releases the endpoints
    const after = Promise.all([plumbing, this.d.fw.apply()]).then(() => {});
    after.catch(() => {}); // rejected before the caller awaits it: not unhandled
    deferFirewall(after);
    self.ip = joined[0] ? joined[0].endpoints[c.id]!.ip : '';
    const h = c.hostConfig;
    const env = linksEnv(links, joined);
    const hosts = buildHosts({ extraHosts: h.ExtraHosts ?? [], links: linkHosts(links, joined), self, hostGateway });
    const embedded = !joined.every((n) => n.isDefault);
    const resolvConf = buildResolvConf({
      host: this.d.hostResolv,
      embedded,
      dns: h.Dns ?? [],
      search: h.DnsSearch ?? [],
      options: h.DnsOptions ?? [],
    });
    this.envs.set(c.id, env);
    return { netnsPath, hosts, resolvConf, env };
  }

  /**
   * Reserve an endpoint on every network the container is configured for (the first one routes and publishes
   * its ports); the plumbing, in the same order, is returned to run after the lock.
   */
  private async joinAll(
    c: ContainerView,
    netnsPath: string,
  ): Promise<{ joined: NetworkRecord[]; plumbing: Promise<void> }> {
    const joined: NetworkRecord[] = [];
    const steps: Array<() => Promise<void>> = [];
    try {
      for (const [name, cfg] of Object.entries(ep.endpointsConfig(c))) {
        const n = this.d.store.tryFind(name);
        if (!n) throw notFound(`network ${name} not found`);
        if (!this.d.drivers.get(n.driver)) continue;
        const first = joined.length === 0;
        const e = this.reserve(c, n, ep.toRequest(cfg, c.config.MacAddress));
        steps.push(() => this.plumb(c, n, e, netnsPath, first));
        joined.push(n);
        if (first) await this.d.publisher.publish(c, e, n.options[DEFAULT_BINDING_IP]);
      }
    } catch (e) {
      await this.teardown(c);
      throw e;
    }
    // the records are saved after the lock too, in writes shared with the starts meanwhile (store.persist)
    const saved = Promise.all(joined.map((n) => this.d.store.persist(n)));
    const plumbed = steps.reduce((p, step) => p.then(step), Promise.resolve());
    return { joined, plumbing: Promise.all([saved, plumbed]).then(() => {}) };
  }

  /** Under the network lock: release everything, the namespace and veths included; idempotent. */
  async teardown(c: ContainerView): Promise<void> {
    await (await this.release(c)).unplugged;
  }

  /**
   * Under the network lock: the records, addresses, ports and rules go; `unplugged` (the namespace and the
   * veths, side by side: a veth goes with its namespace anyway, leave tolerates that) is for the caller to
   * await after the lock, so the exits of many containers do not queue behind each other's spawns.
   */
  async release(c: ContainerView): Promise<{ unplugged: Promise<void> }> {
    let changed = false;
    let failed: unknown = null;
    const ns = this.d.netns;
    const gone = ns.exists(c.id) || fs.existsSync(ns.pathOf(c.id)) ? ns.remove(c.id) : Promise.resolve();
    gone.catch(() => {}); // awaited by the caller: not unhandled meanwhile
    const unplug: Array<() => Promise<void>> = [];
    for (const n of this.d.store.list())
      if (n.endpoints[c.id]) {
        // a record that cannot be saved (full disk) must not keep the netns, proxies and rules
        await this.leave(n, c.id, unplug).catch((e) => (failed ??= e));
        changed = true;
      }
    this.d.publisher.closeProxies(c.id);
    this.dnsRedirected.delete(c.id);
    this.envs.delete(c.id);
    const unplugged = Promise.all([gone, ...unplug.map((f) => f())]).then(() => {});
    unplugged.catch(() => {});
    if (changed) await this.d.fw.apply();
    if (failed) throw failed;
    return { unplugged };
  }

  /** Under the network lock: a new endpoint of `c` on `n`, plumbed into the namespace. */
  async join(
    c: ContainerView,
    n: NetworkRecord,
    req: EndpointRequest,
    netns: string,
    primary: boolean,
  ): Promise<EndpointRecord> {
    const e = this.reserve(c, n, req);
    try {
      await this.plumb(c, n, e, netns, primary);
    } catch (err) {
      delete n.endpoints[c.id];
      await this.d.drivers
        .get(n.driver)
        ?.leave(n, e)
        .catch(() => {});
      throw err;
    }
    return e;
  }

  /** Under the network lock, without an await: the endpoint's name, address and MAC, reserved on `n`. */
  private reserve(c: ContainerView, n: NetworkRecord, req: EndpointRequest): EndpointRecord {
    if (n.endpoints[c.id])
      throw new EngineError('forbidden', `endpoint with name ${c.name} already exists in network ${n.name}`);
    const driver = this.d.drivers.get(n.driver)!;
    const a = this.d.ipam.requestAddress(n, 4, req.ipv4);
    const e = ep.newEndpoint(c, ep.nextIfname(this.d.store.nets.values(), c.id), a, req.mac || macFor(a.ip), req);
    driver.createEndpoint(n, e);
    if (pool6(n)) {
      const a6 = this.d.ipam.requestAddress(n, 6, req.ipv6);
      [e.ipv6, e.ipv6PrefixLen, e.ipv6Gateway] = [a6.ip, a6.prefixLen, a6.gateway];
    }
    n.endpoints[c.id] = e;
    return e;
  }

  /** The endpoint's veth in the namespace, and 127.0.0.11 pointed at it on a user network. */
  private async plumb(c: ContainerView, n: NetworkRecord, e: EndpointRecord, netns: string, primary: boolean) {
    await this.d.drivers.get(n.driver)!.join(n, e, netns, { defaultRoute: primary });
    if (ep.isUserNetwork(n)) await this.redirectDns(c.id, netns, e);
  }

  /** Under the network lock: the endpoint goes (ports, plumbing, record); `unplug` collects the plumbing for later. */
  async leave(n: NetworkRecord, cid: string, unplug?: Array<() => Promise<void>>): Promise<void> {
    const e = n.endpoints[cid];
    if (!e) return;
    this.d.publisher.unpublish(cid, e);
    const driver = this.d.drivers.get(n.driver);
    const out = async () =>
      driver?.leave(n, e).catch((err) => this.d.warn(`removing ${e.hostVeth}: ${(err as Error).message}`));
    if (unplug) unplug.push(out);
    else await out();
    await driver?.deleteEndpoint(n, e);
    this.d.ipam.releaseAddress(n, e.ip);
    delete n.endpoints[cid];
    await this.d.store.persist(n);
  }

  /** Link variables of a running container (computed at setup; recomputed after a daemon restart). */
  linkEnv(id: string): string[] {
    const known = this.envs.get(id);
    if (known) return known;
    const c = this.d.containers.find(id);
    if (!c || !ep.isRunning(c)) return [];
    const nets = this.d.store.list().filter((n) => n.endpoints[c.id]);
    const env = linksEnv(
      linkTargets(c, (ref) => this.d.containers.find(ref), false),
      nets,
    );
    this.envs.set(id, env);
    return env;
  }

  netnsPath(c: { id: string; hostConfig: { NetworkMode: string } }): string | undefined {
    const nm = c.hostConfig.NetworkMode;
    if (nm === 'host' || nm === 'none' || nm.startsWith('container:')) return undefined;
    return this.d.netns.exists(c.id) ? this.d.netns.pathOf(c.id) : undefined;
  }
}
