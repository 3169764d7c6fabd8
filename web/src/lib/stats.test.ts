import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addPoint, cpuPercent, memoryUsed, type StatsSample } from './stats.js';

const sample = (total: number, pre: number, sys: number, presys: number): StatsSample => ({
  cpu_stats: { cpu_usage: { total_usage: total }, system_cpu_usage: sys, online_cpus: 2 },
  precpu_stats: { cpu_usage: { total_usage: pre }, system_cpu_usage: presys },
  memory_stats: { usage: 10_000, limit: 100_000, stats: { inactive_file: 2_000 } },
});

test('CPU % is the container delta over the system delta times the CPUs', () => {
  assert.equal(cpuPercent(sample(150, 100, 1100, 1000)), 100);
  assert.equal(cpuPercent(sample(100, 100, 1000, 1000)), 0, 'no delta yet (first sample)');
});

test('memory without the inactive page cache (v2) or total_inactive_file (v1)', () => {
  assert.equal(memoryUsed(sample(0, 0, 0, 0)), 8_000);
  assert.equal(memoryUsed({ memory_stats: { usage: 500, stats: { total_inactive_file: 100 } } }), 400);
  assert.equal(memoryUsed({}), 0);
});

test('points are kept to the last max', () => {
  let pts = addPoint([], sample(150, 100, 1100, 1000), 2, 1);
  pts = addPoint(pts, sample(150, 100, 1100, 1000), 2, 2);
  pts = addPoint(pts, sample(100, 100, 1000, 1000), 2, 3);
  assert.deepEqual(
    pts.map((p) => [p.t, p.cpu, p.mem, p.limit]),
    [
      [2, 100, 8000, 100000],
      [3, 0, 8000, 100000],
    ],
  );
});
