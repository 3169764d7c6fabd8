// Test support (fast-check is a dev dependency): random request bodies shaped like an endpoint's
// schema, with the values that sit on the semantic checks' edges, nulls and wrong types mixed in.
import fc from 'fast-check';
import { stringsOr } from '../../util/prop-check.js';
import type { BodySchema } from './body-schema.js';

// values that reach the semantic checks' edges: ports, policies, sizes, env forms, paths
const strings = stringsOr(
  [
    '',
    '=',
    '=x',
    'A=1',
    'B',
    '80/tcp',
    '70000',
    '8000-8010',
    '9-1',
    'abc/udp',
    '/',
    '../..',
    'always',
    'no',
    'on-failure',
    'unless-stopped',
    'sometimes',
    'size',
    'host',
    'none',
    'bridge',
    'container:',
    'nofile',
    'SIGKILL',
    '0-1',
    '1-0',
    'x,y',
    '%ZZ',
  ],
  12,
);
const integers = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -1, 1, 999, 1000, 6 * 1024 * 1024, 2 ** 53 - 1, -(2 ** 53), 2 ** 62, 1e18, -1e18),
);

/**
 * Values shaped like the schema: each node sometimes null and, with `wrongTypes`, sometimes any
 * JSON instead (which the edge must refuse as a 400).
 */
export function shaped(s: BodySchema | undefined, depth = 0, wrongTypes = true): fc.Arbitrary<unknown> {
  const anyJson = fc.jsonValue({ maxDepth: 2 });
  if (!s?.type) return anyJson;
  if (depth > 8) return wrongTypes ? anyJson : fc.constant(null);
  const alts: Array<fc.Arbitrary<unknown>> = [];
  for (const t of s.type) {
    if (t === 'string') alts.push(strings);
    else if (t === 'integer')
      alts.push(
        wrongTypes ? integers : integers.filter((n) => n >= (s.minimum ?? -Infinity) && n <= (s.maximum ?? Infinity)),
      );
    else if (t === 'number') alts.push(fc.double({ noNaN: true, noDefaultInfinity: true }));
    else if (t === 'boolean') alts.push(fc.boolean());
    else if (t === 'array') alts.push(fc.array(shaped(s.items, depth + 1, wrongTypes), { maxLength: 3 }));
    else if (t === 'object' && s.properties) {
      const rec: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(s.properties)) rec[k] = shaped(v, depth + 1, wrongTypes);
      alts.push(fc.record(rec, { requiredKeys: [] }));
    } else if (t === 'object')
      alts.push(fc.dictionary(strings, shaped(s.additionalProperties, depth + 1, wrongTypes), { maxKeys: 3 }));
  }
  if (!wrongTypes)
    return fc.oneof({ weight: 12, arbitrary: fc.oneof(...alts) }, { weight: 1, arbitrary: fc.constant(null) });
  return fc.oneof(
    { weight: 12, arbitrary: fc.oneof(...alts) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: anyJson },
  );
}
