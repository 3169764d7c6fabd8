// docker/go-units as Docker uses it: sizes shown (HumanSize, BytesSize, with Go's %g) and sizes
// read (RAMInBytes: `-m 512m`, `--log-opt max-size=10m`, `--shm-size`). One copy for the daemon
// and the CLI.
import { invalid } from '../errdefs.js';

/** Go's fmt `%.{p}g`: p significant digits, trailing zeros dropped, exponent form when large/small. */
export function goG(x: number, p: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : Number.isNaN(x) ? 'NaN' : '-Inf';
  const [mant, e] = x.toExponential(p - 1).split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= p) {
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const sign = exp < 0 ? '-' : '+';
    return `${m}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const f = x.toFixed(Math.max(0, p - 1 - exp));
  return f.includes('.') ? f.replace(/0+$/, '').replace(/\.$/, '') : f;
}

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function sizeAndUnit(size: number, base: number, abbrs: string[]): [number, string] {
  let i = 0;
  while (size >= base && i < abbrs.length - 1) {
    size /= base;
    i++;
  }
  return [size, abbrs[i]!];
}

/** units.HumanSizeWithPrecision: `4.26MB` (precision 3), SI units. */
export function humanSizeWithPrecision(size: number, precision: number): string {
  const [s, u] = sizeAndUnit(size, 1000, DECIMAL);
  return goG(s, precision) + u;
}

/** units.HumanSize: precision 4 ("1.235MB", "512B"). */
export function humanSize(size: number): string {
  return humanSizeWithPrecision(size, 4);
}

/** units.BytesSize: binary units with %.4g, e.g. `1.5MiB` (stats). */
export function bytesSize(size: number): string {
  const [s, u] = sizeAndUnit(size, 1024, BINARY);
  return goG(s, 4) + u;
}

const RAM_MULT: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** units.RAMInBytes: "512m", "1.5g", "10k", "100" (binary multiples; b, kb, kib suffixes). */
export function ramInBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(s.trim());
  if (!m) throw invalid(`invalid size: '${s}'`);
  return Math.floor(Number(m[1]) * RAM_MULT[m[2]!.toLowerCase()]!);
}

/** go-units' ulimit names (`--ulimit NAME=soft[:hard]`, HostConfig.Ulimits), RLIMIT_AS included. */
export const ULIMIT_NAMES: ReadonlySet<string> = new Set([
  'as',
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
]);
