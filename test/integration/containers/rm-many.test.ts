// One `docker rm` of many containers (issue 18): the removals of one request run side by side
// (snapshot metadata written once for many, data deleted after it), and still leave nothing behind,
// also when berthd is killed in the middle and started again on the same roots.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon } from '../../harness/daemon.js';
import { mountsUnder } from '../../harness/leaks.js';

const skip = daemonUnavailable();
let live: Daemon | undefined;
after(async () => {
  if (live) await live.stop({ assert: false });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ok = async (d: Daemon, args: string[]) => {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};
const ls = (dir: string) => {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
};

/** What removals must give back: snapshot dirs and keys, container dirs, bundles, mounts. */
function footprint(d: Daemon) {
  const snaps = join(d.dataRoot, 'snapshots');
  const meta = JSON.parse(readFileSync(join(snaps, 'metadata.json'), 'utf8')) as { snapshots: object };
  return {
    snapshotDirs: ls(snaps),
    snapshotKeys: Object.keys(meta.snapshots).sort(),
    containers: ls(join(d.dataRoot, 'containers')),
    bundles: ls(join(d.execRoot, 'c')),
    mounts: mountsUnder(readFileSync('/proc/self/mountinfo', 'utf8'), [d.dataRoot, d.execRoot]),
  };
}

/** The footprint once the removals' directories are deleted (after the replies: engine/remove.ts), or as it is after 30 s. */
async function settledFootprint(d: Daemon, want: ReturnType<typeof footprint>) {
  for (let i = 0; i < 600; i++) {
    const now = footprint(d);
    if (JSON.stringify(now) === JSON.stringify(want)) break;
    await sleep(50);
  }
  return footprint(d);
}

/** `n` containers in three states: created, exited, running. */
async function makeMany(d: Daemon, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 8) {
    const batch = Array.from({ length: Math.min(8, n - i) }, (_, j) => i + j);
    const made = await Promise.all(
      batch.map((k) =>
        k % 3 === 0
          ? ok(d, ['create', 'busybox', 'true'])
          : k % 3 === 1
            ? ok(d, ['run', '-d', 'busybox', 'true'])
            : ok(d, ['run', '-d', 'busybox', 'sleep', '300']),
      ),
    );
    ids.push(...made);
  }
  // the `true` ones have exited
  await ok(d, ['wait', ...ids.filter((_, k) => k % 3 === 1)]);
  return ids;
}

test('one rm -f of 45 created, exited and running containers leaves no snapshot, dir, bundle or mount', {
  skip: skip ?? false,
  timeout: 120_000,
}, async () => {
  const d = await startDaemon();
  live = d;
  await ok(d, ['run', '--rm', 'busybox', 'true']); // the image's snapshots exist
  const before = footprint(d);
  const ids = await makeMany(d, 45);
  assert.equal(footprint(d).snapshotKeys.length, before.snapshotKeys.length + 45);
  await ok(d, ['rm', '-f', ...ids]);
  assert.equal(await ok(d, ['ps', '-aq']), '');
  const now = footprint(d);
  // snapshots and mounts are gone at the reply; directories may follow it
  assert.deepEqual(
    [now.snapshotDirs, now.snapshotKeys, now.mounts],
    [before.snapshotDirs, before.snapshotKeys, before.mounts],
  );
  assert.deepEqual(await settledFootprint(d, before), before);
  // the names are free again at once
  await ok(d, ['create', '--name', 'again', 'busybox', 'true']);
  await ok(d, ['rm', 'again']);
  live = undefined;
  await d.stop();
});

test('berthd killed during a big rm: after a restart every container is either gone or removable, nothing orphaned', {
  skip: skip ?? false,
  timeout: 150_000,
}, async () => {
  const d1 = await startDaemon();
  live = d1;
  await ok(d1, ['run', '--rm', 'busybox', 'true']);
  const before = footprint(d1);
  const ids = await makeMany(d1, 60);
  const rm = d1.docker(['rm', '-f', ...ids]);
  // kill it once the removal is under way (some gone, most not)
  for (let i = 0; i < 500; i++) {
    const left = (await d1.docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean).length;
    if (left < 60) break;
    await sleep(5);
  }
  await d1.kill('SIGKILL');
  live = undefined;
  await rm;

  const d2 = await startDaemon({ root: d1.root });
  live = d2;
  const left = (await ok(d2, ['ps', '-aq', '--no-trunc'])).split('\n').filter(Boolean);
  for (const id of left) assert.ok(ids.includes(id), `${id} is one of ours`);
  if (left.length) await ok(d2, ['rm', '-f', ...left]);
  await ok(d2, ['run', '--rm', 'busybox', 'true']); // the snapshotter has loaded (and swept) its state
  assert.deepEqual(await settledFootprint(d2, before), before);
  live = undefined;
  await d2.stop();
});
