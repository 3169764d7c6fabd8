// Inside a container's namespace: 127.0.0.11:53 goes to the embedded DNS server on the network's gateway.
import { run } from '../exec.js';

/**
 * DNAT to `gateway`:53, plus SNAT to the container's address so the answer routes back; route_localnet lets
 * the loopback-sourced packet leave `ifname` before SNAT rewrites it.
 */
export async function redirectDns(
  netns: string,
  ifname: string,
  gateway: string,
  self: string,
  jumps = true,
): Promise<void> {
  const rules = [
    '*nat',
    ':BERTH-DNS - [0:0]',
    `-A BERTH-DNS -d 127.0.0.11/32 -p udp --dport 53 -j DNAT --to-destination ${gateway}:53`,
    `-A BERTH-DNS -d 127.0.0.11/32 -p tcp --dport 53 -j DNAT --to-destination ${gateway}:53`,
    ':BERTH-DNS-SNAT - [0:0]',
    `-A BERTH-DNS-SNAT -s 127.0.0.0/8 -d ${gateway}/32 -p udp --dport 53 -j SNAT --to-source ${self}`,
    `-A BERTH-DNS-SNAT -s 127.0.0.0/8 -d ${gateway}/32 -p tcp --dport 53 -j SNAT --to-source ${self}`,
    // once per namespace: --noflush appends them again on every run (the declared chains are replaced)
    ...(jumps ? ['-A OUTPUT -d 127.0.0.11/32 -j BERTH-DNS', '-A POSTROUTING -s 127.0.0.0/8 -j BERTH-DNS-SNAT'] : []),
    'COMMIT',
    '',
  ].join('\n');
  await run('sh', ['-c', `sysctl -qw net.ipv4.conf.${ifname}.route_localnet=1 && iptables-restore --noflush`], {
    netns,
    input: rules,
  });
}
