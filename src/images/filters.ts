// The label and until filters of `docker images` and `docker image prune`.
import { invalid } from '../errdefs.js';
import { parseGoDuration } from '../util/go-duration.js';

/** Every (or, with `any`, some) `key` / `key=value` filter matches the labels. */
export function matchLabels(labels: Record<string, string>, filters: string[], any = false): boolean {
  const hit = (f: string) => {
    const i = f.indexOf('=');
    return i < 0 ? f in labels : labels[f.slice(0, i)] === f.slice(i + 1);
  };
  return any ? filters.some(hit) : filters.every(hit);
}

function goDurationOrNull(v: string): number | null {
  try {
    return parseGoDuration(v);
  } catch {
    return null;
  }
}

/** Docker's `until`: a unix timestamp, an RFC 3339 date, or a Go duration relative to now. */
export function untilTime(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const d = goDurationOrNull(v);
  if (d !== null) return Date.now() - d / 1e6;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalid(`invalid filter 'until=${v}'`);
  return t;
}
