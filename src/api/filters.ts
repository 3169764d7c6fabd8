// Docker's `filters` parameter: parsing, validation of keys, and the shared matchers.
import { invalid } from '../errdefs.js';

export type Filters = Map<string, string[]>;

export function parseFilters(raw: string | null, allowed: readonly string[]): Filters {
  const out: Filters = new Map();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid(`invalid filter: ${raw}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid(`invalid filter: ${raw}`);
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    let vals: string[];
    if (Array.isArray(v)) vals = v.map(String);
    else if (v && typeof v === 'object') vals = Object.entries(v as Record<string, unknown>).filter(([, b]) => b).map(([x]) => x);
    else throw invalid(`invalid filter: ${raw}`);
    if (!allowed.includes(k)) throw invalid(`invalid filter '${k}'`);
    out.set(k, vals);
  }
  return out;
}

/** `label=key` or `label=key=value` against a label map; every given filter must match. */
export function matchLabels(f: Filters, key: string, labels: Record<string, string> | null | undefined): boolean {
  const want = f.get(key);
  if (!want?.length) return true;
  const l = labels ?? {};
  return want.every((w) => {
    const i = w.indexOf('=');
    if (i < 0) return Object.hasOwn(l, w);
    return l[w.slice(0, i)] === w.slice(i + 1);
  });
}

/** Docker's Match: any value, as an unanchored regular expression (falls back to substring). */
export function matchRegexp(f: Filters, key: string, source: string): boolean {
  const want = f.get(key);
  if (!want?.length) return true;
  return want.some((w) => {
    try {
      return new RegExp(w).test(source);
    } catch {
      return source.includes(w);
    }
  });
}
