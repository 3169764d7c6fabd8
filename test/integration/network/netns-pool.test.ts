// The pool of network namespaces made ahead of time (network/netns.ts): containers take them, a berthd
// killed with -9 leaves its unused ones behind and the next berthd on those roots removes them while the
// running containers keep theirs; a clean stop drains the pool (the harness' leak check sees any mount left).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon } from '../../harness/daemon.js';

const skip = daemonUnavailable() ?? false;
let live: Daemon | undefined;
after(async () => {
  if (live) await live.stop({ assert: false });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pooled = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('.pool-')) : []);
/** network/netns.ts: the pool of an exec-root lives outside it. */
const poolDirOf = (netnsDir: string) =>
  join('/run/berth-netns-pool', createHash('sha256').update(netnsDir).digest('hex').slice(0, 16));
const mountedUnder = (dir: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(` ${dir}/`)).length;

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await sleep(100);
  assert.ok(ok(), what);
}

const ok = async (d: Daemon, args: string[]) => {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

test('pooled namespaces: taken by starts, swept after kill -9, drained at stop', { skip }, async () => {
  const d1 = await startDaemon();
  live = d1;
  const dir = join(d1.root, 'exec', 'netns');
  const pool = poolDirOf(dir);
  const first = await ok(d1, ['run', '-d', 'busybox', 'sleep', '300']);
  await until('the pool fills after the first start', () => pooled(pool).length > 0);
  const second = await ok(d1, ['run', '-d', 'busybox', 'sleep', '300']);
  const link = readlinkSync(join(dir, second));
  assert.equal(link, join(pool, basename(link)), 'the second start took a pooled namespace');
  assert.match(basename(link), /^\.pool-/);
  assert.equal(await ok(d1, ['run', '--rm', 'busybox', 'sh', '-c', 'ip -o -4 addr show eth0 | wc -l']), '1');
  await until('the pool refills', () => pooled(pool).length > 1);
  const unused = pooled(pool).filter((n) => n !== basename(link));
  await d1.kill('SIGKILL');

  const d2 = await startDaemon({ root: d1.root });
  live = d2;
  await until('the unused pooled namespaces of the killed berthd are removed', () =>
    unused.every((n) => !pooled(pool).includes(n)),
  );
  assert.ok(existsSync(link), 'the one a running container uses stays');
  for (const id of [first, second])
    assert.match(await ok(d2, ['exec', id, 'ip', '-o', '-4', 'addr', 'show', 'eth0']), /inet 172\./);
  await ok(d2, ['rm', '-f', first, second]);
  await until('removal takes the link and the namespace', () => !existsSync(link) && !existsSync(join(dir, second)));
  await ok(d2, ['run', '--rm', 'busybox', 'true']);
  live = undefined;
  await d2.stop(); // throws on a mount left under the roots
  assert.equal(mountedUnder(dir) + mountedUnder(pool), 0, 'the pool is drained at stop');
  assert.equal(existsSync(pool), false);
});
