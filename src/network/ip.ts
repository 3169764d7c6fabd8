// IPv4/IPv6 address arithmetic on plain numbers/bigints: parse, format, CIDR membership and overlap.
import { invalid } from '../errdefs.js';

export interface Cidr4 {
  base: number; // network address as uint32
  bits: number;
}

export function parseIp4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const p = m.slice(1).map(Number);
  if (p.some((x) => x > 255)) return null;
  return ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!;
}

export function fmtIp4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function maskOf(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** "a.b.c.d/n" → its network (host bits cleared); null when not IPv4 CIDR. */
export function parseCidr4(s: string): Cidr4 | null {
  const i = s.indexOf('/');
  if (i < 0) return null;
  const ip = parseIp4(s.slice(0, i));
  const bitsStr = s.slice(i + 1);
  if (ip === null || !/^\d{1,2}$/.test(bitsStr)) return null;
  const bits = Number(bitsStr);
  if (bits > 32) return null;
  return { base: (ip & maskOf(bits)) >>> 0, bits };
}

export function mustCidr4(s: string): Cidr4 {
  const c = parseCidr4(s);
  if (!c) throw invalid(`invalid CIDR address: ${s}`);
  return c;
}

export const fmtCidr4 = (c: Cidr4) => `${fmtIp4(c.base)}/${c.bits}`;
export const size4 = (c: Cidr4) => 2 ** (32 - c.bits);
export const contains4 = (c: Cidr4, ip: number) => (ip & maskOf(c.bits)) >>> 0 === c.base;
export function overlaps4(a: Cidr4, b: Cidr4): boolean {
  const bits = Math.min(a.bits, b.bits);
  return (a.base & maskOf(bits)) >>> 0 === (b.base & maskOf(bits)) >>> 0;
}

export const isIp6 = (s: string) => s.includes(':');

/** Expand an IPv6 address to a bigint (no zone ids). */
export function parseIp6(s: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const part = (h: string) => (h ? h.split(':') : []);
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return null;
  const groups = [...head, ...Array(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

export function fmtIp6(v: bigint): string {
  const g: string[] = [];
  for (let i = 7; i >= 0; i--) g.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  // compress the longest run of zero groups
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + bestLen).join(':')}`;
}

export interface Cidr6 {
  base: bigint;
  bits: number;
}
export function parseCidr6(s: string): Cidr6 | null {
  const i = s.indexOf('/');
  if (i < 0) return null;
  const ip = parseIp6(s.slice(0, i));
  const bitsStr = s.slice(i + 1);
  // decimal digits only, as Go's ParseCIDR: Number() read "" as 0 and "0x10" as 16
  if (ip === null || !/^\d{1,3}$/.test(bitsStr) || Number(bitsStr) > 128) return null;
  const bits = Number(bitsStr);
  const mask = bits === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n);
  return { base: ip & mask, bits };
}
export const fmtCidr6 = (c: Cidr6) => `${fmtIp6(c.base)}/${c.bits}`;
