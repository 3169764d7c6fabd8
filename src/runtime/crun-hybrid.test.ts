import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cgroupRootShared, crunHybridScript, hybridControllers, writeCrunWrapper } from './crun-hybrid.js';

const line = (mp: string, opt: string) => `30 25 0:26 / ${mp} ro,nosuid,nodev,noexec ${opt} - tmpfs tmpfs ro,mode=755`;

test('cgroupRootShared reads the optional fields of /sys/fs/cgroup only', () => {
  assert.equal(cgroupRootShared([line('/sys', 'shared:7'), line('/sys/fs/cgroup', 'shared:9')].join('\n')), true);
  assert.equal(cgroupRootShared([line('/sys', 'shared:7'), line('/sys/fs/cgroup', 'master:9')].join('\n')), false);
  assert.equal(cgroupRootShared(line('/sys/fs/cgroup/unified', 'shared:9')), false);
});

test('hybridControllers: the cgroup2 controllers, empty when none or no unified mount', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-crun-'));
  writeFileSync(join(dir, 'c'), 'hugetlb\n');
  assert.equal(await hybridControllers(join(dir, 'c')), 'hugetlb');
  assert.equal(await hybridControllers(join(dir, 'absent')), '');
  rmSync(dir, { recursive: true, force: true });
});

test('the wrapper hides cgroup2 from create, run and restore only, and passes every argument', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-crun-'));
  // a fake crun and fake unshare/mount/umount on PATH record how they were run
  const bin = join(dir, 'bin');
  const rec = join(dir, 'rec');
  const fake = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  };
  execFileSync('mkdir', [bin]);
  fake('crun', `echo "crun $*" >> ${rec}`);
  fake('unshare', `echo "unshare $1 $2 $3" >> ${rec}; shift 3; exec "$@"`);
  fake('umount', `echo "umount $*" >> ${rec}`);
  fake('mount', `echo "mount $*" >> ${rec}`);
  const run = async (shared: boolean, args: string[]) => {
    writeFileSync(rec, '');
    const w = await writeCrunWrapper(join(dir, 'w'), 'crun', join(bin, "cr'un"), shared);
    execFileSync('cp', [join(bin, 'crun'), join(bin, "cr'un")]);
    execFileSync(w, args, { env: { PATH: `${bin}:/usr/bin:/bin` } });
    return execFileSync('cat', [rec], { encoding: 'utf8' }).trim().split('\n');
  };
  assert.deepEqual(await run(false, ['--root', '/r/run', '--log', 'l', 'create', '--bundle', 'b c', 'id']), [
    'unshare --mount --propagation unchanged',
    'umount /sys/fs/cgroup/unified',
    'crun --root /r/run --log l create --bundle b c id',
  ]);
  assert.deepEqual((await run(true, ['run', 'x']))[1], 'mount --make-private /sys/fs/cgroup');
  assert.deepEqual(await run(true, ['--root', '/r', 'exec', '--process', 'p', 'id', 'run']), [
    'crun --root /r exec --process p id run',
  ]);
  assert.deepEqual(await run(false, ['--version']), ['crun --version']);
  assert.match(crunHybridScript('/usr/bin/crun', false), /^#!\/bin\/sh\n/);
  rmSync(dir, { recursive: true, force: true });
});
