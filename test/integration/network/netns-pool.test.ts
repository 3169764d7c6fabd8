// The pool of network namespaces made ahead of time (network/netns.ts): containers take them, a berthd
// killed with -9 leaves its unused ones behind and the next berthd on those roots removes them while the
// running containers keep theirs; a clean stop drains the pool (the harness' leak check sees any mount left).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon } from '../../harness/daemon.js';

const skip = daemonUnavailable() ?? false;
let live: Daemon | undefined;
after(async () => {
  if (live) await live.stop({ assert: false });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pooled = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.pool-'));
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
  const first = await ok(d1, ['run', '-d', 'busybox', 'sleep', '300']);
  await until('the pool fills after the first start', () => pooled(dir).length > 0);
  const second = await ok(d1, ['run', '-d', 'busybox', 'sleep', '300']);
  const link = readlinkSync(join(dir, second));
  assert.match(link, /^\.pool-/, 'the second start took a pooled namespace');
  assert.equal(await ok(d1, ['run', '--rm', 'busybox', 'sh', '-c', 'ip -o -4 addr show eth0 | wc -l']), '1');
  await until('the pool refills', () => pooled(dir).length > 1);
  const unused = pooled(dir).filter((n) => n !== link);
  await d1.kill('SIGKILL');

  const d2 = await startDaemon({ root: d1.root });
  live = d2;
  await until('the unused pooled namespaces of the killed berthd are removed', () =>
    unused.every((n) => !readdirSync(dir).includes(n)),
  );
  assert.ok(readdirSync(dir).includes(link), 'the one a running container uses stays');
  for (const id of [first, second])
    assert.match(await ok(d2, ['exec', id, 'ip', '-o', '-4', 'addr', 'show', 'eth0']), /inet 172\./);
  await ok(d2, ['rm', '-f', first, second]);
  // the namespace goes after the reply (netns.removeLater)
  await until('removal takes the link and the namespace', () => !readdirSync(dir).includes(link));
  await ok(d2, ['run', '--rm', 'busybox', 'true']);
  live = undefined;
  await d2.stop(); // throws on a mount left under the roots (the drained pool included)
  assert.equal(mountedUnder(dir), 0);
});
