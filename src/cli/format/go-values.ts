// How a JSON document looks after the docker CLI decoded it into Go types: maps come back with
// sorted keys (structs keep their field order), and Go field names that differ from the JSON key
// (APIVersion for "ApiVersion") answer in templates.

const STRUCT_KEY = /^[A-Z][A-Za-z0-9]*$/;

/**
 * Objects with a key that cannot be a Go field name (`max-file`, `80/tcp`, `com.x.y`) are maps:
 * their keys are sorted, as encoding/json writes a map. Other objects keep their order.
 */
export function goMapOrder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(goMapOrder);
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  const isMap = keys.some((k) => !STRUCT_KEY.test(k));
  const out: Record<string, unknown> = {};
  for (const k of isMap ? [...keys].sort() : keys) out[k] = goMapOrder(o[k]);
  return out;
}

/** Adds Go field names as non-enumerable aliases (templates see them, `json` does not). */
export function withGoNames<T extends object>(o: T, names: Record<string, string>): T {
  for (const [goName, key] of Object.entries(names))
    if (key in o) Object.defineProperty(o, goName, { value: (o as Record<string, unknown>)[key], enumerable: false });
  return o;
}
