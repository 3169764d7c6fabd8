// firstMismatch against ajv itself (a dev dependency; berthd used ajv's generated code before): for
// random bodies per endpoint, well-shaped or not, both accept the same ones and name the same first
// mismatch (where and which keyword), which is what checkBody turns into Go's message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import AjvModule from 'ajv';
import fc from 'fast-check';
import { shaped } from './body-arbitrary.js';
import { bodySchemas } from './engine-api.gen.js';
import { firstMismatch } from './first-mismatch.js';

const RUNS = Number(process.env.BERTH_PROP_RUNS ?? 300);
// the options scripts/gen-api-schemas.mjs compiled with: goType is ours, not a keyword
const Ajv = AjvModule.default ?? AjvModule;
const ajv = new Ajv({ strict: false, allErrors: false });

/** The same value with every object's keys in reverse order (ajv reports known fields in schema order). */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .reverse()
      .map(([k, x]) => [k, reversed(x)]),
  );
}

for (const [endpoint, schema] of Object.entries(bodySchemas)) {
  test(`${endpoint}: the same verdict and first mismatch as ajv`, () => {
    const validate = ajv.compile(schema);
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), shaped(schema, 0), shaped(schema, 0, false)), (raw) => {
        for (const body of [raw, reversed(raw)]) {
          const ok = validate(body);
          const first = validate.errors?.[0];
          const expected = ok ? undefined : { instancePath: first?.instancePath, keyword: first?.keyword };
          assert.deepEqual(firstMismatch(schema, body), expected);
        }
      }),
      { numRuns: RUNS },
    );
  });
}

test('paths escape ~ and / in keys (RFC 6901) and count list items', () => {
  const s = bodySchemas['POST /containers/create'];
  assert.deepEqual(firstMismatch(s, { Labels: { 'a/b~c': 1 } }), {
    instancePath: '/Labels/a~1b~0c',
    keyword: 'type',
  });
  assert.deepEqual(firstMismatch(s, { HostConfig: { Binds: ['a', 2] } }), {
    instancePath: '/HostConfig/Binds/1',
    keyword: 'type',
  });
  assert.deepEqual(firstMismatch(s, { HostConfig: { BlkioWeight: 70000 } }), {
    instancePath: '/HostConfig/BlkioWeight',
    keyword: 'maximum',
  });
  assert.equal(firstMismatch(s, { Image: 'a', Unknown: { x: 1 } }), undefined);
});
