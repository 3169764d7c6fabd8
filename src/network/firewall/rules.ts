// Pure rule generation: the whole of berth's iptables state as iptables-restore input for its own chains.
// Applying it with --noflush replaces those chains atomically, so re-applying after a restart never duplicates.

export interface FwNetwork {
  bridge: string;
  subnet: string;
  internal: boolean;
  /** The network's IPv6 subnet when it has IPv6: the same rules go to ip6tables. */
  subnet6?: string;
}

export interface FwPort {
  bridge: string;
  proto: 'tcp' | 'udp';
  hostIp: string; // '0.0.0.0' / '::' = every address of the family
  hostPort: number;
  /** The address DNAT goes to; an IPv6 host address with an IPv4 container gets no rule (the proxy carries it). */
  containerIp: string;
  containerPort: number;
}

export interface FwState {
  networks: FwNetwork[];
  ports: FwPort[];
}

export const CHAINS = {
  nat: ['BERTH', 'BERTH-POSTROUTING'],
  filter: ['BERTH-FORWARD', 'BERTH-ISOLATION-1', 'BERTH-ISOLATION-2'],
} as const;

/** Jumps from the built-in chains into berth's chains: [table, chain, rule args]. */
export const JUMPS: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['nat', 'PREROUTING', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'BERTH']],
  ['nat', 'OUTPUT', ['!', '-d', '127.0.0.0/8', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'BERTH']],
  ['nat', 'POSTROUTING', ['-j', 'BERTH-POSTROUTING']],
  ['filter', 'FORWARD', ['-j', 'BERTH-FORWARD']],
];

/** ip6tables' jumps: the same, with IPv6's loopback. */
export const JUMPS6: typeof JUMPS = JUMPS.map(([t, c, rule]) => [
  t,
  c,
  rule.map((a) => (a === '127.0.0.0/8' ? '::1/128' : a)),
]);

const v6 = (ip: string) => ip.includes(':');
const host = (ip: string) => `${ip}/${v6(ip) ? 128 : 32}`;
const dst = (ip: string) => (ip && ip !== '0.0.0.0' && ip !== '::' ? `-d ${host(ip)} ` : '');
const to = (ip: string, port: number) => (v6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`);

/** The published ports one family's DNAT can carry: host and container address both of that family. */
const portsOf = (s: FwState, family: 4 | 6) =>
  s.ports.filter((p) => v6(p.hostIp) === (family === 6) && v6(p.containerIp) === (family === 6));

/**
 * The rules for one address family. IPv6 (ip6tables-restore input) mirrors IPv4 for the networks with an IPv6
 * subnet: NAT, forwarding and isolation, and DNAT of IPv6 host ports to containers with an IPv6 address.
 */
export function renderRules(s: FwState, family: 4 | 6 = 4): string {
  const picked =
    family === 4 ? s.networks : s.networks.flatMap((n) => (n.subnet6 ? [{ ...n, subnet: n.subnet6 }] : []));
  const nets = [...picked].sort((a, b) => a.bridge.localeCompare(b.bridge));
  const ports = portsOf(s, family).sort(
    (a, b) => a.proto.localeCompare(b.proto) || a.hostPort - b.hostPort || a.hostIp.localeCompare(b.hostIp),
  );
  const nat = ['*nat', ...CHAINS.nat.map((c) => `:${c} - [0:0]`)];
  for (const n of nets) nat.push(`-A BERTH -i ${n.bridge} -j RETURN`);
  for (const p of ports)
    nat.push(
      `-A BERTH ${dst(p.hostIp)}! -i ${p.bridge} -p ${p.proto} -m ${p.proto} --dport ${p.hostPort} -j DNAT --to-destination ${to(p.containerIp, p.containerPort)}`,
    );
  for (const n of nets) if (!n.internal) nat.push(`-A BERTH-POSTROUTING -s ${n.subnet} ! -o ${n.bridge} -j MASQUERADE`);
  for (const p of ports)
    nat.push(
      `-A BERTH-POSTROUTING -s ${host(p.containerIp)} -d ${host(p.containerIp)} -p ${p.proto} -m ${p.proto} --dport ${p.containerPort} -j MASQUERADE`,
    );
  nat.push('COMMIT');

  const filter = ['*filter', ...CHAINS.filter.map((c) => `:${c} - [0:0]`)];
  filter.push('-A BERTH-FORWARD -j BERTH-ISOLATION-1');
  for (const p of ports)
    filter.push(
      `-A BERTH-FORWARD -d ${host(p.containerIp)} ! -i ${p.bridge} -o ${p.bridge} -p ${p.proto} -m ${p.proto} --dport ${p.containerPort} -j ACCEPT`,
    );
  for (const n of nets) {
    filter.push(`-A BERTH-FORWARD -o ${n.bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
    if (!n.internal) filter.push(`-A BERTH-FORWARD -i ${n.bridge} ! -o ${n.bridge} -j ACCEPT`);
    filter.push(`-A BERTH-FORWARD -i ${n.bridge} -o ${n.bridge} -j ACCEPT`);
  }
  for (const n of nets) {
    if (n.internal) {
      filter.push(`-A BERTH-ISOLATION-1 ! -s ${n.subnet} -o ${n.bridge} -j DROP`);
      filter.push(`-A BERTH-ISOLATION-1 ! -d ${n.subnet} -i ${n.bridge} -j DROP`);
    } else filter.push(`-A BERTH-ISOLATION-1 -i ${n.bridge} ! -o ${n.bridge} -j BERTH-ISOLATION-2`);
  }
  for (const n of nets) filter.push(`-A BERTH-ISOLATION-2 -o ${n.bridge} -j DROP`);
  filter.push('COMMIT');
  return [...nat, ...filter, ''].join('\n');
}

/** Input that empties berth's chains (before deleting them). */
export function renderFlush(): string {
  return [
    '*nat',
    ...CHAINS.nat.map((c) => `:${c} - [0:0]`),
    'COMMIT',
    '*filter',
    ...CHAINS.filter.map((c) => `:${c} - [0:0]`),
    'COMMIT',
    '',
  ].join('\n');
}

/** The raw table's chain: drops packets from other hosts to ports published on a loopback address. */
export const RAW_CHAIN = 'BERTH-PREROUTING';
export const RAW_JUMP: readonly [string, string, readonly string[]] = ['raw', 'PREROUTING', ['-j', RAW_CHAIN]];

/**
 * moby's filterPortMappedOnLoopback (Docker 28): DNAT before routing would otherwise carry a packet that a
 * neighbour addressed to 127.0.0.1 to a port published only on 127.0.0.1. IPv4 only (::1 is not routable).
 */
export function renderRaw(s: FwState): string {
  const loop = portsOf(s, 4)
    .filter((p) => p.hostIp.startsWith('127.'))
    .sort((a, b) => a.proto.localeCompare(b.proto) || a.hostPort - b.hostPort || a.hostIp.localeCompare(b.hostIp));
  const rules = loop.map(
    (p) => `-A ${RAW_CHAIN} -d ${host(p.hostIp)} ! -i lo -p ${p.proto} -m ${p.proto} --dport ${p.hostPort} -j DROP`,
  );
  return ['*raw', `:${RAW_CHAIN} - [0:0]`, ...rules, 'COMMIT', ''].join('\n');
}
