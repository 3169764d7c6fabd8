// Deletions survive every way in: an image whose layers delete a file (a whiteout) and replace a
// directory wholesale (an opaque directory) is pushed, removed and pulled back, and saved and
// loaded back; containers from the result see exactly what the committing containers saw. Pull
// and load extract layers standalone (overlay whiteouts written as files) and fall back to the
// classic apply over the parent for the opaque directory (src/images/prepared.ts).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon, dockerOk } from '../../harness/daemon.js';
import { DOCKER_REGISTRY, startDockerRegistry, type TestRegistry } from '../../harness/registry.js';

const skip = daemonUnavailable() ?? (existsSync(DOCKER_REGISTRY) ? null : 'docker-registry is not installed');
const tmp = mkdtempSync(join(tmpdir(), 'berth-wh-'));
let d: Daemon;
let reg: TestRegistry | null = null;

async function startRegistry(): Promise<string> {
  reg = await startDockerRegistry(tmp);
  return reg.addr;
}

const ok = (args: string[]) => dockerOk(d, args, { timeoutMs: 120_000 });

// what a container of the final image must see
const PROBE = 'test -e /bin/ls && echo ls-present || echo ls-gone; echo /d/*; cat /d/g; test -e /keep && echo keep';

async function assertView(ref: string): Promise<void> {
  assert.equal(await ok(['run', '--rm', ref, 'sh', '-c', PROBE]), 'ls-gone\n/d/g\ny\nkeep');
}

before(async () => {
  if (skip) return;
  d = await startDaemon();
});
after(async () => {
  reg?.stop();
  if (d) assert.deepEqual((await d.stop()).leaks, []);
  rmSync(tmp, { recursive: true, force: true });
});

test('whiteouts and opaque directories come back whole through push/pull and save/load', {
  skip: skip ?? false,
  timeout: 120_000,
}, async () => {
  const R = await startRegistry();
  await ok([
    'run',
    '--name',
    'w1',
    'busybox',
    'sh',
    '-c',
    'rm /bin/ls && mkdir -p /d && echo x > /d/f && echo k > /keep',
  ]);
  await ok(['commit', 'w1', 'wh/img:1']);
  await ok(['run', '--name', 'w2', 'wh/img:1', 'sh', '-c', 'rm -rf /d && mkdir /d && echo y > /d/g']);
  await ok(['commit', 'w2', `${R}/wh/img:2`]);
  await ok(['rm', 'w1', 'w2']);
  await assertView(`${R}/wh/img:2`);
  assert.match(await ok(['diff', await ok(['create', `${R}/wh/img:2`])]), /^$/); // a fresh container has no changes
  await ok(['container', 'prune', '-f']);

  await ok(['push', `${R}/wh/img:2`]);
  const file = join(tmp, 'img.tar');
  await ok(['save', '-o', file, `${R}/wh/img:2`]);
  await ok(['rmi', `${R}/wh/img:2`, 'wh/img:1']);
  assert.deepEqual((await ok(['images', '-q'])).split('\n').length, 1); // busybox only

  // the pull has the whole chain to fetch: busybox's layer, the whiteout layer, the opaque one
  await ok(['rmi', 'busybox']);
  const pulled = await ok(['pull', `${R}/wh/img:2`]);
  assert.equal((pulled.match(/Pull complete/g) ?? []).length, 3);
  await assertView(`${R}/wh/img:2`);
  await ok(['rmi', `${R}/wh/img:2`]);

  assert.match(await ok(['load', '-i', file]), new RegExp(`Loaded image: ${R.replace(/\./g, '\\.')}/wh/img:2`));
  await assertView(`${R}/wh/img:2`);
  await ok(['rmi', `${R}/wh/img:2`]);
});
