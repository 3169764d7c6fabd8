// Host port bookkeeping: which (proto, address, port) are taken, with 0.0.0.0 clashing with any address.
import fs from 'node:fs';
import { conflict } from '../../errdefs.js';

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
    if (ip === '0.0.0.0') return false;
    return !m.has(ip) && !m.has('0.0.0.0');
  }

  /** Reserve a specific port; throws Docker's "port is already allocated". */
  reserve(proto: string, ip: string, port: number, owner: string): void {
    if (!this.isFree(proto, ip, port)) throw conflict(`Bind for ${ip}:${port} failed: port is already allocated`);
    this.ips(proto, port).set(ip, owner);
  }

  /** Candidates in a range (or the ephemeral range), free ones first in order, starting at a rotating offset. */
  *candidates(proto: string, ip: string, start: number, end: number): Generator<number> {
    const [a, b] = start ? [start, end] : this.range;
    const n = b - a + 1;
    const off = start ? 0 : Math.floor(Math.random() * n);
    for (let i = 0; i < n; i++) {
      const p = a + ((off + i) % n);
      if (this.isFree(proto, ip, p)) yield p;
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
