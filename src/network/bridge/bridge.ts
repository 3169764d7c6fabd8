// Linux bridges and veth pairs: the bridge driver's host-side and in-namespace plumbing.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { ipBatch, run } from '../exec.js';
import type { EndpointRecord } from '../types.js';

/** Whether an interface exists in berthd's own namespace (/proc/self/net follows the netns; /sys may not). */
export function linkExists(name: string): boolean {
  try {
    return fs
      .readFileSync('/proc/self/net/dev', 'utf8')
      .split('\n')
      .some((l) => l.trim().startsWith(`${name}:`));
  } catch {
    return false;
  }
}

/** Create (or adopt) a bridge with the gateway address and bring it up. Idempotent. */
export async function ensureBridge(name: string, gatewayCidr: string, gateway6Cidr?: string): Promise<void> {
  const lines: string[] = [];
  // a fixed MAC: a bridge without one takes its lowest port's MAC, which changes as containers come and go,
  // leaving stale ARP entries for the gateway in the containers (DNS and outbound traffic stall for seconds)
  if (!linkExists(name)) lines.push(`link add ${name} address ${randomMac()} type bridge`);
  await ipBatch(lines.concat([`link set ${name} up`]));
  // addresses separately: "File exists" when already configured is fine
  await ipBatch([`addr add ${gatewayCidr} dev ${name}`], undefined, true);
  if (gateway6Cidr) {
    await run('sysctl', ['-qw', `net.ipv6.conf.${name}.disable_ipv6=0`], { allowFail: true });
    // nodad: a bridge without ports has no carrier, and DAD would leave the gateway tentative (unreachable) until one joins
    await ipBatch([`addr add ${gateway6Cidr} dev ${name} nodad`], undefined, true);
  }
}

export function randomMac(): string {
  const b = randomBytes(6);
  b[0] = 0x02;
  b[1] = 0x42;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export async function deleteBridge(name: string): Promise<void> {
  if (linkExists(name)) await ipBatch([`link del ${name}`], undefined, true);
}

/**
 * Make a veth pair, move its peer into the namespace as ep.ifname with the endpoint's MAC and address,
 * attach the host side to the bridge. `defaultRoute` adds the default route via the gateway.
 */
export async function joinBridge(
  bridge: string,
  netns: string,
  ep: EndpointRecord,
  defaultRoute: boolean,
): Promise<void> {
  await ipBatch([
    `link add ${ep.hostVeth} type veth peer name ${ep.ifname} address ${ep.mac} netns ${netns}`,
    `link set ${ep.hostVeth} master ${bridge} up`,
  ]);
  if (ep.ipv6) await run('sysctl', ['-qw', `net.ipv6.conf.${ep.ifname}.disable_ipv6=0`], { netns });
  // ip -batch takes no -4/-6 per line: each address says its family (and ::/0 is IPv6's default route)
  const inside = [`addr add ${ep.ip}/${ep.prefixLen} dev ${ep.ifname}`, `link set ${ep.ifname} up`];
  if (ep.ipv6) inside.push(`addr add ${ep.ipv6}/${ep.ipv6PrefixLen} dev ${ep.ifname} nodad`);
  if (defaultRoute && ep.gateway) inside.push(`route add default via ${ep.gateway} dev ${ep.ifname}`);
  if (defaultRoute && ep.ipv6Gateway) inside.push(`route add ::/0 via ${ep.ipv6Gateway} dev ${ep.ifname}`);
  await ipBatch(inside, netns);
}

export async function leaveBridge(ep: EndpointRecord): Promise<void> {
  if (linkExists(ep.hostVeth)) await ipBatch([`link del ${ep.hostVeth}`], undefined, true);
}
