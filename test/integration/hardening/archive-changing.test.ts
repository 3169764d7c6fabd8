// `docker cp` and `docker export` of files that change while they are archived (issue 14): a file
// that grows (and is truncated) under the packer, and a directory whose entries appear and vanish.
// berthd used to die on tar-stream's "Size mismatch" and on ENOENT; now every archive is
// well-formed (bodies cut or padded to their header size, vanished entries skipped).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { daemonUnavailable, pingOk, runCommand, startDaemon, type Daemon } from '../../harness/daemon.js';

const skip = daemonUnavailable();
let d: Daemon;
let work = '';
let ctr = '';
const recordedPids: number[] = [];

// Grows /f and truncates it now and then (so reads see it both longer and shorter than its
// stat size), and keeps creating and removing entries under /d. Bounded: /f stays under ~1 MB.
const CHURN = [
  'mkdir -p /d',
  '(i=0; while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx >> /f; i=$((i+1)); if [ $i -gt 30000 ]; then : > /f; i=0; fi; done) &',
  'while :; do for i in 1 2 3 4 5 6 7 8; do echo $i > /d/f$i; mkdir -p /d/s$i; echo y > /d/s$i/g; ln -sf /d/f$i /d/l$i; done; rm -rf /d/*; done',
].join('\n');

before(async () => {
  if (skip) return;
  d = await startDaemon();
  work = mkdtempSync(join(tmpdir(), 'berth-archive-changing-'));
  const c = await d.dockerode.createContainer({
    Image: 'busybox',
    Cmd: ['sh', '-c', CHURN],
    HostConfig: { NanoCpus: 500_000_000, LogConfig: { Type: 'none', Config: {} } },
  });
  await c.start();
  ctr = c.id;
  const pid = (await c.inspect()).State.Pid;
  if (pid > 0) recordedPids.push(pid);
  // wait until both loops have made something to copy
  for (let i = 0; i < 100; i++) {
    const ok = (await d.docker(['exec', ctr, 'sh', '-c', 'test -s /f && ls /d | grep -q .'])).code === 0;
    if (ok) break;
    await new Promise((res) => setTimeout(res, 100));
  }
});

after(async () => {
  for (const p of recordedPids.splice(0)) {
    try {
      process.kill(p, 'SIGKILL'); // the churn loops die with the container's init
    } catch {
      /* gone */
    }
  }
  if (d) assert.deepEqual((await d.stop()).leaks, []);
  if (work) rmSync(work, { recursive: true, force: true });
});

async function assertAlive(what: string): Promise<void> {
  assert.ok(await pingOk(d.socket), `${what}: berthd no longer answers\n${d.log().split('\n').slice(-20).join('\n')}`);
  assert.doesNotMatch(d.log(), /uncaught|unhandled|Size mismatch/i, `${what}: berthd hit an unhandled error`);
}

const opts = { skip: skip ?? false };

test('docker cp of a file that grows and shrinks while it is copied', opts, async () => {
  for (let i = 0; i < 15; i++) {
    const dest = join(work, `f${i}`);
    const r = await d.docker(['cp', `${ctr}:/f`, dest]);
    assert.equal(r.code, 0, `cp #${i}: ${r.stderr}`);
    // the CLI extracted a well-formed tar: the copy is a regular file of some size
    const st = await runCommand('stat', ['-c', '%F', dest]);
    assert.match(st.stdout, /regular/);
  }
  await assertAlive('cp of a growing file');
});

test('docker cp of a directory whose entries appear and vanish while it is copied', opts, async () => {
  for (let i = 0; i < 15; i++) {
    const r = await d.docker(['cp', `${ctr}:/d`, join(work, `d${i}`)]);
    assert.equal(r.code, 0, `cp #${i}: ${r.stderr}`);
  }
  await assertAlive('cp of a churning directory');
});

test('docker export while files grow and vanish gives a well-formed tar', opts, async () => {
  for (let i = 0; i < 5; i++) {
    const out = join(work, `export${i}.tar`);
    const r = await d.docker(['export', '-o', out, ctr], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, `export #${i}: ${r.stderr}`);
    const t = await runCommand('tar', ['-tf', out]);
    assert.equal(t.code, 0, `tar -t of export #${i}: ${t.stderr}`);
    assert.match(t.stdout, /^bin\/busybox$/m);
    rmSync(out, { force: true });
  }
  await assertAlive('export');
});

test('docker commit --pause=false while files grow and vanish makes a usable image', opts, async () => {
  for (let i = 0; i < 3; i++) {
    const r = await d.docker(['commit', '--pause=false', ctr, `churn:${i}`], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, `commit #${i}: ${r.stderr}`);
    // the layer tar was well-formed: the image's filesystem can be listed
    const ls = await d.dockerode.createContainer({ Image: `churn:${i}`, Cmd: ['true'] });
    const ex = await d.docker(['export', '-o', join(work, `c${i}.tar`), ls.id]);
    assert.equal(ex.code, 0, ex.stderr);
    assert.equal((await runCommand('tar', ['-tf', join(work, `c${i}.tar`)])).code, 0);
    await ls.remove({ force: true });
    rmSync(join(work, `c${i}.tar`), { force: true });
  }
  await assertAlive('commit');
});
