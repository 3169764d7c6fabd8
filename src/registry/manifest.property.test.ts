// Property tests: any manifest body a client PUTs, with any content type, parses to descriptors
// with string digests or is refused with a RegistryError (MANIFEST_INVALID…), never a TypeError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { onlyThrows, params } from '../util/prop-check.js';
import { RegistryError } from './errors.js';
import { MT, parseManifest } from './manifest.js';

const D = 'sha256:' + 'a'.repeat(64);

test('any manifest body parses or is a RegistryError', () => {
  const leaf = fc.oneof(
    fc.constantFrom(D, 'sha256:x', '', MT.ociManifest, MT.dockerList, 'application/x'),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant({}),
    fc.constant([]),
  );
  const desc = fc.oneof(
    fc.record(
      {
        mediaType: leaf,
        digest: leaf,
        size: leaf,
        urls: fc.oneof(leaf, fc.array(leaf)),
        annotations: fc.oneof(leaf, fc.dictionary(fc.string(), leaf)),
      },
      { requiredKeys: [] },
    ),
    leaf,
  );
  const doc = fc.record(
    {
      schemaVersion: fc.oneof(fc.constant(2), leaf),
      mediaType: leaf,
      config: desc,
      layers: fc.oneof(fc.array(desc, { maxLength: 3 }), leaf),
      manifests: fc.oneof(fc.array(desc, { maxLength: 3 }), leaf),
      subject: desc,
      artifactType: leaf,
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    doc.map((d) => Buffer.from(JSON.stringify(d))),
    fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '')),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  );
  fc.assert(
    fc.property(
      body,
      fc.option(fc.constantFrom(...Object.values(MT), 'application/json', ''), { nil: undefined }),
      (b, ct) => {
        const m = onlyThrows(() => parseManifest(b, ct), RegistryError);
        if (m) assert.equal(typeof m.mediaType, 'string');
      },
    ),
    params(1000),
  );
});
