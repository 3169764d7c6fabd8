// docker ps as moby lists: `-l` and `-n N` count stopped containers too (any limit does, in
// includeContainerInList) while plain `ps` lists running ones; `--filter publish=` matches host
// ports and `--filter expose=` container ports of the ps Ports summary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile();

test('ps -l and -n N include exited containers', { skip: berthd.skip ?? false }, async () => {
  const d = berthd.d;
  assert.equal((await d.docker(['run', '--name', 'first', 'busybox', 'true'])).code, 0);
  assert.equal((await d.docker(['run', '-d', '--name', 'up', 'busybox', 'sleep', '300'])).code, 0);
  assert.equal((await d.docker(['run', '--name', 'last', 'busybox', 'true'])).code, 0);
  const names = async (...args: string[]) =>
    (await d.docker(['ps', ...args, '--format', '{{.Names}}'])).stdout.trim().split('\n');
  assert.deepEqual(await names(), ['up']);
  assert.deepEqual(await names('-l'), ['last']);
  assert.deepEqual(await names('-n', '2'), ['last', 'up']);
  assert.deepEqual(await names('-n', '5'), ['last', 'up', 'first']);
  assert.equal((await d.docker(['rm', '-f', 'first', 'up', 'last'])).code, 0);
});

test('ps --filter publish= (host port) and expose= (container port)', { skip: berthd.skip ?? false }, async () => {
  const d = berthd.d;
  const run = await d.docker([
    'run',
    '-d',
    '--name',
    'web',
    '-p',
    '18080:80',
    '--expose',
    '53/udp',
    'busybox',
    'sleep',
    '300',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const matches = async (f: string) => (await d.docker(['ps', '-q', '--filter', f])).stdout.trim() !== '';
  assert.equal(await matches('publish=18080'), true);
  assert.equal(await matches('publish=18000-18100/tcp'), true);
  assert.equal(await matches('publish=80'), false);
  assert.equal(await matches('expose=80'), true);
  assert.equal(await matches('expose=53/udp'), true);
  assert.equal(await matches('expose=53'), false);
  const bad = await d.docker(['ps', '--filter', 'publish=80:80']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /filter for 'publish' should not contain ':': 80:80/);
  assert.equal((await d.docker(['rm', '-f', 'web'])).code, 0);
});
