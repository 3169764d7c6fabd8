// A NetworkService over fakes for unit tests (rig): the bridge driver over recorded plumbing, namespaces, firewall,
// DNS, proxies and a container store whose update() runs in a per-container queue like the engine's.
import path from 'node:path';
import { testDir } from '../util/test-dirs.js';
import { type BridgeOps, BridgeDriver } from './bridge/driver.js';
import type { Resolve } from './dns/server.js';
import type { FwState } from './firewall/rules.js';
import type { Cidr4 } from './ip.js';
import type { NetnsPort } from './netns.js';
import { NetworkService } from './service.js';
import type { ContainerView, NetworkCreate } from './types.js';

export class FakeNetns implements NetnsPort {
  readonly live = new Set<string>();
  readonly redirects: string[] = [];
  constructor(readonly dir: string) {}
  pathOf(id: string): string {
    return path.join(this.dir, id);
  }
  exists(id: string): boolean {
    return this.live.has(id);
  }
  async create(id: string): Promise<string> {
    this.live.add(id);
    return this.pathOf(id);
  }
  async remove(id: string): Promise<void> {
    this.live.delete(id);
  }
  list(): string[] {
    return [...this.live];
  }
  async redirectDns(_p: string, ifname: string, gateway: string, self: string, jumps = true): Promise<void> {
    this.redirects.push(`${ifname} ${gateway} ${self}${jumps ? '' : ' (chains only)'}`);
  }
}

/** Runs fn for one container after the ones queued before it (the engine's per-container queue). */
export class Queue {
  private tails = new Map<string, Promise<unknown>>();
  run<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const p = (this.tails.get(id) ?? Promise.resolve()).then(fn, fn);
    this.tails.set(
      id,
      p.catch(() => {}),
    );
    return p;
  }
}

export function container(
  id: string,
  name: string,
  o: Partial<ContainerView['hostConfig']> = {},
  dir = '/nonexistent',
): ContainerView {
  return {
    id,
    name,
    config: { Hostname: id.slice(0, 12), Domainname: '', Env: ['A=1'], ExposedPorts: null },
    hostConfig: {
      NetworkMode: 'bridge',
      PortBindings: null,
      PublishAllPorts: false,
      Links: null,
      ExtraHosts: null,
      Dns: null,
      DnsSearch: null,
      DnsOptions: null,
      ...o,
    },
    networkingConfig: null,
    state: { status: 'created', pid: 0 },
    hostsPath: path.join(dir, `${id}.hosts`),
    resolvConfPath: path.join(dir, `${id}.resolv`),
  };
}

export interface Rig {
  svc: NetworkService;
  dir: string;
  ops: string[];
  netns: FakeNetns;
  fw: FwState[];
  dnsListening: Set<string>;
  resolve: () => Resolve;
  proxies: string[];
  containers: Map<string, ContainerView>;
  updates: string[];
  queue: Queue;
  routes: Cidr4[];
  add(c: ContainerView): ContainerView;
}

/** A NetworkService over fakes, initialised. */
export async function rig(o: { dataRoot?: string; routes?: Cidr4[]; ipv6?: boolean } = {}): Promise<Rig> {
  const dir = o.dataRoot ?? (await testDir('berth-net-'));
  const ops: string[] = [];
  const bridgeOps: BridgeOps = {
    ensureBridge: async (name, gw, gw6) => void ops.push(`up ${name} ${gw}${gw6 ? ` ${gw6}` : ''}`),
    deleteBridge: async (name) => void ops.push(`del ${name}`),
    joinBridge: async (br, _ns, ep, route) =>
      void ops.push(`join ${br} ${ep.ifname} ${ep.ip}${ep.ipv6 ? ` ${ep.ipv6}` : ''}${route ? ' route' : ''}`),
    leaveBridge: async (ep) => void ops.push(`leave ${ep.ifname} ${ep.ip}`),
  };
  const containers = new Map<string, ContainerView>();
  const find = (ref: string) => {
    for (const c of containers.values()) if (c.id === ref || c.name === ref || c.id.startsWith(ref)) return c;
    return undefined;
  };
  const r: Partial<Rig> & { resolver?: Resolve } = {
    dir,
    ops,
    netns: new FakeNetns(path.join(dir, 'netns')),
    fw: [],
    dnsListening: new Set(),
    proxies: [],
    containers,
    updates: [],
    queue: new Queue(),
    routes: o.routes ?? [],
  };
  r.resolve = () => r.resolver!;
  r.add = (c) => (containers.set(c.id, c), c);
  r.svc = new NetworkService({
    dataRoot: dir,
    execRoot: path.join(dir, 'exec'),
    options: { iptables: false, ipForward: false, userlandProxy: true, defaultAddressPools: [] },
    containers: {
      find,
      all: () => [...containers.values()],
      update: (id, mutate) =>
        r.queue!.run(id, async () => {
          mutate(containers.get(id)!);
          r.updates!.push(id);
        }),
    },
    log: () => {},
    drivers: [new BridgeDriver(bridgeOps)],
    firewall: { apply: async (s) => void r.fw!.push(structuredClone(s)), cleanup: async () => {} },
    netns: r.netns,
    dns: (resolve) => {
      r.resolver = resolve;
      return {
        listen: async (ip) => void r.dnsListening!.add(ip),
        close: (ip) => void r.dnsListening!.delete(ip),
        closeAll: () => {},
      };
    },
    proxy: async (m, ip) => {
      r.proxies!.push(`${m.proto} ${m.hostIp}:${m.hostPort} -> ${ip}:${m.containerPort}`);
      return {
        close: () =>
          void r.proxies!.splice(
            r.proxies!.indexOf(`${m.proto} ${m.hostIp}:${m.hostPort} -> ${ip}:${m.containerPort}`),
            1,
          ),
      };
    },
    hostResolv: 'nameserver 10.9.9.9\nsearch example.org\n',
    ipv6Listenable: async () => o.ipv6 ?? false, // the host's IPv6 must not change what tests expect
    routes: async () => r.routes!,
  });
  await r.svc.init();
  return r as Rig;
}

/** Create (prepare) and start (setup) a container the way the engine does. */
export async function run(r: Rig, c: ContainerView): Promise<ContainerView> {
  r.add(c);
  await r.svc.prepare(c);
  c.state = { status: 'running', pid: 1 };
  await r.queue.run(c.id, () => r.svc.setup(c));
  return c;
}

/** A create request with the API's defaults. */
export function req(o: Partial<NetworkCreate> & { name: string }): NetworkCreate {
  return {
    driver: '',
    internal: false,
    attachable: false,
    enableIPv6: false,
    ipamDriver: '',
    pools: [],
    ipamOptions: null,
    options: {},
    labels: {},
    ...o,
  };
}
