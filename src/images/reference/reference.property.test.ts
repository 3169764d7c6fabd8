// Property tests: any string is a reference or an `invalid` EngineError; valid references round-trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { invalidOnly, near, params } from '../../util/prop-check.js';
import {
  familiarString,
  normalize,
  parseReference,
  referenceString,
  validateTag,
  withDefaultTag,
} from './reference.js';

const lower = 'abcdefghijklmnopqrstuvwxyz0123456789';
const component = fc
  .array(fc.string({ unit: fc.constantFrom(...lower), minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 })
  .chain((ws) =>
    fc
      .array(fc.constantFrom('.', '_', '__', '-', '--'), { minLength: ws.length - 1, maxLength: ws.length - 1 })
      .map((seps) => ws.map((w, i) => (i ? seps[i - 1] : '') + w).join('')),
  );
const domain = fc.oneof(
  fc.constant('localhost'),
  fc.constant('docker.io'),
  fc.constant('index.docker.io'),
  fc
    .tuple(
      fc.stringMatching(/^[a-z][a-z0-9-]{0,5}[a-z0-9]$/),
      fc.constantFrom('.com', '.io', '.example.org', ':5000', '.lan:443'),
    )
    .map(([a, b]) => a + b),
  fc.integer({ min: 1, max: 65535 }).map((p) => `localhost:${p}`),
  fc.constant('[::1]:5000'),
);
const tag = fc.stringMatching(/^[\w][\w.-]{0,20}$/);
const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`);
const validRef = fc
  .record(
    {
      domain: fc.option(domain, { nil: undefined }),
      path: fc.array(component, { minLength: 1, maxLength: 3 }),
      tag: fc.option(tag, { nil: undefined }),
      digest: fc.option(digest, { nil: undefined }),
    },
    { requiredKeys: ['path'] },
  )
  // without a domain, a first component with a dot would read as a registry host
  .map((r) => ({ ...r, domain: r.domain ?? (r.path.length > 1 && r.path[0].includes('.') ? 'docker.io' : undefined) }))
  .map(
    (r) =>
      (r.domain ? `${r.domain}/` : '') +
      r.path.join('/') +
      (r.tag ? `:${r.tag}` : '') +
      (r.digest ? `@${r.digest}` : ''),
  );

test('any string parses or throws an invalid EngineError', () => {
  fc.assert(
    fc.property(near('abcAZ09./:@_-+=[]sha256 \u00e9'), (s) => {
      invalidOnly(() => parseReference(s));
      invalidOnly(() => normalize(s));
      invalidOnly(() => validateTag(s));
    }),
    params(1000),
  );
});

test('long and pathological strings are answered without backtracking blow-ups', () => {
  const longs = [
    'a'.repeat(5000),
    `${'a-'.repeat(3000)}!`,
    `${'a.'.repeat(3000)}/x`,
    `${'a'.repeat(3000)}-/x`,
    `x@${'a'.repeat(3000)}:`,
    `${'ab'.repeat(2000)}.${'-'.repeat(2000)}/x`,
  ];
  for (const s of longs) invalidOnly(() => parseReference(s));
});

test('generated valid references parse and round-trip through their full and familiar strings', () => {
  fc.assert(
    fc.property(validRef, (s) => {
      const r = parseReference(s); // generated names stay far below 255 characters
      assert.deepEqual(parseReference(referenceString(r)), r);
      // Docker's familiar form is ambiguous for docker.io/<a.b>/x ("a.b" then reads as a registry),
      // in Docker too; the full form is what the store keeps, the familiar one is display only.
      const first = r.path.split('/')[0];
      if (r.domain !== 'docker.io' || !/[.:]|^localhost$/.test(first)) {
        assert.deepEqual(parseReference(familiarString(r)), r);
        assert.equal(normalize(familiarString(withDefaultTag(r))), normalize(s));
      }
      assert.equal(r.path, r.path.toLowerCase());
    }),
    params(1000),
  );
});
