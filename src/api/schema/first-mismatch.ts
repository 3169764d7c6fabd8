// The type check of a request body against its endpoint's schema: one walk over the reduced schema
// (type, properties, additionalProperties, items, minimum, maximum) instead of ajv's generated code,
// which unrolled the same checks once per field (7,700 lines, ~4 MiB of heap once loaded). It reports
// the first mismatch where ajv (allErrors off) reported it: first-mismatch.property.test.ts compares.
import type { BodySchema } from './body-schema.js';

/** Where a value first breaks its schema: a JSON pointer into the body and the failed keyword. */
export interface Mismatch {
  instancePath: string;
  keyword: 'type' | 'maximum' | 'minimum';
}

/** A JSON-schema type as ajv tests it (no coercion, no strictNumbers: JSON has no NaN or Infinity). */
function isType(t: string, v: unknown): boolean {
  switch (t) {
    case 'null':
      return v === null;
    case 'integer':
      return typeof v === 'number' && !(v % 1) && !Number.isNaN(v);
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    default: // string, number, boolean
      return typeof v === t;
  }
}

function typeMatches(types: string[], v: unknown): boolean {
  for (const t of types) if (isType(t, v)) return true;
  return false;
}

/** A property name as a JSON-pointer segment (RFC 6901). */
const pointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The first mismatch of `v` against `s`, or undefined when it conforms, where ajv reports it: the
 * type, then the bounds of a number, the items of a list in order, an object's other keys
 * (additionalProperties) in the body's order, then its known fields in the schema's order. The walk
 * goes over the body's keys (a few), not the schema's (hundreds).
 */
export function firstMismatch(s: BodySchema, v: unknown): Mismatch | undefined {
  const m = walk(s, v);
  if (!m) return undefined;
  // the path is built only on failure: segments were pushed innermost first on the way out
  return { instancePath: m.segs.reverse().join(''), keyword: m.keyword };
}

interface Found {
  segs: string[];
  keyword: Mismatch['keyword'];
}

function walk(s: BodySchema, v: unknown): Found | undefined {
  if (s.type && !typeMatches(s.type, v)) return { segs: [], keyword: 'type' };
  if (typeof v === 'number') {
    if (s.maximum !== undefined && (v > s.maximum || Number.isNaN(v))) return { segs: [], keyword: 'maximum' };
    if (s.minimum !== undefined && (v < s.minimum || Number.isNaN(v))) return { segs: [], keyword: 'minimum' };
    return undefined;
  }
  if (Array.isArray(v)) return s.items ? walkList(s.items, v) : undefined;
  if (typeof v !== 'object' || v === null) return undefined;
  return walkObject(s, v as Record<string, unknown>);
}

function walkObject(s: BodySchema, o: Record<string, unknown>): Found | undefined {
  const props = s.properties;
  if (s.additionalProperties)
    for (const k in o) {
      if (props && Object.hasOwn(props, k)) continue;
      const m = walk(s.additionalProperties, o[k]);
      if (m) return within(m, k);
    }
  if (!props) return undefined;
  // of the body's fields that fail, the one first in the schema
  const order = fieldOrder(props);
  let first: Found | undefined;
  let firstAt = Number.POSITIVE_INFINITY;
  for (const k in o) {
    const at = order.get(k);
    if (at === undefined || at > firstAt) continue;
    const m = walk(props[k], o[k]);
    if (m) {
      first = within(m, k);
      firstAt = at;
    }
  }
  return first;
}

function walkList(items: BodySchema, list: unknown[]): Found | undefined {
  for (let i = 0; i < list.length; i++) {
    const m = walk(items, list[i]);
    if (m) return within(m, String(i));
  }
  return undefined;
}

function within(m: Found, key: string): Found {
  m.segs.push(`/${pointer(key)}`);
  return m;
}

const orders = new WeakMap<Record<string, BodySchema>, Map<string, number>>();

/** A field's position in the schema (the order ajv checks them in), kept per schema. */
function fieldOrder(props: Record<string, BodySchema>): Map<string, number> {
  let order = orders.get(props);
  if (!order) {
    order = new Map(Object.keys(props).map((k, i) => [k, i]));
    orders.set(props, order);
  }
  return order;
}
