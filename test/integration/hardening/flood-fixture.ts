// The berthd and flooding containers the reset and backpressure tests run against (issue 14),
// with the checks each of them ends with: berthd alive, same pid, no last-resort handler, fds and
// mounts back to where they were.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { daemonUnavailable, pingOk, startDaemon, type Daemon } from '../../harness/daemon.js';
import { fdCount, fdTargets } from '../../harness/leaks.js';
import { until } from '../../harness/until.js';
import { createRequire } from 'node:module';
import { DROP_MODES, requestJson, seeded, sendAndDrop, type RawRequest } from './raw-client.js';

export const skip = daemonUnavailable();
/** Drops per endpoint. */
export const ITERATIONS = 20;
const FD_SLACK = 4;
export let d: Daemon;
export let flood = ''; // the flooding container's id
export let ttyFlood = '';
export const recordedPids: number[] = []; // container processes, killed in after() whatever happened
let fdBaseline = -1;
let mountBaseline = -1;
export let stopped = ''; // a created, never started container: cp and export mount its rootfs per request

function mountsUnderRoot(): number {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.split(' ')[4]?.startsWith(d.root + '/')).length;
}

function killRecorded(): void {
  for (const p of recordedPids.splice(0)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

export async function startFlood(tty: boolean): Promise<string> {
  // CPU-capped so the flood cannot starve the machine; rotated logs so it cannot fill the disk
  const r = await requestJson<{ Id: string }>(d.socket, 'POST', '/containers/create', {
    Image: 'busybox',
    // sh stays pid 1 and reaps: TTY execs are reparented to it and must not stay zombies
    Cmd: ['sh', '-c', 'dd if=/dev/urandom of=/big bs=1024 count=1024 2>/dev/null; yes & wait'],
    Tty: tty,
    OpenStdin: true,
    HostConfig: {
      NanoCpus: 250_000_000,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } },
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const id = r.json.Id;
  const s = await requestJson<null>(d.socket, 'POST', `/containers/${id}/start`);
  assert.equal(s.status, 204);
  const ins = await requestJson<{ State: { Pid: number } }>(d.socket, 'GET', `/containers/${id}/json`);
  if (ins.json.State.Pid > 0) recordedPids.push(ins.json.State.Pid);
  return id;
}

/**
 * One berthd per test file with two flooding containers (`yes`, plain and TTY) and a created one;
 * after the file, the container processes are killed whatever happened and the leak check runs.
 */
export function useFloodDaemon(): void {
  before(async () => {
    if (skip) return;
    d = await startDaemon();
    try {
      flood = await startFlood(false);
      ttyFlood = await startFlood(true);
      const cr = await requestJson<{ Id: string }>(d.socket, 'POST', '/containers/create', {
        Image: 'busybox',
        Cmd: ['true'],
      });
      assert.equal(cr.status, 201);
      stopped = cr.json.Id;
      // /big is written before `yes` starts
      await until(
        async () =>
          (
            await requestJson<unknown>(d.socket, 'HEAD', `/containers/${flood}/archive?path=/big`).catch(() => ({
              status: 0,
            }))
          ).status === 200,
        15_000,
      ).catch(() => {});
    } catch (e) {
      killRecorded();
      throw e;
    }
    fdBaseline = fdCount(d.pid);
    mountBaseline = mountsUnderRoot();
  });

  after(async () => {
    killRecorded();
    if (d) assert.deepEqual((await d.stop()).leaks, []);
  });
}

export async function assertDaemonWell(what: string): Promise<void> {
  assert.ok(
    await pingOk(d.socket),
    `${what}: berthd no longer answers /_ping\n${d.log().split('\n').slice(-30).join('\n')}`,
  );
  assert.doesNotThrow(() => process.kill(d.pid, 0), `${what}: berthd (pid ${d.pid}) is gone`);
  assert.doesNotMatch(d.log(), /uncaught|unhandled/i, `${what}: berthd hit its last-resort handler`);
  let now = -1;
  // a dropped exec runs to its end (as with Docker) and holds its pipes until then: on 2 busy cores
  // (the floods' logs take them) its output drains slowly, so the bound is wide; a leak never settles
  await until(() => (now = fdCount(d.pid)) <= fdBaseline + FD_SLACK, 90_000).catch(() => {});
  assert.ok(
    now <= fdBaseline + FD_SLACK,
    `${what}: berthd holds ${now} fds, ${fdBaseline} before the drops: ${fdTargets(d.pid)}`,
  );
  let mounts = -1;
  await until(() => (mounts = mountsUnderRoot()) <= mountBaseline, 20_000).catch(() => {});
  assert.ok(
    mounts <= mountBaseline,
    `${what}: ${mounts} mounts under the daemon's root, ${mountBaseline} before the drops`,
  );
}

/** Runs ITERATIONS seeded drops of `make(i)`, reading up to `maxBytes` of response first. */
export async function dropLoop(
  name: string,
  seed: number,
  maxBytes: number,
  make: (i: number, rnd: () => number) => Promise<RawRequest> | RawRequest,
  afterDrop?: () => Promise<void>,
): Promise<void> {
  const rnd = seeded(seed);
  const seen = new Set<string>();
  for (let i = 0; i < ITERATIONS; i++) {
    const req = await make(i, rnd);
    // one in five drops right after sending, before any answer; the others somewhere in the stream
    const dropAfter = rnd() < 0.2 ? 0 : 1 + Math.floor(rnd() * maxBytes);
    const mode = DROP_MODES[Math.floor(rnd() * DROP_MODES.length)]!;
    const r = await sendAndDrop(d.socket, req, dropAfter, mode);
    if (r.statusLine) seen.add(r.statusLine.split(' ')[1]!);
    await afterDrop?.();
    assert.ok(
      !d.log().includes('uncaught'),
      `${name} #${i} (seed ${seed}, drop after ${dropAfter} bytes, ${mode}) hit the last-resort handler`,
    );
  }
  // the loop really exercised the endpoint, not only error answers
  assert.ok(
    [...seen].every((s) => s === '200' || s === '101'),
    `${name}: unexpected statuses ${[...seen].join(',')}`,
  );
  await assertDaemonWell(name);
}

export const tarStream = createRequire(import.meta.url)('tar-stream') as typeof import('tar-stream');
