// Kubernetes resource quantities ⇄ Docker's bytes and NanoCpus.
import { invalid } from '../errdefs.js';

const BIN: [string, number][] = [
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

/** Bytes as the shortest exact binary quantity ("64Mi", else the plain number). */
export function bytesQuantity(n: number): string {
  for (const [u, m] of BIN) if (n % m === 0 && n >= m) return `${n / m}${u}`;
  return String(n);
}

/** NanoCpus as millicores ("500m", "2"). */
export function cpuQuantity(nano: number): string {
  const milli = Math.round(nano / 1e6);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  m: 1e-3,
};

/** A quantity ("64Mi", "1G", "500m", "1.5") as a number of base units; `where` names it in errors. */
export function parseQuantity(q: string | number, where: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T|m)?$/.exec(String(q).trim());
  if (!m) throw invalid(`${where}: invalid quantity ${JSON.stringify(q)}`);
  return Number(m[1]) * UNITS[m[2] ?? '']!;
}
