// containerd/platforms.Parse's forms and texts (moby's answers to a bad `platform=`).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../errdefs.js';
import { goArch } from './go-arch.js';
import { checkImagePlatform, formatPlatform, parsePlatform, platformMatches, platformQuery } from './platform.js';

const fails = (spec: string, message: string) =>
  assert.throws(
    () => parsePlatform(spec),
    (e: unknown) => e instanceof EngineError && e.kind === 'invalid' && e.message === message,
  );

test('a bare word is an os (default arch) or an arch (linux); anything else is unknown', () => {
  assert.deepEqual(parsePlatform('linux'), { os: 'linux', architecture: goArch() });
  assert.deepEqual(parsePlatform('aarch64'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('armhf'), { os: 'linux', architecture: 'arm' });
  fails('foobar', '"foobar": unknown operating system or architecture: invalid argument');
});

test('os/arch[/variant] is normalized as containerd does', () => {
  assert.deepEqual(parsePlatform('linux/x86_64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('Linux/AMD64/v1'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.deepEqual(parsePlatform('linux/arm/7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(parsePlatform('linux/arm'), { os: 'linux', architecture: 'arm' });
  assert.deepEqual(parsePlatform('windows(10.0.17763)/amd64'), {
    os: 'windows',
    architecture: 'amd64',
    osVersion: '10.0.17763',
  });
  assert.equal(formatPlatform(parsePlatform('linux/arm/v6')), 'linux/arm/v6');
});

test('bad components, wildcards and too many parts get containerd texts', () => {
  fails('linux/*', '"linux/*": wildcards not yet supported: invalid argument');
  fails(
    'linux/am d64',
    '"am d64" is an invalid component of "linux/am d64": platform specifier component must match "^[A-Za-z0-9_.-]+$": invalid argument',
  );
  fails(
    'li nux/amd64',
    '"li nux" is an invalid OS component of "li nux/amd64": OSAndVersion specifier component must match "^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.%-]*)((?:\\+[A-Za-z0-9_.%-]+)*)\\))?$": invalid argument',
  );
  fails('linux/amd64/v2/x', '"linux/amd64/v2/x": cannot parse platform specifier: invalid argument');
  fails(
    '',
    '"" is an invalid OS component of "": OSAndVersion specifier component must match "^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.%-]*)((?:\\+[A-Za-z0-9_.%-]+)*)\\))?$": invalid argument',
  );
});

test('platformQuery: empty or older API is no platform; otherwise parsed', () => {
  assert.equal(platformQuery(null), null);
  assert.equal(platformQuery(''), null);
  assert.equal(platformQuery('foobar', '1.31'), null);
  assert.throws(() => platformQuery('foobar', '1.44'), /unknown operating system or architecture/);
  assert.throws(() => platformQuery('foobar', '1.40', '1.41') ?? assert.fail('gated'), /gated/);
  assert.deepEqual(platformQuery('linux/amd64', '1.44'), { os: 'linux', architecture: 'amd64' });
});

test('platformMatches: os and arch must agree; a variant only when both name one', () => {
  const want = parsePlatform('linux/arm64/v8');
  assert.equal(platformMatches(want, { os: 'linux', architecture: 'aarch64' }), true);
  assert.equal(platformMatches(want, { os: 'linux', architecture: 'arm64', variant: 'v9' }), false);
  assert.equal(platformMatches(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'arm64' }), false);
  assert.equal(platformMatches(parsePlatform('linux/amd64'), { os: 'windows', architecture: 'amd64' }), false);
});

test('checkImagePlatform: a local image of another platform is moby not-found; own, absent or unasked pass', async () => {
  const lookup = async (ref: string) => (ref === 'busybox' ? { os: 'linux', architecture: 'amd64' } : null);
  await assert.rejects(
    checkImagePlatform(parsePlatform('linux/arm64'), 'busybox', lookup),
    (e: unknown) =>
      e instanceof EngineError &&
      e.kind === 'not-found' &&
      e.message ===
        'image with reference busybox was found but its platform (linux/amd64) does not match the specified platform (linux/arm64)',
  );
  await checkImagePlatform(parsePlatform('linux/amd64'), 'busybox', lookup);
  await checkImagePlatform(parsePlatform('linux/arm64'), 'other', lookup);
  await checkImagePlatform(null, 'busybox', lookup);
});
