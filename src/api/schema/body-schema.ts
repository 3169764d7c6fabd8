// Request bodies checked against the Engine API's types (one generated schema per endpoint), the way
// Go's encoding/json decodes into moby's structs: a wrong type is a 400 with Go's message shape,
// null is the zero value, unknown fields are ignored.
import { invalid } from '../../errdefs.js';
import { bodySchemas } from './engine-api.gen.js';
import { firstMismatch, type Mismatch } from './first-mismatch.js';

/** The reduced schema scripts/gen-api-schemas.mjs emits (a JSON-schema subset plus the Go type name). */
export interface BodySchema {
  type?: string[];
  properties?: Record<string, BodySchema>;
  additionalProperties?: BodySchema;
  items?: BodySchema;
  minimum?: number;
  maximum?: number;
  goType?: string;
}

/** The schema for `METHOD /route/{pattern}`, or undefined when the endpoint takes no JSON body. */
export function schemaFor(endpoint: string): BodySchema | undefined {
  return bodySchemas[endpoint];
}

/**
 * Checks a parsed body against its endpoint's schema and returns it normalised like Go would see
 * it (null fields dropped, null list items and map values as zero values, a string StrSlice as a
 * one-item list). Throws `invalid` with Go's "cannot unmarshal" message on a type mismatch.
 */
export function checkBody(endpoint: string, value: unknown): unknown {
  const schema = schemaFor(endpoint);
  if (!schema || value === undefined) return value;
  if (value === null) return undefined;
  canonicalize(schema, value);
  const mismatch = firstMismatch(schema, value);
  if (mismatch) throw invalid(messageFor(schema, value, mismatch));
  return normalize(schema, value);
}

function goKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

/** Go's UnmarshalTypeError text: `json: cannot unmarshal number into Go struct field X.a.b of type string`. */
function messageFor(root: BodySchema, value: unknown, err: Mismatch): string {
  const rootName = (root.goType ?? 'struct').replace(/^.*\./, '');
  const segs = err.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let s: BodySchema | undefined = root;
  let v: unknown = value;
  const fields: string[] = [];
  for (const seg of segs) {
    if (Array.isArray(v)) {
      s = s?.items;
      v = v[Number(seg)];
    } else {
      if (s?.properties && Object.hasOwn(s.properties, seg)) {
        s = s.properties[seg];
        fields.push(seg);
      } else s = s?.additionalProperties;
      v = (v as Record<string, unknown>)[seg];
    }
  }
  const kind = goKind(v);
  const shown =
    kind === 'number' && (err.keyword !== 'type' || !s?.type?.includes('string'))
      ? `number ${JSON.stringify(v)}`
      : kind;
  const type = s?.goType ?? 'interface {}';
  if (fields.length === 0) return `json: cannot unmarshal ${shown} into Go value of type ${type}`;
  return `json: cannot unmarshal ${shown} into Go struct field ${rootName}.${fields.join('.')} of type ${type}`;
}

/**
 * Go matches JSON keys to struct fields case-insensitively ({"image": …} sets Image): such keys
 * are renamed to the field's name (when it is not also present), so they are checked and used.
 */
function canonicalize(s: BodySchema | undefined, v: unknown): void {
  if (!s || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const x of v) canonicalize(s.items, x);
    return;
  }
  const o = v as Record<string, unknown>;
  const props = s.properties;
  if (props) {
    let lower: Map<string, string> | undefined;
    for (const k of Object.keys(o)) {
      if (Object.hasOwn(props, k)) continue;
      lower ??= new Map(Object.keys(props).map((p) => [p.toLowerCase(), p]));
      const field = lower.get(k.toLowerCase());
      if (field && !Object.hasOwn(o, field)) {
        o[field] = o[k];
        delete o[k];
      }
    }
    for (const [k, x] of Object.entries(o)) if (Object.hasOwn(props, k)) canonicalize(props[k], x);
  } else if (s.additionalProperties) for (const x of Object.values(o)) canonicalize(s.additionalProperties, x);
}

function zero(s: BodySchema | undefined): unknown {
  switch (s?.type?.[0]) {
    case 'string':
      return '';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'object':
      return {};
    case 'array':
      return [];
    default:
      return null;
  }
}

function normalize(s: BodySchema | undefined, v: unknown): unknown {
  if (!s || v === null || typeof v !== 'object') {
    if (typeof v === 'string' && s?.goType === 'strslice.StrSlice') return [v];
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => (x === null ? zero(s.items) : normalize(s.items, x)));
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const known = s.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
    if (known) {
      if (o[k] === null) delete o[k];
      else o[k] = normalize(known, o[k]);
    } else if (s.additionalProperties) {
      o[k] = o[k] === null ? zero(s.additionalProperties) : normalize(s.additionalProperties, o[k]);
    }
  }
  return o;
}
