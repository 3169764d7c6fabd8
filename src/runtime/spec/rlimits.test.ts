import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyUlimits, daemonRlimits, limitsToRlimits, parseLimits } from './rlimits.js';
import { containerEnv } from './containerEnv.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max stack size            8388608              unlimited            bytes
Max core file size        0                    unlimited            bytes
Max processes             96365                96365                processes
Max open files            20000                20000                files
Max locked memory         8388608              8388608              bytes
Max nice priority         0                    0
`;

test('parseLimits reads /proc/<pid>/limits', () => {
  const l = parseLimits(LIMITS);
  assert.deepEqual(
    l.find((x) => x.type === 'RLIMIT_STACK'),
    { type: 'RLIMIT_STACK', soft: 8388608, hard: Infinity },
  );
  assert.deepEqual(
    l.find((x) => x.type === 'RLIMIT_NICE'),
    { type: 'RLIMIT_NICE', soft: 0, hard: 0 },
  );
  assert.equal(l.length, 7);
});

test('rlimits: finite only, NOFILE raised within the hard limit', () => {
  const r = limitsToRlimits(parseLimits(LIMITS));
  assert.deepEqual(
    r.map((x) => x.type),
    ['RLIMIT_NPROC', 'RLIMIT_NOFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_NICE'],
  );
  assert.deepEqual(
    r.find((x) => x.type === 'RLIMIT_NOFILE'),
    { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 },
  );
  const raised = limitsToRlimits([{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2000000 }]);
  assert.deepEqual(raised, [{ type: 'RLIMIT_NOFILE', soft: 1048576, hard: 2000000 }]);
});

test('daemonRlimits never exceeds our own hard limits', () => {
  const own = parseLimits(require_('/proc/self/limits'));
  for (const r of daemonRlimits()) {
    const l = own.find((x) => x.type === r.type)!;
    assert.ok(r.hard <= l.hard && r.soft <= r.hard, r.type);
  }
});

test('applyUlimits clamps', () => {
  const caps = parseLimits(LIMITS);
  const out = applyUlimits(
    [],
    [
      { name: 'nofile', soft: 1 << 20, hard: 1 << 20 },
      { name: 'core', soft: 5, hard: 10 },
    ],
    caps,
  );
  assert.deepEqual(out, [
    { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 },
    { type: 'RLIMIT_CORE', soft: 5, hard: 10 },
  ]);
});

test('containerEnv: Docker daemon environment', () => {
  assert.deepEqual(containerEnv(['FOO=1', 'PATH=/x'], { hostname: 'h', tty: true }), [
    'PATH=/x',
    'HOSTNAME=h',
    'TERM=xterm',
    'FOO=1',
  ]);
  assert.deepEqual(containerEnv(['HOSTNAME'], { hostname: 'h' }), [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  ]);
});

import { readFileSync } from 'node:fs';
function require_(p: string): string {
  return readFileSync(p, 'utf8');
}
