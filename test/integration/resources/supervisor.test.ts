// Restart policies and health probes share one supervisor (issue 9, part 6): stop cancels a pending
// restart, and after berthd is killed both resume from the persisted state on the next start.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon } from '../../harness/daemon.js';

const skip = daemonUnavailable();
let live: Daemon | undefined;
after(async () => {
  if (live) assert.deepEqual((await live.stop()).leaks, []);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ok(d: Daemon, args: string[]): Promise<string> {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

async function until(what: string, f: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await sleep(100);
  }
  assert.fail(`timed out waiting: ${what}`);
}

test('stop cancels a pending restart; restarts and probes resume after kill -9 of berthd', {
  skip: skip ?? false,
  timeout: 100_000,
}, async () => {
  const d1 = await startDaemon();
  live = d1;
  // a flapping container: back-off grows, so it spends time in "restarting" between runs
  await ok(d1, ['run', '-d', '--name', 'flap', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 0.3; exit 3']);
  await ok(d1, ['run', '-d', '--name', 'once', '--restart', 'on-failure', 'busybox', 'sh', '-c', 'sleep 0.2; exit 2']);
  await ok(d1, [
    'run',
    '-d',
    '--name',
    'hc',
    '--health-cmd',
    'true',
    '--health-interval',
    '200ms',
    'busybox',
    'sleep',
    '300',
  ]);
  const count = async (d: Daemon, c: string) => Number(await ok(d, ['inspect', '-f', '{{.RestartCount}}', c]));
  await until('flap restarted twice', async () => (await count(d1, 'flap')) >= 2);
  await until('once restarted', async () => (await count(d1, 'once')) >= 1);
  // docker stop on a container waiting for its restart: the timer is cancelled, it stays exited
  await until(
    'once is between runs',
    async () => (await ok(d1, ['inspect', '-f', '{{.State.Status}}', 'once'])) === 'restarting',
    20_000,
  );
  await ok(d1, ['stop', 'once']);
  const n = await count(d1, 'once');
  await sleep(1500);
  assert.equal(await ok(d1, ['inspect', '-f', '{{.State.Status}} {{.RestartCount}}', 'once']), `exited ${n}`);
  await until(
    'hc healthy',
    async () => (await ok(d1, ['inspect', '-f', '{{.State.Health.Status}}', 'hc'])) === 'healthy',
  );

  const before = await count(d1, 'flap');
  await d1.kill('SIGKILL');
  live = undefined;
  await sleep(1000); // flap exits while nobody supervises it
  const d2 = await startDaemon({ root: d1.root, busybox: false });
  live = d2;
  await until('flap restarts again under the new daemon', async () => (await count(d2, 'flap')) > before);
  assert.equal(
    await ok(d2, ['inspect', '-f', '{{.State.Status}}', 'once']),
    'exited',
    'a stopped container is not resumed',
  );
  // probes resumed: new entries arrive in the health log
  const last = async () =>
    Date.parse(
      (JSON.parse(await ok(d2, ['inspect', '-f', '{{json .State.Health.Log}}', 'hc'])) as Array<{ End: string }>).at(-1)
        ?.End ?? '',
    ) || 0;
  const l0 = await last();
  await until('a new probe result', async () => (await last()) > l0);
  assert.equal(
    await ok(d2, ['inspect', '-f', '{{.State.Health.Status}} {{len .ExecIDs}}', 'hc']).then((s) => s.split(' ')[0]),
    'healthy',
  );
  await ok(d2, ['rm', '-f', 'flap', 'once', 'hc']);
});
