// Host port bookkeeping: which (proto, address, port) are taken. As in moby's portallocator, 0.0.0.0 clashes with
// every IPv4 address and :: with every IPv6 address; the two families never clash with each other.
import fs from 'node:fs';
import net from 'node:net';
import { conflict } from '../../errdefs.js';
import { isIp6 } from './bindings.js';

const unspecified = (ip: string) => (isIp6(ip) ? '::' : '0.0.0.0');

export class PortAllocator {
  private readonly taken = new Map<string, Map<string, string>>();

  constructor(readonly range: [number, number] = [49153, 60999]) {}

  private ips(proto: string, port: number): Map<string, string> {
    const k = `${proto}/${port}`;
    let m = this.taken.get(k);
    if (!m) this.taken.set(k, (m = new Map()));
    return m;
  }

  isFree(proto: string, ip: string, port: number): boolean {
    const m = this.taken.get(`${proto}/${port}`);
    if (!m || m.size === 0) return true;
    const any = unspecified(ip);
    if (ip === any) return ![...m.keys()].some((t) => isIp6(t) === isIp6(ip));
    return !m.has(ip) && !m.has(any);
  }

  /** Reserve a specific port on every address or none; throws Docker's "port is already allocated". */
  reserve(proto: string, ips: string | string[], port: number, owner: string): void {
    const list = typeof ips === 'string' ? [ips] : ips;
    const busy = list.find((ip) => !this.isFree(proto, ip, port));
    if (busy !== undefined) throw conflict(`Bind for ${busy}:${port} failed: port is already allocated`);
    for (const ip of list) this.ips(proto, port).set(ip, owner);
  }

  /** Ports of a range (the ephemeral range for none) free on every address, from a rotating offset for none. */
  *candidates(proto: string, ips: string | string[], start: number, end: number): Generator<number> {
    const list = typeof ips === 'string' ? [ips] : ips;
    const [a, b] = start ? [start, end] : this.range;
    const n = b - a + 1;
    const off = start ? 0 : Math.floor(Math.random() * n);
    for (let i = 0; i < n; i++) {
      const p = a + ((off + i) % n);
      if (list.every((ip) => this.isFree(proto, ip, p))) yield p;
    }
  }

  release(proto: string, ip: string, port: number): void {
    const m = this.taken.get(`${proto}/${port}`);
    m?.delete(ip);
    if (m && m.size === 0) this.taken.delete(`${proto}/${port}`);
  }
}

export function ephemeralRange(text: string | null): [number, number] {
  const m = /^\s*(\d+)\s+(\d+)/.exec(text ?? '');
  return m ? [Number(m[1]), Number(m[2])] : [49153, 60999];
}

/** The host's ephemeral port range (net.ipv4.ip_local_port_range), Linux's default when unreadable. */
export function hostEphemeralRange(): [number, number] {
  try {
    return ephemeralRange(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'));
  } catch {
    return [49153, 60999];
  }
}

/**
 * Whether the host can listen on IPv6 (moby's netutils.IsV6Listenable: a listener on [::1]:0). Without it a
 * binding with no host address publishes on 0.0.0.0 only, with no error (ipv6.disable=1, disable_ipv6 on lo).
 */
export function ipv6Listenable(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ host: '::1', port: 0, ipv6Only: true }, () => s.close(() => resolve(true)));
  });
}
