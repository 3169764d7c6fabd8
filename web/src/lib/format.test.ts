import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ago, binarySize, formatPorts, healthOf, humanSize, shortId } from './format.js';

test('sizes print like the docker CLI', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1_234_567), '1.23MB');
  assert.equal(humanSize(4_400_000), '4.4MB');
  assert.equal(binarySize(1536), '1.50KiB');
  assert.equal(binarySize(512), '512B');
});

test('PORTS column: published first by port, duplicates once, IPv6 in brackets', () => {
  assert.equal(
    formatPorts([
      { PrivatePort: 443, Type: 'tcp' },
      { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
      { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
      { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    ]),
    '0.0.0.0:8080->80/tcp, [::]:8080->80/tcp, 443/tcp',
  );
  assert.equal(formatPorts(null), '');
});

test('health, short ids and ages', () => {
  assert.equal(healthOf('Up 3 minutes (healthy)'), 'healthy');
  assert.equal(healthOf('Up 1 second (health: starting)'), 'health: starting');
  assert.equal(healthOf('Exited (0) 2 hours ago'), '');
  assert.equal(shortId('sha256:0123456789abcdef'), '0123456789ab');
  const now = 1_000_000_000_000;
  assert.equal(ago(now / 1000 - 3 * 60, now), '3 minutes ago');
  assert.equal(ago(now / 1000 - 3600, now), 'An hour ago');
  assert.equal(ago(now / 1000, now), 'Less than a second ago');
});
