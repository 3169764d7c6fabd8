import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CAPS, capsFromMask, DEFAULT_CAPS, normalizeCaps, tweakCapabilities } from './capabilities.js';

test('capsFromMask decodes /proc/<pid>/status masks', () => {
  assert.equal(capsFromMask('000001ffffffffff').length, 41);
  const noRes = capsFromMask('000001fffeffffff');
  assert.equal(noRes.length, 40);
  assert.ok(!noRes.includes('CAP_SYS_RESOURCE'));
  assert.deepEqual(
    capsFromMask('00000000a80425fb'),
    [...DEFAULT_CAPS].sort((a, b) => ALL_CAPS.indexOf(a) - ALL_CAPS.indexOf(b)),
  );
});

test('normalizeCaps: prefix, case, ALL, duplicates, unknown', () => {
  assert.deepEqual(normalizeCaps(['net_admin', 'CAP_NET_ADMIN', 'All']), ['CAP_NET_ADMIN', 'ALL']);
  assert.throws(() => normalizeCaps(['nope'], 'CapDrop'), {
    message: 'invalid CapDrop: unknown capability: "CAP_NOPE"',
  });
});

test('tweakCapabilities follows moby', () => {
  const all = ['CAP_CHOWN', 'CAP_KILL', 'CAP_SYS_ADMIN'];
  assert.deepEqual(tweakCapabilities(DEFAULT_CAPS, [], [], true, all), all);
  assert.deepEqual(tweakCapabilities(DEFAULT_CAPS, ['ALL'], ['kill'], false, all), ['CAP_CHOWN', 'CAP_SYS_ADMIN']);
  assert.deepEqual(tweakCapabilities(DEFAULT_CAPS, ['kill'], ['ALL'], false, all), ['CAP_KILL']);
  assert.deepEqual(tweakCapabilities(['CAP_CHOWN', 'CAP_KILL'], ['sys_admin', 'chown'], ['kill'], false, all), [
    'CAP_CHOWN',
    'CAP_SYS_ADMIN',
  ]);
});
