// Property tests for the registry server's path names: any repository name, tag or digest from a
// request path is accepted or refused with a RegistryError (NAME_INVALID / DIGEST_INVALID).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { near, onlyThrows, params } from '../util/prop-check.js';
import { RegistryError } from './errors.js';
import { checkDigest, checkName, isTag, isValidName } from './names.js';

test('any name, tag or digest is accepted or a RegistryError, in bounded time', () => {
  fc.assert(
    fc.property(near('ab09._-/:sha256@', 60), (s) => {
      onlyThrows(() => checkName(s), RegistryError);
      onlyThrows(() => checkDigest(s), RegistryError);
      assert.equal(typeof isTag(s), 'boolean');
      if (isValidName(s)) assert.ok(s.length <= 255 && s === s.toLowerCase());
    }),
    params(1000),
  );
  for (const s of ['a-'.repeat(5000) + '!', 'a_'.repeat(5000), 'a'.repeat(100_000) + ':']) {
    onlyThrows(() => checkName(s), RegistryError);
    onlyThrows(() => checkDigest(s), RegistryError);
  }
});
