// Compose's duration ("1m30s", "500ms") and byte-size ("64m", "1gb", 1024) values.
const durUnits: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Duration → nanoseconds. */
export function parseDuration(v: string | number, where: string): number {
  if (typeof v === 'number') return v * 1e9;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1e9;
  let total = 0;
  let rest = s;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m) throw new Error(`${where}: invalid duration ${JSON.stringify(v)}`);
    total += Number(m[1]) * durUnits[m[2]];
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

const sizeUnits: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Byte size → bytes (binary units, like Docker's RAMInBytes). */
export function parseBytes(v: string | number, where: string): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i.exec(v.trim());
  if (!m) throw new Error(`${where}: invalid size ${JSON.stringify(v)}`);
  return Math.round(Number(m[1]) * sizeUnits[m[2].toLowerCase()]);
}
