import { it } from 'node:test';
import assert from 'node:assert/strict';
import {
  familiarName,
  familiarString,
  normalize,
  parseReference,
  referenceString,
  withDefaultTag,
} from './reference.js';

const D = 'sha256:' + 'a'.repeat(64);

it('normalises Docker Hub names', () => {
  assert.equal(normalize('busybox'), 'docker.io/library/busybox:latest');
  assert.equal(normalize('busybox:1.36'), 'docker.io/library/busybox:1.36');
  assert.equal(normalize('me/app'), 'docker.io/me/app:latest');
  assert.equal(normalize('docker.io/library/busybox'), 'docker.io/library/busybox:latest');
  assert.equal(normalize('index.docker.io/busybox'), 'docker.io/library/busybox:latest');
});

it('keeps registries with ports and localhost', () => {
  const r = parseReference('localhost:5000/me/bb:1');
  assert.deepEqual(r, { domain: 'localhost:5000', path: 'me/bb', tag: '1' });
  assert.equal(familiarString(r), 'localhost:5000/me/bb:1');
  assert.deepEqual(parseReference('localhost/bb'), { domain: 'localhost', path: 'bb' });
  assert.deepEqual(parseReference('reg.example.com/x/y'), { domain: 'reg.example.com', path: 'x/y' });
});

it('parses digests, with and without a tag', () => {
  assert.deepEqual(parseReference(`busybox@${D}`), { domain: 'docker.io', path: 'library/busybox', digest: D });
  assert.equal(referenceString(withDefaultTag(parseReference(`bb:1@${D}`))), `docker.io/library/bb:1@${D}`);
  assert.throws(() => parseReference('busybox@sha256:abc'), /invalid checksum digest length/);
});

it('familiar forms strip docker.io/library/', () => {
  assert.equal(familiarName(parseReference('docker.io/library/busybox')), 'busybox');
  assert.equal(familiarName(parseReference('docker.io/me/busybox')), 'me/busybox');
  assert.equal(familiarString(withDefaultTag(parseReference('busybox'))), 'busybox:latest');
});

it("rejects bad references with Docker's texts", () => {
  assert.throws(() => parseReference('UPPER'), {
    message: 'invalid reference format: repository name (library/UPPER) must be lowercase',
  });
  assert.throws(() => parseReference('a b'), { message: 'invalid reference format' });
  assert.throws(() => parseReference(''), { message: 'invalid reference format' });
  assert.throws(() => parseReference('bb:'), { message: 'invalid reference format' });
  assert.throws(() => parseReference('bb:-x'), { message: 'invalid reference format' });
  assert.throws(() => parseReference('a//b'), { message: 'invalid reference format' });
  assert.throws(() => parseReference('-a'), { message: 'invalid reference format' });
  assert.throws(() => parseReference('a'.repeat(64)), /cannot specify 64-byte hexadecimal strings/);
  assert.throws(() => parseReference('x/' + 'a'.repeat(260)), /must not be more than 255 characters/);
  assert.doesNotThrow(() => parseReference('a_b-d__e/f---g.h'));
});
