// Property tests: any `-v` / Binds string, `--mount` spec, `--tmpfs` data, `--volumes-from` value
// and mode string parses to a mount or is an `invalid` EngineError (a 400), never a TypeError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { forAll, grammarish, invalidOnly, params } from '../util/prop-check.js';
import {
  parseBind,
  parseMode,
  parseMountSpec,
  parseVolumesFrom,
  tmpfsOptions,
  tmpfsSpecOptions,
  type MountSpecIn,
} from './mounts.js';

const PARTS = [
  '/',
  '/data',
  '/a/../b',
  '.',
  '..',
  'vol',
  'my-vol_1',
  'C:',
  ':',
  ':',
  'ro',
  'rw',
  'z',
  'Z',
  'nocopy',
  'rshared',
  'rprivate',
  'cached',
  ',',
  'ro,z',
  '//',
  '/x/',
  'é',
  ' ',
  '\0',
  'constructor',
  '__proto__',
];
const bindSpec = grammarish(PARTS, 6, '/:a-zZro,.', 30);

test('any -v / Binds spec is a planned mount or an invalid EngineError', () => {
  forAll(
    bindSpec,
    (s) => {
      const m = invalidOnly(() => parseBind(s));
      if (m) {
        assert.ok(m.destination.startsWith('/') && m.destination !== '/', m.destination);
        assert.ok(!m.destination.split('/').includes('..'), 'destination is clean');
        if (m.type === 'bind') assert.ok(m.source.startsWith('/'));
      }
      invalidOnly(() => parseMode(s));
      invalidOnly(() => parseVolumesFrom(s));
      invalidOnly(() => tmpfsOptions(s));
    },
    1000,
  );
});

test('any --mount spec object with string fields is a planned mount or an invalid EngineError', () => {
  const str = fc.oneof(fc.constantFrom(...PARTS), fc.string({ maxLength: 8 }));
  const spec: fc.Arbitrary<MountSpecIn> = fc.record(
    {
      Type: fc.constantFrom('bind', 'volume', 'tmpfs', 'npipe', '', 'BIND'),
      Source: str,
      Target: str,
      ReadOnly: fc.boolean(),
      BindOptions: fc.record(
        { Propagation: fc.constantFrom('rshared', 'bogus', ''), CreateMountpoint: fc.boolean() },
        { requiredKeys: [] },
      ),
      VolumeOptions: fc.record(
        {
          NoCopy: fc.boolean(),
          Labels: fc.dictionary(fc.string(), fc.string()),
          DriverConfig: fc.record({ Name: str }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
      ),
      TmpfsOptions: fc.record({ SizeBytes: fc.integer(), Mode: fc.integer() }, { requiredKeys: [] }),
    },
    { requiredKeys: ['Type', 'Target'] },
  );
  forAll(
    spec,
    (m) => {
      const p = invalidOnly(() => parseMountSpec(m));
      if (p) assert.ok(p.destination.startsWith('/'));
      for (const o of tmpfsSpecOptions(m, !m.ReadOnly)) assert.equal(typeof o, 'string');
    },
    1000,
  );
});

test('valid binds round-trip: host path, destination and mode come back clean', () => {
  const seg = fc.stringMatching(/^[a-z0-9_.-]{1,8}$/).filter((x) => x !== '.' && x !== '..');
  const abs = fc.array(seg, { minLength: 1, maxLength: 3 }).map((a) => '/' + a.join('/'));
  fc.assert(
    fc.property(abs, abs, fc.constantFrom('', 'ro', 'rw', 'ro,rslave', 'z'), (src, dst, mode) => {
      const m = parseBind(mode ? `${src}:${dst}:${mode}` : `${src}:${dst}`);
      assert.deepEqual([m.type, m.source, m.destination, m.rw], ['bind', src, dst, !mode.includes('ro')]);
    }),
    params(),
  );
});

test('--mount specs straight from JSON (any field types) are answered with invalid, not a TypeError', () => {
  const anyJson = fc.dictionary(
    fc.constantFrom('Type', 'Source', 'Target', 'ReadOnly', 'BindOptions', 'VolumeOptions', 'TmpfsOptions'),
    fc.jsonValue({ maxDepth: 2 }),
  );
  fc.assert(
    fc.property(anyJson, fc.constantFrom('bind', 'volume', 'tmpfs'), (o, t) => {
      invalidOnly(() => parseMountSpec({ Type: t, ...o } as unknown as MountSpecIn));
      invalidOnly(() => parseMountSpec(o as unknown as MountSpecIn));
    }),
    params(1000),
  );
});

test("regression: a non-string Target or Source is a 400 with Go's decoder text, not a TypeError", () => {
  assert.throws(() => parseMountSpec({ Type: 'bind', Target: {} } as unknown as MountSpecIn), {
    name: 'EngineError',
    message: 'json: cannot unmarshal object into Go struct field Mount.Target of type string',
  });
  assert.throws(
    () =>
      parseMountSpec({ Type: 'volume', Target: '/x', VolumeOptions: { Labels: { a: 1 } } } as unknown as MountSpecIn),
    {
      message:
        'json: cannot unmarshal object into Go struct field Mount.VolumeOptions.Labels of type map[string]string',
    },
  );
  assert.equal(
    parseMountSpec({ Type: 'tmpfs', Target: '/t', Source: null } as unknown as MountSpecIn).destination,
    '/t',
    'null is a zero value',
  );
});
