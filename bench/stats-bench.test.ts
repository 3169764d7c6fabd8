import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuSeconds } from './stats-bench.js';

test('cpuSeconds sums utime, stime, cutime and cstime of /proc/<pid>/stat (comm may hold spaces)', () => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
  const stat = '1234 (node a) b)) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 11 0 99 0 0';
  assert.equal(cpuSeconds(stat), 3.1);
});
