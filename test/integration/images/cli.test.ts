// The berth CLI's image transfer commands against berthd: `berth push` and `berth pull` on a
// terminal (script(1), 150 columns) draw docker's progress bars (cursor moves, `[===>  ]` bars,
// byte counts), and without one print docker's plain lines; `berth save`/`berth load` round-trip.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { daemonUnavailable, repoRoot, runCommand, startDaemon, type Daemon } from '../../harness/daemon.js';
import { DOCKER_REGISTRY, startDockerRegistry, type TestRegistry } from '../../harness/registry.js';

const skip = daemonUnavailable() ?? (existsSync(DOCKER_REGISTRY) ? null : 'docker-registry is not installed');
const tmp = mkdtempSync(join(tmpdir(), 'berth-imgcli-'));
const berth = join(repoRoot, 'bin/berth');
let d: Daemon;
let reg: TestRegistry | null = null;
let R = '';

async function startRegistry(): Promise<string> {
  reg = await startDockerRegistry(tmp);
  return reg.addr;
}

/** `berth args` on a pseudo-terminal 150 columns wide; the raw bytes it drew. */
async function onTty(args: string): Promise<string> {
  const r = await runCommand('script', ['-qefc', `stty cols 150 rows 40; ${berth} ${args}`, '/dev/null'], {
    env: d.env,
    timeoutMs: 120_000,
  });
  assert.equal(r.code, 0, `berth ${args}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

async function plain(args: string[]): Promise<string> {
  const r = await runCommand(berth, args, { env: d.env, timeoutMs: 120_000 });
  assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  if (skip) return;
  d = await startDaemon();
  R = await startRegistry();
  // a layer big enough for several progress updates
  const r = await d.docker(['run', '--name', 'src', 'busybox', 'sh', '-c', 'head -c 30000000 /dev/urandom > /blob'], {
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await d.docker(['commit', 'src', `${R}/cli/img:1`])).code, 0);
  assert.equal((await d.docker(['rm', 'src'])).code, 0);
});
after(async () => {
  reg?.stop();
  if (d) assert.deepEqual((await d.stop()).leaks, []);
  rmSync(tmp, { recursive: true, force: true });
});

const BAR = /\x1b\[\d+A\x1b\[2K\r[0-9a-f]{12}: (Pushing|Downloading) \[=*>\s*\] +[\d.]+[kMG]?B\/[\d.]+[kMG]?B/;

test('berth push and pull draw docker progress bars on a terminal', {
  skip: skip ?? false,
  timeout: 120_000,
}, async () => {
  const push = await onTty(`push ${R}/cli/img:1`);
  assert.match(push, /The push refers to repository \[127\.0\.0\.1:\d+\/cli\/img\]/);
  assert.match(push, BAR);
  assert.match(push, /\x1b\[2K\r[0-9a-f]{12}: Pushed \r/);
  assert.match(push, /1: digest: sha256:[0-9a-f]{64} size: \d+/);

  assert.equal((await d.docker(['rmi', `${R}/cli/img:1`])).code, 0);
  const pull = await onTty(`pull ${R}/cli/img:1`);
  assert.match(pull, BAR);
  assert.match(pull, /\x1b\[2K\r[0-9a-f]{12}: Pull complete \r/);
  assert.match(pull, /Status: Downloaded newer image for 127\.0\.0\.1:\d+\/cli\/img:1\r?\n/);
  assert.match(pull, new RegExp(`\\n${R.replace(/\./g, '\\.')}/cli/img:1\\r?\\n`)); // docker's last line: the reference

  // not a terminal: docker's plain lines, no byte counts
  const again = await plain(['pull', `${R}/cli/img:1`]);
  assert.match(again, /^1: Pulling from cli\/img\nDigest: sha256:[0-9a-f]{64}\nStatus: Image is up to date for /);
  const missing = await runCommand(berth, ['pull', `${R}/cli/img`], { env: d.env });
  assert.equal(missing.code, 1);
  assert.equal(missing.stdout, 'Using default tag: latest\n');
  assert.match(missing.stderr, /manifest for 127\.0\.0\.1:\d+\/cli\/img:latest not found: manifest unknown/);
  const quiet = await plain(['pull', '-q', `${R}/cli/img:1`]);
  assert.equal(quiet, `${R}/cli/img:1\n`);
  assert.doesNotMatch(await plain(['push', `${R}/cli/img:1`]), /\d+(\.\d+)?MB\//);
});

test('berth save and load round-trip an image', { skip: skip ?? false, timeout: 120_000 }, async () => {
  const file = join(tmp, 'img.tar');
  await plain(['save', '-o', file, `${R}/cli/img:1`]);
  await plain(['rmi', `${R}/cli/img:1`]);
  assert.equal(await plain(['load', '-i', file]), `Loaded image: ${R}/cli/img:1\n`);
  assert.equal(
    (await d.docker(['run', '--rm', `${R}/cli/img:1`, 'wc', '-c', '/blob'])).stdout.trim(),
    '30000000 /blob',
  );
  await plain(['rmi', `${R}/cli/img:1`]);
  // on a terminal the load is not quiet: docker's "Loading layer" bars, as the docker CLI shows them too
  const tty = await onTty(`load -i ${file}`);
  assert.match(tty, /\x1b\[2K\r[0-9a-f]{12}: Loading layer \[=+>\] +30(\.\d+)?MB\/30(\.\d+)?MB\r/);
  assert.match(tty, /Loaded image: 127\.0\.0\.1:\d+\/cli\/img:1/);
  await plain(['rmi', `${R}/cli/img:1`]);
  const r = await runCommand('script', ['-qefc', `stty cols 150 rows 40; docker load -i ${file}`, '/dev/null'], {
    env: d.env,
    timeoutMs: 120_000,
  });
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /[0-9a-f]{12}: Loading layer \[=+>\] +30(\.\d+)?MB\/30(\.\d+)?MB/);
  await plain(['rmi', `${R}/cli/img:1`]);
});
