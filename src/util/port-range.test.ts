import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePortRange, splitProtoPort } from './port-range.js';

test('parsePortRange and splitProtoPort as go-connections nat', () => {
  assert.deepEqual(parsePortRange('80'), [80, 80]);
  assert.deepEqual(parsePortRange('8000-8080'), [8000, 8080]);
  for (const bad of ['', 'x', '70000', '90-80', '1-', '-1', '1-2-3']) assert.equal(parsePortRange(bad), null, bad);
  assert.deepEqual(splitProtoPort('80/udp'), ['udp', '80']);
  assert.deepEqual(splitProtoPort('80'), ['tcp', '80']);
  assert.deepEqual(splitProtoPort('80/'), ['tcp', '80']);
  assert.deepEqual(splitProtoPort('/udp'), ['', '']);
});
