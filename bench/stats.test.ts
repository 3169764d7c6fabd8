import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTable, median, parentPid, pssBytes, vmRssBytes } from './stats.js';

test('median of odd, even and empty lists', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('vmRssBytes and parentPid read /proc/<pid>/status', () => {
  const status = 'Name:\tnode\nPPid:\t42\nVmPeak:\t  900 kB\nVmRSS:\t   51200 kB\n';
  assert.equal(vmRssBytes(status), 51200 * 1024);
  assert.equal(parentPid(status), 42);
  assert.equal(vmRssBytes('Name:\tkthreadd\n'), 0);
});

test('pssBytes reads the Pss line of /proc/<pid>/smaps_rollup, not Pss_Anon or Pss_File', () => {
  const rollup =
    '55d0-7ffd ---p 00000000 00:00 0   [rollup]\nRss:  2364 kB\nPss:  565 kB\nPss_Anon:  324 kB\nPss_File:  241 kB\n';
  assert.equal(pssBytes(rollup), 565 * 1024);
  assert.equal(pssBytes('Rss:  2364 kB\nPss_Anon:  324 kB\n'), 0);
});

test('formatTable shows ratio against the reference and flags figures over budget', () => {
  const t = formatTable(
    [
      { name: 'exec', unit: 'ms', budget: 45, berth: 30, ref: 60 },
      { name: 'run', unit: 'ms', budget: 150, berth: 200, ref: 100 },
      { name: 'rss', unit: 'MiB', berth: null, ref: 12.34 },
    ],
    true,
  );
  const lines = t.split('\n');
  assert.match(lines[0], /^metric\s+berth\s+reference\s+ratio\s+budget$/);
  assert.match(lines[2], /^exec\s+30 ms\s+60 ms\s+0\.50\s+≤ 45 ms\s+ok$/);
  assert.match(lines[3], /^run\s+200 ms\s+100 ms\s+2\.00\s+≤ 150 ms\s+OVER$/);
  assert.match(lines[4], /^rss\s+-\s+12\.3 MiB\s+-$/);
  assert.doesNotMatch(formatTable([{ name: 'x', unit: 's', berth: 1 }], false), /reference/);
});

test('formatTable adds a second reference (Podman) with its own ratio, alone or beside the first', () => {
  const rows = [
    { name: 'run', unit: 'ms' as const, budget: 100, berth: 120, ref: 240, ref2: 80 },
    { name: 'rss', unit: 'MiB' as const, berth: 50, ref: null, ref2: null },
  ];
  const both = formatTable(rows, true, 'podman').split('\n');
  assert.match(both[0], /^metric\s+berth\s+reference\s+ratio\s+podman\s+ratio\s+budget$/);
  assert.match(both[2], /^run\s+120 ms\s+240 ms\s+0\.50\s+80 ms\s+1\.50\s+≤ 100 ms\s+OVER$/);
  assert.match(both[3], /^rss\s+50\.0 MiB\s+-\s+-\s+-\s+-$/);
  const alone = formatTable(rows, false, 'podman').split('\n');
  assert.match(alone[0], /^metric\s+berth\s+podman\s+ratio\s+budget$/);
  assert.match(alone[2], /^run\s+120 ms\s+80 ms\s+1\.50\s+≤ 100 ms\s+OVER$/);
});
