// Health checks ⇄ probes: both Docker forms survive the round trip; NONE and no test give no probe.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { healthOf, probeOf } from './probes.js';

test('CMD and CMD-SHELL health checks come back from their probes unchanged', () => {
  const warn = () => assert.fail('no warning expected');
  for (const h of [
    {
      Test: ['CMD-SHELL', 'wget -q -O- localhost || exit 1'],
      Interval: 5e9,
      Timeout: 2e9,
      StartPeriod: 1e10,
      Retries: 4,
    },
    { Test: ['CMD', '/bin/check', '--fast'], Interval: 1e9 },
  ])
    assert.deepEqual(healthOf(probeOf(h, warn, 'c')), h);
  assert.equal(probeOf({ Test: ['NONE'] }, warn, 'c'), undefined);
  assert.equal(probeOf({}, warn, 'c'), undefined);
});

test('a start interval has no probe field: it is warned about', () => {
  const warnings: string[] = [];
  probeOf({ Test: ['CMD', 'true'], StartInterval: 1e9 }, (m) => warnings.push(m), 'web');
  assert.deepEqual(warnings, ['web: healthcheck start interval has no probe equivalent']);
});
