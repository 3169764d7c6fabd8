import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFlags } from '../flags/parser.js';
import { createFlags, buildCreate } from './run-opts.js';

test('run takes CFS and block-IO flags into HostConfig', () => {
  const argv = [
    '--cpu-period',
    '100000',
    '--cpu-quota',
    '50000',
    '--device-read-bps',
    '/dev/sda:1mb',
    '--device-write-iops',
    '/dev/sda:10',
    'busybox',
  ];
  const p = parseFlags(createFlags, argv);
  const hc = (buildCreate(p, p.args, false).body as { HostConfig: Record<string, unknown> }).HostConfig;
  assert.equal(hc.CpuPeriod, 100000);
  assert.equal(hc.CpuQuota, 50000);
  assert.deepEqual(hc.BlkioDeviceReadBps, [{ Path: '/dev/sda', Rate: 1024 * 1024 }]);
  assert.deepEqual(hc.BlkioDeviceWriteIOps, [{ Path: '/dev/sda', Rate: 10 }]);
  assert.equal('BlkioDeviceWriteBps' in hc, false);
  assert.throws(() => parseFlags(createFlags, ['--device-read-iops', '/dev/sda:x']), /for "--device-read-iops" flag/);
});
