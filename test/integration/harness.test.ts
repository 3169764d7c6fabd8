// Self-test of the integration harness: the namespace is really private, and when berthd
// is built, startDaemon() gives a daemon that answers /_ping and stops without leaks.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { daemonUnavailable, getUnix, startDaemon } from '../harness/daemon.js';
import { linkNames } from '../harness/leaks.js';

const isolated = process.env.BERTH_ISOLATED === '1';
const notIsolated = isolated ? false : 'not run through test/harness/run-isolated.sh';

test('the network namespace has only lo, and lo is up', { skip: notIsolated }, () => {
  const out = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
  assert.deepEqual(linkNames(out), []);
  assert.match(out, /^1: lo: <[^>]*\bUP\b/m);
});

test('pid 1 is the harness shell', { skip: notIsolated }, () => {
  const cmd = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
  assert.ok(
    cmd.some((a) => a.endsWith('run-isolated.sh')),
    `pid 1 is ${cmd.join(' ')}`,
  );
});

test('the root mount is private', { skip: notIsolated }, () => {
  const root = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .find((f) => f[4] === '/');
  assert.ok(root, 'no / in mountinfo');
  const optional = root.slice(6, root.indexOf('-'));
  assert.ok(!optional.some((t) => t.startsWith('shared:')), `/ is still shared: ${optional.join(' ')}`);
});

test('berthd starts, answers /_ping, and stops without leaks', {
  skip: daemonUnavailable() ?? false,
  timeout: 120_000,
}, async () => {
  const d = await startDaemon({ busybox: false });
  try {
    const r = await getUnix(d.socket, '/_ping');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'OK');
    const v = await d.docker(['version', '--format', '{{.Server.Os}}']);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), 'linux');
  } finally {
    const s = await d.stop();
    assert.deepEqual(s.leaks, []);
  }
});

test('stop() reports an interface, a mount and a conmon left behind', {
  skip: daemonUnavailable() ?? false,
  timeout: 120_000,
}, async () => {
  const d = await startDaemon({ busybox: false });
  const mnt = `${d.root}/leaked-mount`;
  execFileSync('mkdir', ['-p', mnt]);
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', mnt]);
  execFileSync('ip', ['link', 'add', 'berthleak0', 'type', 'bridge']);
  // A process named conmon whose argv mentions the temp root, as a real leaked monitor would.
  const fake = spawn('bash', ['-c', `exec -a conmon bash -c 'sleep 300; :' ${d.root}`], {
    stdio: 'ignore',
    detached: true,
  });
  await new Promise((r) => setTimeout(r, 200));
  try {
    const s = await d.stop({ assert: false });
    assert.ok(s.leaks.includes(`mount left: ${mnt}`), s.leaks.join('\n'));
    assert.ok(s.leaks.includes('network interface left: berthleak0'), s.leaks.join('\n'));
    assert.ok(
      s.leaks.some((l) => l.startsWith(`conmon process left: ${fake.pid} conmon`)),
      s.leaks.join('\n'),
    );
    assert.equal(s.leaks.length, 3, s.leaks.join('\n'));
  } finally {
    fake.kill('SIGKILL');
    execFileSync('ip', ['link', 'del', 'berthleak0']);
  }
});
