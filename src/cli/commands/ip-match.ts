// Go's net.ParseCIDR + IPNet.Contains as `network create` uses them to pair ranges and gateways
// with their subnet; errors keep Go's texts.
import { BlockList, isIP } from 'node:net';
import { StatusError } from '../command.js';

function parseCIDR(s: string): { ip: string; bits: number; family: 'ipv4' | 'ipv6' } | null {
  const i = s.indexOf('/');
  if (i < 0) return null;
  const ip = s.slice(0, i);
  const bits = s.slice(i + 1);
  const v = isIP(ip);
  if (!v || !/^\d+$/.test(bits) || Number(bits) > (v === 4 ? 32 : 128)) return null;
  return { ip, bits: Number(bits), family: v === 4 ? 'ipv4' : 'ipv6' };
}

/** Whether `data` (an address or a CIDR, whose address counts) lies in `subnet`. */
export function subnetContains(subnet: string, data: string): boolean {
  const s = parseCIDR(subnet);
  if (!s) throw new StatusError(1, `invalid subnet: invalid CIDR address: ${subnet}`);
  let ip = data;
  if (data.includes('/')) {
    const d = parseCIDR(data);
    if (!d) throw new StatusError(1, `invalid CIDR address: ${data}`);
    ip = d.ip;
  }
  const v = isIP(ip);
  if (!v) return false;
  const bl = new BlockList();
  bl.addSubnet(s.ip, s.bits, s.family);
  return bl.check(ip, v === 4 ? 'ipv4' : 'ipv6');
}
