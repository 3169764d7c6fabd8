// Pull and push progress streams whose client goes away at random points (issue 14): berthd
// stays up with the same pid, lets go of its fds, and a complete pull or push still works after
// the abandoned ones. Against Debian's docker-registry on loopback in the test's namespace.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { daemonUnavailable, pingOk, startDaemon, type Daemon } from '../../harness/daemon.js';
import { makeRandomArchive } from '../../harness/image-archive.js';
import { fdCount } from '../../harness/leaks.js';
import { DOCKER_REGISTRY, startDockerRegistry, type TestRegistry } from '../../harness/registry.js';
import { until } from '../../harness/until.js';
import { DROP_MODES, requestJson, seeded, sendAndDrop } from './raw-client.js';

const skip = daemonUnavailable() ?? (existsSync(DOCKER_REGISTRY) ? null : `${DOCKER_REGISTRY} is not installed`);
let d: Daemon;
let reg: TestRegistry | null = null;
let work = '';
let fdBaseline = -1;
const AUTH = { 'X-Registry-Auth': Buffer.from('{}').toString('base64') };

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'berth-resets-dist-'));
  d = await startDaemon();
  reg = await startDockerRegistry(work);
  const a = makeRandomArchive(join(work, 'img'), { tag: 'rand:1', layers: 2, layerMb: 8 });
  assert.equal((await d.docker(['load', '-i', a.archive], { timeoutMs: 120_000 })).code, 0);
  assert.equal((await d.docker(['tag', 'rand:1', `${reg.addr}/rand:1`])).code, 0);
  const p = await d.docker(['push', `${reg.addr}/rand:1`], { timeoutMs: 120_000 });
  assert.equal(p.code, 0, p.stderr);
  fdBaseline = fdCount(d.pid);
});

after(async () => {
  // the registry first: berthd keeps idle keep-alive connections to it, which close with it
  reg?.stop();
  try {
    if (d) assert.deepEqual((await d.stop()).leaks, []);
  } finally {
    if (work) rmSync(work, { recursive: true, force: true });
  }
});

async function assertDaemonWell(what: string): Promise<void> {
  assert.ok(await pingOk(d.socket), `${what}: berthd no longer answers /_ping`);
  assert.doesNotThrow(() => process.kill(d.pid, 0), `${what}: berthd is gone`);
  assert.doesNotMatch(d.log(), /uncaught|unhandled/i, `${what}: berthd hit its last-resort handler`);
  let now = -1;
  await until(() => (now = fdCount(d.pid)) <= fdBaseline + 4, 30_000).catch(() => {});
  assert.ok(now <= fdBaseline + 4, `${what}: berthd holds ${now} fds, ${fdBaseline} before`);
}

const opts = { skip: skip ?? false };

test('pull progress dropped at random points while layers download', opts, async () => {
  const R = reg!.addr;
  const rnd = seeded(1501);
  for (let i = 0; i < 10; i++) {
    // no local copy: the layers really come over the wire
    for (const ref of ['rand:1', `${R}/rand:1`])
      await requestJson(d.socket, 'DELETE', `/images/${encodeURIComponent(ref)}?force=1`);
    const dropAfter = rnd() < 0.2 ? 0 : 1 + Math.floor(rnd() * 2048);
    const mode = DROP_MODES[Math.floor(rnd() * DROP_MODES.length)]!;
    await sendAndDrop(
      d.socket,
      { method: 'POST', path: `/images/create?fromImage=${encodeURIComponent(`${R}/rand`)}&tag=1`, headers: AUTH },
      dropAfter,
      mode,
    );
  }
  // whatever the abandoned pulls left, a whole one works
  const p = await d.docker(['pull', `${R}/rand:1`], { timeoutMs: 120_000 });
  assert.equal(p.code, 0, p.stderr);
  await assertDaemonWell('pull');
});

test('push progress dropped at random points while layers upload', opts, async () => {
  const R = reg!.addr;
  const rnd = seeded(1502);
  for (let i = 0; i < 10; i++) {
    // a new repository each time, so the layers are uploaded (or mounted) again
    assert.equal((await d.docker(['tag', `${R}/rand:1`, `${R}/rand${i}:1`])).code, 0);
    const dropAfter = rnd() < 0.2 ? 0 : 1 + Math.floor(rnd() * 2048);
    const mode = DROP_MODES[Math.floor(rnd() * DROP_MODES.length)]!;
    await sendAndDrop(
      d.socket,
      { method: 'POST', path: `/images/${encodeURIComponent(`${R}/rand${i}`)}/push?tag=1`, headers: AUTH },
      dropAfter,
      mode,
    );
  }
  const p = await d.docker(['push', `${R}/rand9:1`], { timeoutMs: 120_000 });
  assert.equal(p.code, 0, p.stderr);
  await assertDaemonWell('push');
});
