// Compose's duration ("1m30s", "500ms") and byte-size ("64m", "1gb", 1024) values.
import { parseGoDuration } from '../../util/go-duration.js';
import { ramInBytes } from '../../util/go-units.js';

/** A YAML value in a message; circular aliases and odd prototypes must not throw here. */
const show = (v: unknown) =>
  typeof v === 'string'
    ? JSON.stringify(v)
    : v === null || typeof v !== 'object'
      ? String(v)
      : Array.isArray(v)
        ? 'a list'
        : 'a mapping';

/** Duration → nanoseconds: a number or numeric string is seconds, anything else Go's syntax.
 *  YAML may hand any type here (`interval: true`), hence `unknown`. */
export function parseDuration(v: unknown, where: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v * 1e9;
  const bad = () => new Error(`${where}: invalid duration ${show(v)}`);
  if (typeof v !== 'string') throw bad();
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1e9;
  try {
    return parseGoDuration(s);
  } catch {
    throw bad();
  }
}

/** Byte size → bytes: compose-go's UnitBytes is go-units' RAMInBytes (binary units, truncated). */
export function parseBytes(v: unknown, where: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    try {
      return ramInBytes(v);
    } catch {
      /* the compose message below */
    }
  }
  throw new Error(`${where}: invalid size ${show(v)}`);
}
