import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dfRows, reclaimableText } from './df.js';
import { humanSize } from './format.js';

test('system df rows: totals, active and reclaimable like docker system df', () => {
  const rows = dfRows({
    LayersSize: 10_000,
    Images: [
      { Size: 6_000, SharedSize: 0, Containers: 1 },
      { Size: 4_000, SharedSize: -1, Containers: 0 },
    ],
    Containers: [
      { State: 'running', SizeRw: 10 },
      { State: 'exited', SizeRw: 30 },
    ],
    Volumes: [{ UsageData: { Size: 100, RefCount: 1 } }, { UsageData: { Size: 50, RefCount: 0 } }, { UsageData: null }],
    BuildCache: null,
  });
  assert.deepEqual(rows[0], { type: 'Images', total: 2, active: 1, size: 10_000, reclaimable: 4_000 });
  assert.deepEqual(rows[1], { type: 'Containers', total: 2, active: 1, size: 40, reclaimable: 30 });
  assert.deepEqual(rows[2], { type: 'Local Volumes', total: 3, active: 1, size: 150, reclaimable: 50 });
  assert.deepEqual(rows[3], { type: 'Build Cache', total: 0, active: 0, size: 0, reclaimable: 0 });
  assert.equal(reclaimableText(rows[0]!, humanSize), '4kB (40%)');
  assert.equal(reclaimableText(rows[3]!, humanSize), '0B');
});
