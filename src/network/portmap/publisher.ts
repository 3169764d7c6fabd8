// Published ports of endpoints: host ports reserved in the allocator and, with the userland proxy, a listener
// per port (binding it also proves the port is free on the host). iptables DNAT comes from the endpoint's ports.
import { EngineError, conflict } from '../../errdefs.js';
import type { ContainerView, EndpointRecord, PortMapping } from '../types.js';
import type { PortAllocator } from './allocator.js';
import { portRequests, type PortRequest } from './bindings.js';
import { type PortProxy, startTcpProxy, startUdpProxy } from './proxy.js';

export type ProxyStarter = (m: PortMapping, toIp: string) => Promise<PortProxy>;

export const startProxy: ProxyStarter = (p, ip) =>
  p.proto === 'tcp'
    ? startTcpProxy(p.hostIp, p.hostPort, ip, p.containerPort)
    : startUdpProxy(p.hostIp, p.hostPort, ip, p.containerPort);

export class PortPublisher {
  private readonly proxies = new Map<string, PortProxy[]>(); // container id → proxies

  constructor(
    private readonly ports: PortAllocator,
    private readonly userlandProxy: boolean,
    private readonly warn: (m: string) => void,
    private readonly start: ProxyStarter = startProxy,
  ) {}

  /** Allocate host ports for the container's requests and record them on the endpoint. */
  async publish(c: ContainerView, ep: EndpointRecord): Promise<void> {
    const reqs = portRequests(c.hostConfig.PortBindings, c.config.ExposedPorts, c.hostConfig.PublishAllPorts);
    const proxies: PortProxy[] = [];
    this.proxies.set(c.id, proxies);
    for (const r of reqs) {
      const m = await this.publishOne(c.id, r, ep.ip, proxies).catch((e: unknown) => {
        throw new EngineError(
          e instanceof EngineError ? e.kind : 'internal',
          `driver failed programming external connectivity on endpoint ${c.name} (${ep.id}): ${(e as Error).message}`,
        );
      });
      ep.ports.push(m);
    }
  }

  /** One request: a fixed port or the first free one of a range (the ephemeral range for none). */
  private async publishOne(owner: string, r: PortRequest, toIp: string, proxies: PortProxy[]): Promise<PortMapping> {
    const fixed = r.hostPortStart !== 0 && r.hostPortStart === r.hostPortEnd;
    let lastErr: unknown = null;
    const cands = fixed ? [r.hostPortStart] : this.ports.candidates(r.proto, r.hostIp, r.hostPortStart, r.hostPortEnd);
    for (const port of cands) {
      const m: PortMapping = { proto: r.proto, hostIp: r.hostIp, hostPort: port, containerPort: r.containerPort };
      try {
        this.ports.reserve(m.proto, m.hostIp, m.hostPort, owner);
      } catch (e) {
        lastErr = e;
        if (fixed) break;
        continue;
      }
      try {
        if (this.userlandProxy) proxies.push(await this.start(m, toIp));
      } catch (e) {
        this.ports.release(m.proto, m.hostIp, m.hostPort);
        lastErr = e;
        if (fixed) break;
        continue;
      }
      return m;
    }
    throw lastErr ?? conflict(`Bind for ${r.hostIp}:${r.hostPortStart || 0} failed: port is already allocated`);
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
        await this.start(p, ep.ip).catch(
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
