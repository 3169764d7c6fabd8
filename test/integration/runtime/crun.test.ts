// crun as a second OCI runtime (issue 18): `docker run --runtime crun`, exec, top, update, pause,
// stop, and a daemon restart that keeps each container on the runtime that created it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { which } from '../../../src/daemon/binaries.js';
import { daemonUnavailable, startDaemon, type Daemon } from '../../harness/daemon.js';

const crun = which('crun');
/** crun 1.8 refuses every container on a hybrid host whose cgroup2 hierarchy holds a controller. */
function hybridWithControllers(): boolean {
  try {
    return readFileSync('/sys/fs/cgroup/unified/cgroup.controllers', 'utf8').trim() !== '';
  } catch {
    return false;
  }
}
const unifiedMounted = () => readFileSync('/proc/self/mountinfo', 'utf8').includes(' /sys/fs/cgroup/unified ');
const skip = daemonUnavailable() ?? (crun ? null : 'crun is not installed (scripts/setup.sh installs it)') ?? null;
if (skip) process.stdout.write(`# skipped: ${skip}\n`);
const hybrid = !skip && hybridWithControllers();
if (hybrid) process.stdout.write('# hybrid host whose cgroup2 holds controllers: crun runs through its wrapper\n');

let live: Daemon | undefined;
after(async () => {
  if (live) await live.stop({ assert: false });
});

const ok = async (d: Daemon, args: string[]) => {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};
const inspect = (d: Daemon, fmt: string, id: string) => ok(d, ['inspect', '-f', fmt, id]);

test('info lists runc and crun; an unknown runtime is refused as dockerd does', { skip: skip ?? false }, async () => {
  const d = await startDaemon({ args: ['--default-runtime', 'runc'] });
  live = d;
  const info = JSON.parse(await ok(d, ['info', '--format', '{{json .}}'])) as {
    Runtimes: Record<string, { path: string }>;
    DefaultRuntime: string;
  };
  assert.equal(info.DefaultRuntime, 'runc');
  assert.equal(info.Runtimes.crun?.path, crun);
  assert.ok(info.Runtimes.runc?.path, 'runc listed');
  const bad = await d.docker(['run', '--rm', '--runtime', 'nosuch', 'busybox', 'true']);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /unknown or invalid runtime name: nosuch/);
  if (hybrid) {
    // crun alone refuses this host ("cgroups in hybrid mode not supported"); through berthd's wrapper
    // it creates the container in the v1 cgroups runc uses, with its limits, and the host keeps its
    // cgroup2 mount (the umount stays in the wrapper's mount namespace)
    const show = 'cat /proc/self/cgroup /sys/fs/cgroup/memory/memory.limit_in_bytes';
    const cg = await ok(d, ['run', '--rm', '--runtime', 'crun', '-m', '32m', 'busybox', 'sh', '-c', show]);
    assert.match(cg, /^\d+:memory:\/berth\/[0-9a-f]{64}$/m);
    assert.match(cg, /^33554432$/m);
    assert.ok(unifiedMounted(), 'cgroup2 still mounted here');
    assert.match(d.log(), /runtime crun: cgroup2 holds controllers \(hugetlb\)/);
  }
  await d.stop();
  live = undefined;
});

test('run --runtime crun: exec, top, update, pause, stop; a berthd restart keeps each runtime', {
  skip: skip ?? false,
}, async () => {
  const d1 = await startDaemon({ args: ['--default-runtime', 'runc'] });
  live = d1;
  assert.equal(await ok(d1, ['run', '--rm', '--runtime', 'crun', 'busybox', 'echo', 'hi']), 'hi');
  const c = await ok(d1, ['run', '-d', '--runtime', 'crun', '--name', 'onc', 'busybox', 'sleep', '1000']);
  const r = await ok(d1, ['run', '-d', '--name', 'onr', 'busybox', 'sleep', '1000']);
  assert.equal(await inspect(d1, '{{.HostConfig.Runtime}}', c), 'crun');
  assert.equal(await inspect(d1, '{{.HostConfig.Runtime}}', r), 'runc', 'the default is stored at create');
  // crun's state dir holds the container, runc's does not
  assert.ok(existsSync(join(d1.execRoot, 'runtimes', 'crun', c)), 'crun state');
  assert.ok(!existsSync(join(d1.execRoot, 'runc', c)), 'not in runc state');
  assert.equal(await ok(d1, ['exec', c, 'echo', 'in-crun']), 'in-crun');
  const tty = await d1.pty(['exec', '-it', c, 'sh', '-c', 'echo tty-$((6*7))']);
  assert.match(tty.stdout, /tty-42/);
  assert.match(await ok(d1, ['top', c]), /sleep 1000/);
  await ok(d1, ['update', '--memory', '64m', '--memory-swap', '128m', c]);
  assert.equal(await inspect(d1, '{{.HostConfig.Memory}}', c), String(64 << 20));
  await ok(d1, ['pause', c]);
  assert.equal(await inspect(d1, '{{.State.Status}}', c), 'paused');
  await ok(d1, ['unpause', c]);

  // berthd killed, then started with crun as the default: old containers keep their runtime
  await d1.kill();
  live = undefined;
  const d2 = await startDaemon({ root: d1.root, args: ['--default-runtime', 'crun', '--add-runtime', `fast=${crun}`] });
  live = d2;
  assert.equal(await inspect(d2, '{{.State.Status}}', c), 'running');
  assert.equal(await ok(d2, ['exec', c, 'echo', 'after']), 'after');
  assert.equal(await ok(d2, ['exec', r, 'echo', 'runc-after']), 'runc-after');
  await ok(d2, ['update', '--pids-limit', '50', c]);
  // an --add-runtime name runs on its binary, with a state dir of its own
  const f = await ok(d2, ['run', '-d', '--runtime', 'fast', 'busybox', 'sleep', '1000']);
  assert.ok(existsSync(join(d2.execRoot, 'runtimes', 'fast', f)), 'fast state');
  assert.equal(await ok(d2, ['exec', f, 'echo', 'on-fast']), 'on-fast');
  await ok(d2, ['rm', '-f', f]);
  const n = await ok(d2, ['run', '-d', 'busybox', 'sleep', '1000']);
  assert.equal(await inspect(d2, '{{.HostConfig.Runtime}}', n), 'crun', 'the new default');
  await ok(d2, ['stop', '-t', '1', c, r, n]);
  assert.equal(await inspect(d2, '{{.State.ExitCode}}', c), '137');
  // a stopped crun container starts again on crun
  await ok(d2, ['start', c]);
  assert.equal(await ok(d2, ['exec', c, 'echo', 'again']), 'again');
  await ok(d2, ['rm', '-f', c, r, n]);
  assert.ok(!existsSync(join(d2.execRoot, 'runtimes', 'crun', c)), 'crun state removed');
  await d2.stop();
  live = undefined;
});
