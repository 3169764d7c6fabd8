// The bridge driver: one Linux bridge per network, a veth pair per endpoint, iptables NAT and isolation.
import { randomBytes } from 'node:crypto';
import { conflict, invalid } from '../../errdefs.js';
import type { NetworkDriver } from '../driver.js';
import type { FwNetwork, FwPort } from '../firewall/rules.js';
import { parseCidr4, parseCidr6 } from '../ip.js';
import { pool6 } from '../ipam6.js';
import { targetIp, validateDefaultBindingIp } from '../portmap/bindings.js';
import type { EndpointRecord, NetworkRecord } from '../types.js';
import { deleteBridge, ensureBridge, joinBridge, leaveBridge } from './bridge.js';

/** The plumbing calls the driver makes (bridge.ts; tests pass fakes). */
export interface BridgeOps {
  ensureBridge(name: string, gatewayCidr: string, gateway6Cidr?: string): Promise<void>;
  deleteBridge(name: string): Promise<void>;
  joinBridge(bridge: string, netns: string, ep: EndpointRecord, defaultRoute: boolean): Promise<void>;
  leaveBridge(ep: EndpointRecord): Promise<void>;
}

export const bridgeOps: BridgeOps = { ensureBridge, deleteBridge, joinBridge, leaveBridge };

export class BridgeDriver implements NetworkDriver {
  readonly type = 'bridge';

  constructor(private readonly ops: BridgeOps = bridgeOps) {}

  configure(n: NetworkRecord, others: NetworkRecord[]): void {
    const bridge = n.options['com.docker.network.bridge.name'] || `br-${n.id.slice(0, 12)}`;
    if (bridge.length > 15) throw invalid(`bridge name ${bridge} is too long`);
    if (others.some((o) => o.bridge === bridge)) throw conflict(`bridge name ${bridge} is already in use`);
    validateDefaultBindingIp(n.options);
    n.bridge = bridge;
  }

  async createNetwork(n: NetworkRecord): Promise<void> {
    const v4 = n.ipam.find((p) => parseCidr4(p.Subnet));
    const v6 = pool6(n);
    await this.ops.ensureBridge(
      n.bridge,
      `${v4!.Gateway}/${parseCidr4(v4!.Subnet)!.bits}`,
      v6?.Gateway ? `${v6.Gateway}/${parseCidr6(v6.Subnet)!.bits}` : undefined,
    );
  }

  deleteNetwork(n: NetworkRecord): Promise<void> {
    return this.ops.deleteBridge(n.bridge);
  }

  createEndpoint(_n: NetworkRecord, ep: EndpointRecord): void {
    ep.hostVeth = `veth${randomBytes(4).toString('hex').slice(0, 7)}`;
  }

  async deleteEndpoint(): Promise<void> {
    // leave() removed the veth pair; nothing else is left on the host
  }

  join(n: NetworkRecord, ep: EndpointRecord, netnsPath: string, o: { defaultRoute: boolean }): Promise<void> {
    return this.ops.joinBridge(n.bridge, netnsPath, ep, o.defaultRoute);
  }

  leave(_n: NetworkRecord, ep: EndpointRecord): Promise<void> {
    return this.ops.leaveBridge(ep);
  }

  firewall(n: NetworkRecord): { networks: FwNetwork[]; ports: FwPort[] } {
    const v4 = n.ipam.find((p) => parseCidr4(p.Subnet));
    if (!v4) return { networks: [], ports: [] };
    const ports: FwPort[] = [];
    for (const ep of Object.values(n.endpoints))
      for (const p of ep.ports)
        ports.push({
          bridge: n.bridge,
          proto: p.proto,
          hostIp: p.hostIp,
          hostPort: p.hostPort,
          containerIp: targetIp(p, ep),
          containerPort: p.containerPort,
        });
    const subnet6 = pool6(n)?.Subnet;
    const net: FwNetwork = { bridge: n.bridge, subnet: v4.Subnet, internal: n.internal };
    if (subnet6) net.subnet6 = subnet6;
    return { networks: [net], ports };
  }
}
