import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExecTrace } from './exec-trace.js';

test('parseExecTrace: first successful execve per pid, its exit, labels with the subcommand', () => {
  const text = [
    '101 1000.000100 execve("/root/bin/runc", ["runc", "--root", "/run/x", "create", "--bundle"...], 0x1 /* 3 vars */) = -1 ENOENT (No such file or directory)',
    '101 1000.000200 execve("/usr/sbin/runc", ["runc", "--root", "/run/x", "create", "--bundle"...], 0x1 /* 3 vars */) = 0',
    '102 1000.001200 execve("/usr/sbin/ip", ["ip", "-batch", "-"], 0x1 /* 3 vars */) = 0',
    '102 1000.003200 +++ exited with 0 +++',
    '101 1000.040200 +++ exited with 0 +++',
    '103 1000.050200 execve("/usr/bin/conmon", ["conmon", "-c", "3f9a0b"], 0x1 /* 3 vars */) = 0',
    'garbage',
  ].join('\n');
  const got = parseExecTrace(text).map((c) => ({
    ...c,
    at: Math.round(c.at * 10) / 10,
    ms: Math.round(c.ms * 10) / 10,
  }));
  assert.deepEqual(got, [
    { cmd: 'runc create', at: 0, ms: 40 },
    { cmd: 'ip', at: 1, ms: 2 },
    { cmd: 'conmon', at: 50, ms: Number.NaN },
  ]);
});
