#!/usr/bin/env node
// Generates src/api/schema/engine-api.gen.ts: one self-contained JSON schema per JSON-body endpoint
// berthd serves, from moby's api/swagger.yaml (Engine API v1.47). berthd checks bodies against them
// with src/api/schema/first-mismatch.ts (one walk over the schema), not ajv: ajv at run time cost
// ~20 MiB RSS, and its standalone code repeated the same checks once per field (7,700 lines).
//
//   git -C <moby> show v27.5.1:api/swagger.yaml > /tmp/swagger.yaml
//   node scripts/gen-api-schemas.mjs /tmp/swagger.yaml 4c9b3b011ae4c30145a7b344c870bdda01b454e2
//
// The schemas describe what Go's encoding/json accepts for moby's structs, not the swagger's
// documentation: null is accepted everywhere (Go leaves the zero value), unknown fields are ignored,
// enums/patterns/minimums are dropped (semantic checks happen at create with Docker's texts), integers
// are bounded by their Go type, and strslice.StrSlice fields (Cmd, Entrypoint, Shell) take a string too.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const [swaggerPath, commit] = process.argv.slice(2);
if (!swaggerPath || !commit) {
  console.error('usage: gen-api-schemas.mjs SWAGGER_YAML MOBY_COMMIT');
  process.exit(2);
}
const swagger = YAML.parse(fs.readFileSync(swaggerPath, 'utf8'));

/** Endpoint (berth's route pattern) → the swagger path and the Go type moby decodes into (for messages). */
const ENDPOINTS = [
  ['POST /containers/create', '/containers/create', 'container.CreateRequest'],
  ['POST /containers/{id}/update', '/containers/{id}/update', 'container.UpdateConfig'],
  ['POST /containers/{id}/exec', '/containers/{id}/exec', 'container.ExecOptions'],
  ['POST /exec/{id}/start', '/exec/{id}/start', 'container.ExecStartOptions'],
  ['POST /commit', '/commit', 'container.Config'],
  ['POST /auth', '/auth', 'registry.AuthConfig'],
  ['POST /volumes/create', '/volumes/create', 'volume.CreateOptions'],
  ['POST /networks/create', '/networks/create', 'network.CreateRequest'],
  ['POST /networks/{id}/connect', '/networks/{id}/connect', 'network.ConnectOptions'],
  ['POST /networks/{id}/disconnect', '/networks/{id}/disconnect', 'network.DisconnectOptions'],
];

/** Fields Go decodes as strslice.StrSlice (a string or a list of strings). */
const STRSLICE = new Set(['Cmd', 'Entrypoint', 'Shell']);
/**
 * Integer fields whose Go type is unsigned although the swagger says int64 (a negative value is a
 * Go unmarshal error at create in Docker, and a runc failure at start if let through). Keyed by
 * `<struct>.<field>`; `[]` marks a list's items.
 */
const GO_UINT = {
  'ThrottleDevice.Rate': 'uint64',
  'BlkioWeightDevice.Weight': 'uint16',
  BlkioWeight: 'uint16',
  IOMaximumIOps: 'uint64',
  IOMaximumBandwidth: 'uint64',
  'ConsoleSize[]': 'uint64',
  'TmpfsOptions.Mode': 'uint32',
};
/** The Go unsigned type for a field path (matched on its last segments), if any. */
const goUint = (field) =>
  field ? Object.entries(GO_UINT).find(([k]) => field === k || field.endsWith('.' + k))?.[1] : undefined;
const INT_RANGE = {
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  // a double holds 2^64 - 1 and 2^63 - 1 only as 2^64 and 2^63 (the literals rounded to these too)
  uint64: [0, 2 ** 64],
  int32: [-2147483648, 2147483647],
  int64: [-(2 ** 63), 2 ** 63],
};

function deref(s, seen) {
  const name = s.$ref.replace('#/definitions/', '');
  if (seen.includes(name)) return { goType: name }; // recursive: accept anything below
  return convert(swagger.definitions[name], [...seen, name], name);
}

/** Swagger schema → our reduced schema (type, properties, items, additionalProperties, goType, bounds). */
function convert(s, seen, name, field) {
  if (!s) return {};
  if (s.$ref) return deref(s, seen);
  if (s.allOf) {
    const out = { type: ['object', 'null'], properties: {}, goType: name ?? s.title ?? 'struct' };
    for (const part of s.allOf) {
      const c = convert(part, seen);
      Object.assign(out.properties, c.properties ?? {});
    }
    return out;
  }
  const t = s.type ?? (s.properties ? 'object' : undefined);
  if (t === 'object' && s.properties) {
    const props = {};
    for (const [k, v] of Object.entries(s.properties)) {
      // an inline struct is named after its field (Go's message names the type)
      props[k] =
        STRSLICE.has(k) && v.type === 'array' ? strslice() : convert(v, seen, k, `${name ?? s.title ?? ''}.${k}`);
    }
    const out = { type: ['object', 'null'], properties: props, goType: name ?? s.title ?? 'struct' };
    if (s.additionalProperties && typeof s.additionalProperties === 'object')
      out.additionalProperties = convert(s.additionalProperties, seen);
    return out;
  }
  if (t === 'object') {
    const out = { type: ['object', 'null'] };
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      out.additionalProperties = convert(s.additionalProperties, seen);
      out.goType = `map[string]${out.additionalProperties.goType ?? 'interface {}'}`;
    } else out.goType = 'struct {}';
    return out;
  }
  if (t === 'array') {
    const items = convert(s.items ?? {}, seen, name?.replace(/s$/, ''), field && `${field}[]`);
    return { type: ['array', 'null'], items, goType: `[]${items.goType ?? 'interface {}'}` };
  }
  if (t === 'integer') {
    const u = goUint(field);
    const f = u ?? (INT_RANGE[s.format] ? s.format : 'int64');
    const [minimum, maximum] = INT_RANGE[f];
    return { type: ['integer', 'null'], minimum, maximum, goType: u || (s.format && INT_RANGE[s.format]) ? f : 'int' };
  }
  if (t === 'number') return { type: ['number', 'null'], goType: 'float64' };
  if (t === 'boolean') return { type: ['boolean', 'null'], goType: 'bool' };
  if (t === 'string') return { type: ['string', 'null'], goType: 'string' };
  return {};
}

function strslice() {
  return {
    type: ['array', 'string', 'null'],
    items: { type: ['string', 'null'], goType: 'string' },
    goType: 'strslice.StrSlice',
  };
}

const out = {};
for (const [key, p, goType] of ENDPOINTS) {
  const method = key.split(' ')[0].toLowerCase();
  const op = swagger.paths[p]?.[method];
  const param = op?.parameters?.find((x) => x.in === 'body');
  if (!param) throw new Error(`no JSON body for ${key} in the swagger`);
  const schema = convert(param.schema, [], goType);
  schema.goType = goType;
  out[key] = schema;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const target = path.join(here, '..', 'src', 'api', 'schema', 'engine-api.gen.ts');
let ts = `// GENERATED by scripts/gen-api-schemas.mjs from moby api/swagger.yaml (Engine API v${swagger.info.version}),\n`;
ts += `// moby commit ${commit}. Do not edit; re-run the script.\n`;
ts += `import type { BodySchema } from './body-schema.js';\n\n`;
ts += `export const SWAGGER_COMMIT = '${commit}';\n\n`;
ts += `export const bodySchemas: Record<string, BodySchema> = {\n`;
for (const [k, v] of Object.entries(out)) ts += `  ${JSON.stringify(k)}: ${JSON.stringify(v)},\n`;
ts += `};\n`;
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, ts);

console.log(`wrote ${target} (${Object.keys(out).length} endpoints)`);
