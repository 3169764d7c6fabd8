// The predefined networks: host, none, and the default bridge (docker0's role; `berth0` unless --bridge).
import { invalid } from '../errdefs.js';
import { fmtCidr4, parseCidr4, parseIp4 } from './ip.js';
import { completePool, type Ipam } from './ipam.js';
import { type NetworkStore, newNetworkRecord } from './store.js';
import type { IpamPoolConfig, NetworkRecord } from './types.js';

export interface DefaultBridgeOptions {
  bip?: string;
  fixedCidr?: string;
  bridgeName?: string;
}

/** Make the host and none networks and the default bridge when missing; move the bridge when the flags say so. */
export async function ensurePredefined(store: NetworkStore, ipam: Ipam, o: DefaultBridgeOptions): Promise<void> {
  for (const [name, driver] of [
    ['host', 'host'],
    ['none', 'null'],
  ] as const)
    if (!store.byName(name)) await store.persist(store.put(newNetworkRecord(name, driver, {})));
  const bridgeName = o.bridgeName ?? 'berth0';
  const def = store.byName('bridge');
  // keep the default bridge's subnet across restarts unless the flags ask for another one
  const keep = def && !o.bip && !o.fixedCidr && def.ipam[0] && !def.ipam[0].IPRange;
  const wanted = keep ? def!.ipam[0]! : await defaultBridgePool(store, ipam, o);
  if (def) {
    const cur = def.ipam[0];
    const moved = cur?.Subnet !== wanted.Subnet || cur?.Gateway !== wanted.Gateway || cur?.IPRange !== wanted.IPRange;
    if (moved && Object.keys(def.endpoints).length === 0) {
      def.ipam = [wanted];
      await store.persist(def);
    }
    return;
  }
  const n = newNetworkRecord('bridge', 'bridge', {
    'com.docker.network.bridge.default_bridge': 'true',
    'com.docker.network.bridge.enable_icc': 'true',
    'com.docker.network.bridge.enable_ip_masquerade': 'true',
    'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
    'com.docker.network.bridge.name': bridgeName,
    'com.docker.network.driver.mtu': '1500',
  });
  n.isDefault = true;
  n.bridge = bridgeName;
  n.ipam = [wanted];
  await store.persist(store.put(n));
}

/** --bip (the gateway's address and prefix), else the first free default pool; --fixed-cidr as the IP range. */
async function defaultBridgePool(store: NetworkStore, ipam: Ipam, o: DefaultBridgeOptions): Promise<IpamPoolConfig> {
  let p: IpamPoolConfig;
  if (o.bip) {
    const gw = o.bip.slice(0, o.bip.indexOf('/'));
    const sub = parseCidr4(o.bip);
    if (!sub || parseIp4(gw) === null) throw invalid(`invalid --bip: ${o.bip}`);
    p = { Subnet: fmtCidr4(sub), Gateway: gw };
  } else {
    const existing = store.byName('bridge');
    const others = store.list().filter((n: NetworkRecord) => n !== existing);
    p = await ipam.requestPool({ family: 4, others, ownBridges: [o.bridgeName ?? 'berth0'] });
  }
  if (o.fixedCidr) p.IPRange = completePool({ Subnet: p.Subnet, IPRange: o.fixedCidr }, []).IPRange;
  return p;
}
