// Docker's `filters` parameter: parsing, validation of keys, and the shared matchers.
import { invalid } from '../errdefs.js';
import { linearRegExp } from '../util/linear-regexp.js';

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
    const vals = filterValues(v);
    if (!vals) throw invalid(`invalid filter: ${raw}`);
    if (!allowed.includes(k)) throw invalid(`invalid filter '${k}'`);
    out.set(k, vals);
  }
  return out;
}

/**
 * One filter's values as Go's json.Unmarshal reads them into map[string]bool (the map form) or
 * []string (the legacy list form): strings or booleans only, null as the zero value. Anything
 * else is refused (String() of a client's deeply nested array would overflow the stack).
 */
export function filterValues(v: unknown): string[] | null {
  if (v === null) return [];
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const x of v) {
      if (typeof x === 'string') out.push(x);
      else if (x === null) out.push('');
      else return null;
    }
    return out;
  }
  if (typeof v === 'object') {
    const out: string[] = [];
    for (const [x, b] of Object.entries(v as Record<string, unknown>)) {
      if (b === true) out.push(x);
      else if (b !== false && b !== null) return null;
    }
    return out;
  }
  return null;
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

/** Docker's Match: any value, as an unanchored regular expression (falls back to substring).
 *  Linear-time like Go's regexp: a client's `(a+)+$` must not stall the daemon. */
export function matchRegexp(f: Filters, key: string, source: string): boolean {
  const want = f.get(key);
  if (!want?.length) return true;
  return want.some((w) => linearRegExp(w)?.test(source) ?? source.includes(w));
}
