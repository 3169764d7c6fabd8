// `network create|ls|inspect|rm|connect|disconnect|prune` over /networks, as docker CLI 28 does.
import { filtersArg } from '../../client/client.js';
import type { Command } from '../command.js';
import { StatusError } from '../command.js';
import { flagTable } from '../flags/table.js';
import { keyValueMap } from '../opts/key-value.js';
import { get, type Parsed } from '../flags/parser.js';
import {
  naturalLess,
  networkDefaultFormat,
  networkHeaders,
  networkRow,
  type NetworkLike,
} from '../format/resources.js';
import { eachRef, flag, inspectCommand, isNotFound, listCommand, pruneCommand } from './common.js';
import { subnetContains } from './ip-match.js';

const enc = encodeURIComponent;

/** pflag's StringSlice: repeated and comma-separated values. */
export function sliceFlag(p: Parsed, name: string): string[] {
  return get.list(p, name).flatMap((v) => v.split(',').filter((x) => x !== ''));
}

export interface IpamInput {
  subnets: string[];
  ipRanges: string[];
  gateways: string[];
  aux: Record<string, string>;
}

interface IpamConfig {
  Subnet: string;
  IPRange?: string;
  Gateway?: string;
  AuxAddress: Record<string, string>;
}

/** Attaches each range, gateway and aux address to the subnet holding it: createIPAMConfig. */
export function ipamConfig(o: IpamInput): IpamConfig[] {
  if (o.subnets.length < o.ipRanges.length || o.subnets.length < o.gateways.length)
    throw new StatusError(1, 'every ip-range or gateway must have a corresponding subnet');
  const cfg = new Map<string, IpamConfig>();
  for (const s of o.subnets) {
    for (const k of cfg.keys())
      if (subnetContains(s, k) || subnetContains(k, s))
        throw new StatusError(1, 'multiple overlapping subnet configuration is not supported');
    cfg.set(s, { Subnet: s, AuxAddress: {} });
  }
  const attach = (value: string, what: 'range' | 'gateway', key: 'IPRange' | 'Gateway') => {
    let match = false;
    for (const s of o.subnets) {
      if (!subnetContains(s, value)) continue;
      const c = cfg.get(s)!;
      const had = c[key];
      if (had) {
        const plural = what === 'range' ? 'ranges' : 'gateways';
        const on = what === 'range' ? 'on the same subnet' : 'for the same subnet';
        throw new StatusError(1, `cannot configure multiple ${plural} (${value}, ${had}) ${on} (${s})`);
      }
      c[key] = value;
      match = true;
    }
    if (!match) throw new StatusError(1, `no matching subnet for ${what} ${value}`);
  };
  for (const r of o.ipRanges) attach(r, 'range', 'IPRange');
  for (const g of o.gateways) attach(g, 'gateway', 'Gateway');
  for (const [k, a] of Object.entries(o.aux)) {
    const holders = o.subnets.filter((s) => subnetContains(s, a));
    if (!holders.length) throw new StatusError(1, `no matching subnet for aux-address ${a}`);
    for (const s of holders) cfg.get(s)!.AuxAddress[k] = a;
  }
  return [...cfg.values()];
}

export const networkCreate: Command = {
  usage: 'network create [OPTIONS] NETWORK',
  desc: 'Create a network',
  flags: flagTable(`
  attachable         bool            Enable manual container attachment
  aux-address        list            Auxiliary IPv4 or IPv6 addresses used by Network driver
  config-from        string          The network from which to copy the configuration
  config-only        bool            Create a configuration only network
  driver,d           string=bridge   Driver to manage the Network
  gateway            list            IPv4 or IPv6 Gateway for the master subnet
  ingress            bool            Create swarm routing-mesh network
  internal           bool            Restrict external access to the network
  ip-range           list            Allocate container ip from a sub-range
  ipam-driver        string=default  IP Address Management Driver
  ipam-opt           list            Set IPAM driver specific options
  ipv4               bool=true       Enable or disable IPv4 address assignment
  ipv6               bool            Enable or disable IPv6 address assignment
  label              list            Set metadata on a network
  opt,o              list            Set driver specific options
  scope              string          Control the network's scope
  subnet             list            Subnet in CIDR format that represents a network segment
  `),
  args: { min: 1, max: 1 },
  async run(ctx, p) {
    const config = ipamConfig({
      subnets: sliceFlag(p, 'subnet'),
      ipRanges: sliceFlag(p, 'ip-range'),
      gateways: sliceFlag(p, 'gateway'),
      aux: keyValueMap(get.list(p, 'aux-address')),
    });
    const r = await ctx.client().request<{ Id: string }>('POST', '/networks/create', {
      body: {
        Name: p.args[0],
        Driver: get.str(p, 'driver'),
        Options: keyValueMap(get.list(p, 'opt')),
        IPAM: { Driver: get.str(p, 'ipam-driver'), Config: config, Options: keyValueMap(get.list(p, 'ipam-opt')) },
        Internal: get.bool(p, 'internal'),
        ...(p.set.has('ipv4') ? { EnableIPv4: get.bool(p, 'ipv4') } : {}),
        ...(p.set.has('ipv6') ? { EnableIPv6: get.bool(p, 'ipv6') } : {}),
        Attachable: get.bool(p, 'attachable'),
        Ingress: get.bool(p, 'ingress'),
        Scope: get.str(p, 'scope'),
        ConfigOnly: get.bool(p, 'config-only'),
        ...(get.str(p, 'config-from') ? { ConfigFrom: { Network: get.str(p, 'config-from') } } : {}),
        Labels: keyValueMap(get.list(p, 'label')),
      },
    });
    ctx.io.stdout.write(`${r.Id}\n`);
    return 0;
  },
};

export const networkLs = listCommand<NetworkLike>({
  usage: 'network ls [OPTIONS]',
  desc: 'List networks',
  quietHelp: 'network IDs',
  quietField: '.ID',
  defaultFormat: networkDefaultFormat,
  headers: networkHeaders,
  noTrunc: true,
  async fetch(ctx, filters) {
    const list = await ctx.client().request<NetworkLike[]>('GET', '/networks', { query: { filters } });
    return list.sort((a, b) => naturalLess(a.Name, b.Name));
  },
  row: networkRow,
});

export const networkInspect = inspectCommand(
  'network inspect [OPTIONS] NETWORK [NETWORK...]',
  'Display detailed information on one or more networks',
  (ctx, r, p) =>
    ctx.client().request('GET', `/networks/${enc(r)}`, { query: { verbose: get.bool(p, 'verbose') || undefined } }),
  [{ name: 'verbose', short: 'v', type: 'bool', help: 'Verbose output for diagnostics' }],
);

export const networkRm: Command = {
  usage: 'network rm NETWORK [NETWORK...]',
  desc: 'Remove one or more networks',
  flags: [flag.force('Do not error if the network does not exist')],
  args: { min: 1 },
  run: (ctx, p) =>
    eachRef(
      ctx,
      p.args,
      async (r) => {
        await ctx.client().request('DELETE', `/networks/${enc(r)}`);
        return r;
      },
      { skip: (e) => get.bool(p, 'force') && isNotFound(e), statusLine: true },
    ),
};

/** --driver-opt: k=v pairs, trimmed; a pair without `=` is docker's error. */
function driverOpts(items: string[]): Record<string, string> {
  const m: Record<string, string> = {};
  for (const o of items) {
    const i = o.indexOf('=');
    const k = (i < 0 ? o : o.slice(0, i)).trim();
    if (i < 0 || !k) throw new StatusError(1, 'invalid key/value pair format in driver options');
    m[k] = o.slice(i + 1).trim();
  }
  return m;
}

export const networkConnect: Command = {
  usage: 'network connect [OPTIONS] NETWORK CONTAINER',
  desc: 'Connect a container to a network',
  flags: flagTable(`
  alias              list            Add network-scoped alias for the container
  driver-opt         list            driver options for the network
  gw-priority        int             Highest gw-priority provides the default gateway.
  ip                 string          IPv4 address (e.g., "172.30.100.104")
  ip6                string          IPv6 address (e.g., "2001:db8::33")
  link               list            Add link to another container
  link-local-ip      list            Add a link-local address for the container
  `),
  args: { min: 2, max: 2 },
  async run(ctx, p) {
    const [net, container] = p.args;
    await ctx.client().request('POST', `/networks/${enc(net)}/connect`, {
      body: {
        Container: container,
        EndpointConfig: {
          IPAMConfig: {
            IPv4Address: get.str(p, 'ip'),
            IPv6Address: get.str(p, 'ip6'),
            LinkLocalIPs: sliceFlag(p, 'link-local-ip'),
          },
          Links: get.list(p, 'link'),
          Aliases: sliceFlag(p, 'alias'),
          DriverOpts: driverOpts(sliceFlag(p, 'driver-opt')),
          GwPriority: get.int(p, 'gw-priority'),
        },
      },
    });
    return 0;
  },
};

export const networkDisconnect: Command = {
  usage: 'network disconnect [OPTIONS] NETWORK CONTAINER',
  desc: 'Disconnect a container from a network',
  flags: [flag.force('Force the container to disconnect from a network')],
  args: { min: 2, max: 2 },
  async run(ctx, p) {
    const [net, container] = p.args;
    await ctx.client().request('POST', `/networks/${enc(net)}/disconnect`, {
      body: { Container: container, Force: get.bool(p, 'force') },
    });
    return 0;
  },
};

export const networkPrune = pruneCommand({
  name: 'network prune',
  desc: 'Remove all unused networks',
  warning: 'WARNING! This will remove all custom networks not used by at least one container.',
  async prune(ctx, filters) {
    const r = await ctx.client().request<{ NetworksDeleted: string[] | null }>('POST', '/networks/prune', {
      query: { filters: filtersArg(filters) },
    });
    return { title: 'Deleted Networks', items: r.NetworksDeleted ?? [] };
  },
});

export const networkGroup: Record<string, Command> = {
  connect: networkConnect,
  create: networkCreate,
  disconnect: networkDisconnect,
  inspect: networkInspect,
  ls: networkLs,
  list: networkLs,
  prune: networkPrune,
  rm: networkRm,
  remove: networkRm,
};
