// Published ports of endpoints: host ports reserved in the allocator and, with the userland proxy, a listener
// per port and address (binding it also proves the port is free on the host). iptables DNAT comes from the
// endpoint's ports. A binding without a host address is two, 0.0.0.0 and [::] on one port, as in Docker 28.
import { EngineError, conflict } from '../../errdefs.js';
import type { ContainerView, EndpointRecord, PortMapping } from '../types.js';
import { type PortAllocator, ipv6Listenable } from './allocator.js';
import { isIp6, portRequests, type PortRequest, targetIp } from './bindings.js';
import { type PortProxy, startTcpProxy, startUdpProxy } from './proxy.js';

export type ProxyStarter = (m: PortMapping, toIp: string) => Promise<PortProxy>;

export const startProxy: ProxyStarter = (p, ip) =>
  p.proto === 'tcp'
    ? startTcpProxy(p.hostIp, p.hostPort, ip, p.containerPort)
    : startUdpProxy(p.hostIp, p.hostPort, ip, p.containerPort);

export class PortPublisher {
  private readonly proxies = new Map<string, PortProxy[]>(); // container id → proxies
  private ipv6: Promise<boolean> | null = null;

  constructor(
    private readonly ports: PortAllocator,
    private readonly userlandProxy: boolean,
    private readonly warn: (m: string) => void,
    private readonly start: ProxyStarter = startProxy,
    /** Whether the host can listen on IPv6, asked once (moby's IsV6Listenable). */
    private readonly hostIpv6: () => Promise<boolean> = ipv6Listenable,
  ) {}

  /**
   * Allocate host ports for the container's requests and record them on the endpoint; `defHostIp` is the
   * network's default binding address (com.docker.network.bridge.host_binding_ipv4).
   */
  async publish(c: ContainerView, ep: EndpointRecord, defHostIp?: string): Promise<void> {
    this.ipv6 ??= this.hostIpv6().catch(() => false);
    const h = c.hostConfig;
    const reqs = portRequests(h.PortBindings, c.config.ExposedPorts, h.PublishAllPorts, await this.ipv6, defHostIp);
    const proxies: PortProxy[] = [];
    this.proxies.set(c.id, proxies);
    for (const r of reqs) {
      const m = await this.publishOne(c.id, r, ep, proxies).catch((e: unknown) => {
        throw new EngineError(
          e instanceof EngineError ? e.kind : 'internal',
          `driver failed programming external connectivity on endpoint ${c.name} (${ep.id}): ${(e as Error).message}`,
        );
      });
      ep.ports.push(...m);
    }
  }

  /**
   * One request: a fixed port or the first free one of a range (the ephemeral range for none), the same port on
   * every host address of the request. Without the userland proxy an IPv6 address of a container that has no
   * IPv6 cannot be forwarded and is left out, as moby does.
   */
  private async publishOne(
    owner: string,
    r: PortRequest,
    ep: EndpointRecord,
    proxies: PortProxy[],
  ): Promise<PortMapping[]> {
    const ips = r.hostIps.filter((ip) => !isIp6(ip) || ep.ipv6 || this.userlandProxy);
    if (!ips.length) return [];
    const fixed = r.hostPortStart !== 0 && r.hostPortStart === r.hostPortEnd;
    let lastErr: unknown = null;
    const cands = fixed ? [r.hostPortStart] : this.ports.candidates(r.proto, ips, r.hostPortStart, r.hostPortEnd);
    for (const port of cands) {
      const ms = ips.map(
        (hostIp): PortMapping => ({ proto: r.proto, hostIp, hostPort: port, containerPort: r.containerPort }),
      );
      try {
        this.ports.reserve(r.proto, ips, port, owner);
      } catch (e) {
        lastErr = e;
        if (fixed) break;
        continue;
      }
      const started: PortProxy[] = [];
      try {
        if (this.userlandProxy) for (const m of ms) started.push(await this.start(m, targetIp(m, ep)));
      } catch (e) {
        for (const p of started) p.close();
        for (const ip of ips) this.ports.release(r.proto, ip, port);
        lastErr = e;
        // only a port in use is worth the next one (no such address, no IPv6: every port fails alike)
        if (fixed || !/already allocated/.test((e as Error).message)) break;
        continue;
      }
      proxies.push(...started);
      return ms;
    }
    throw lastErr ?? conflict(`Bind for ${ips[0]}:${r.hostPortStart || 0} failed: port is already allocated`);
  }

  /** The endpoint leaves: its ports and the container's proxies go. */
  unpublish(cid: string, ep: EndpointRecord): void {
    if (!ep.ports.length) return;
    this.closeProxies(cid);
    this.releasePorts(ep);
  }

  releasePorts(ep: EndpointRecord): void {
    for (const p of ep.ports) this.ports.release(p.proto, p.hostIp, p.hostPort);
  }

  closeProxies(cid: string): void {
    for (const p of this.proxies.get(cid) ?? []) p.close();
    this.proxies.delete(cid);
  }

  /** After a daemon restart: reserve a surviving endpoint's ports again and restart its proxies. */
  async restore(ep: EndpointRecord): Promise<void> {
    for (const p of ep.ports) this.ports.reserve(p.proto, p.hostIp, p.hostPort, ep.containerId);
    if (!this.userlandProxy || !ep.ports.length) return;
    const list: PortProxy[] = [];
    for (const p of ep.ports)
      list.push(
        await this.start(p, targetIp(p, ep)).catch(
          (e) => (this.warn(`proxy ${p.hostPort}: ${(e as Error).message}`), { close() {} }),
        ),
      );
    this.proxies.set(ep.containerId, list);
  }

  closeAll(): void {
    for (const list of this.proxies.values()) for (const p of list) p.close();
    this.proxies.clear();
  }
}
