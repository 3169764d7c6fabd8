// startDaemon(): a berthd on throwaway roots for one integration test file, with the real
// docker CLI, dockerode and a leak check on stop(). Meant to run inside the namespace made
// by test/harness/run-isolated.sh (bridges, iptables rules and mounts then stay private).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import http from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import Dockerode from 'dockerode';
import { diffLeaks, fdCount, fdTargets, snapshot, type Snapshot } from './leaks.js';

/** Repository root (this file runs from dist/test/harness/ or test/harness/). */
export const repoRoot = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  while (d !== '/' && !existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
})();

/** The bundle bin/berthd runs (rolldown.config.mjs), so the tests exercise what ships. */
export const berthdMain = join(repoRoot, 'dist/berthd/main.js');
export const dockerCli = process.env.DOCKER_CLI ?? 'docker';
/** BERTHD="dockerd" (any command taking dockerd's flags) replaces berthd, to validate the harness. */
const berthdOverride = process.env.BERTHD?.split(' ').filter(Boolean);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Fed to stdin then closed. A list is written piece by piece, `gapMs` apart (for -it). */
  input?: string | Buffer | string[];
  gapMs?: number;
  env?: Record<string, string>;
  cwd?: string;
  /** Kill after this long (default 60 s); the result then has code 124. */
  timeoutMs?: number;
}

export interface StopResult {
  leaks: string[];
  fdBefore: number;
  fdAfter: number;
}

export interface Daemon {
  readonly socket: string;
  readonly root: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly pid: number;
  readonly env: { DOCKER_HOST: string; DOCKER_CONFIG: string };
  readonly dockerode: Dockerode;
  /** Runs the real docker CLI against this daemon. */
  docker(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Runs the docker CLI on a pseudo-terminal (`script -qefc`), for `-it`. */
  pty(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** berthd's stdout+stderr so far. */
  log(): string;
  /**
   * Sends berthd a signal (default SIGKILL) and waits for it to exit, without any cleanup: the
   * roots, containers and conmons stay, for `startDaemon({ root })` to take over. Resolves with
   * how it ended. stop() must not be called afterwards.
   */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Removes containers and user networks, stops berthd, checks for leaks (throws if any unless assert: false). */
  stop(o?: { assert?: boolean }): Promise<StopResult>;
}

export interface StartOptions {
  /** Import the busybox fixture as busybox:latest (default true). */
  busybox?: boolean;
  /** Extra berthd flags. */
  args?: string[];
  /** How long to wait for /_ping (default 20 s). */
  readyTimeoutMs?: number;
  /** Allowed growth of berthd's fd count between start and stop (default 4). */
  fdSlack?: number;
  /** Start on the roots of an earlier daemon (its `root`, after its kill()), e.g. for restart tests. */
  root?: string;
}

/** Why integration tests cannot start a daemon here, or null when they can. */
export function daemonUnavailable(): string | null {
  if (!berthdOverride && !existsSync(berthdMain)) return `berthd is not built yet (${berthdMain} does not exist)`;
  if (process.getuid?.() !== 0) return 'integration tests need root';
  if (process.env.BERTH_ISOLATED !== '1' && process.env.BERTH_ALLOW_HOST !== '1') {
    return 'not inside test/harness/run-isolated.sh (set BERTH_ALLOW_HOST=1 to use the host namespaces)';
  }
  return null;
}

function shq(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Spawn a command, feed stdin, collect output; never rejects on a non-zero exit. */
export function runCommand(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((res, rej) => {
    const child: ChildProcess = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.stdin!.on('error', () => {}); // the command may exit without reading stdin
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      rej(e);
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      res({
        code: timedOut ? 124 : (code ?? 128 + (sig ? 9 : 0)),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (timedOut ? '\n[harness: timed out]' : ''),
      });
    });
    void feed(child, opts);
  });
}

/** Our CLI, for tests that run it beside the docker CLI. */
export const berthBin = join(repoRoot, 'bin/berth');

/** `berth args` against the daemon `d()` (its DOCKER_HOST), the caller's env on top. */
export function berthCli(d: () => Daemon): (args: string[], opts?: RunOptions) => Promise<RunResult> {
  return (args, opts = {}) =>
    runCommand(process.execPath, [berthBin, ...args], { ...opts, env: { ...d().env, ...opts.env } });
}

async function feed(child: ChildProcess, opts: RunOptions): Promise<void> {
  const stdin = child.stdin!;
  if (Array.isArray(opts.input)) {
    for (const piece of opts.input) {
      await new Promise((r) => setTimeout(r, opts.gapMs ?? 300));
      if (stdin.destroyed) return;
      stdin.write(piece);
    }
    await new Promise((r) => setTimeout(r, opts.gapMs ?? 300));
    stdin.end();
  } else {
    stdin.end(opts.input ?? '');
  }
}

/** GET a path on a unix socket; resolves with status and body. */
export function getUnix(socketPath: string, path: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = http.get({ socketPath, path, timeout: timeoutMs }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', rej);
  });
}

/** True when a daemon answers `GET /_ping` with OK on this socket. */
export async function pingOk(socketPath: string): Promise<boolean> {
  try {
    const r = await getUnix(socketPath, '/_ping');
    return r.status === 200 && r.body.trim() === 'OK';
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Path of the busybox rootfs tarball, built once and cached: $BERTH_BUSYBOX_TAR if set
 * (scripts/test.sh builds it before the integration phase), else /tmp/berth-fixtures/.
 */
export async function busyboxTarball(): Promise<string> {
  const want = process.env.BERTH_BUSYBOX_TAR ?? '/tmp/berth-fixtures/busybox-rootfs.tar';
  if (existsSync(want)) return want;
  const script = join(repoRoot, 'scripts/busybox-rootfs.sh');
  if (!existsSync(script)) throw new Error(`no busybox fixture: ${want} is missing and ${script} does not exist`);
  mkdirSync(dirname(want), { recursive: true });
  // Build beside the target and rename, so parallel test files never see half a tarball.
  const tmp = `${want}.${process.pid}.tmp`;
  const r = await runCommand('bash', [script, tmp], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`scripts/busybox-rootfs.sh failed (${r.code}): ${r.stderr}`);
  renameSync(tmp, want);
  return want;
}

/** berthd (or BERTHD's command) with `args`, stdout and stderr appended to `logPath`. */
function spawnBerthd(logPath: string, args: string[]) {
  const logFd = openSync(logPath, 'a');
  const [cmd, ...pre] = berthdOverride ?? [process.execPath, '--max-semi-space-size=1', berthdMain];
  const child = spawn(cmd, [...pre, ...args], { stdio: ['ignore', logFd, logFd], env: process.env });
  closeSync(logFd);
  const proc = {
    child,
    /** Why it exited ("berthd exited (code …)"), null while it runs. */
    exited: null as string | null,
    exitInfo: { code: null, signal: null } as { code: number | null; signal: NodeJS.Signals | null },
    exitedP: Promise.resolve(),
  };
  proc.exitedP = new Promise<void>((r) =>
    child.on('exit', (code, sig) => {
      proc.exited = `berthd exited (code ${code}, signal ${sig})`;
      proc.exitInfo = { code, signal: sig };
      r();
    }),
  );
  return proc;
}

/**
 * Removes the test's containers and user networks through the API while berthd is alive; what
 * cannot be removed is a leak. Routes berthd does not serve (404) have nothing to clean.
 */
async function removeThroughApi(socket: string, dockerode: Dockerode, leaks: string[]): Promise<void> {
  const serves = async (path: string) => (await getUnix(socket, path).catch(() => ({ status: 0 }))).status !== 404;
  try {
    if (await serves('/containers/json?all=1'))
      for (const c of await dockerode.listContainers({ all: true })) {
        await dockerode
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch((e: Error) => leaks.push(`container ${c.Id.slice(0, 12)} could not be removed: ${e.message}`));
      }
    if (await serves('/networks'))
      for (const n of await dockerode.listNetworks()) {
        if (['bridge', 'host', 'none'].includes(n.Name)) continue;
        await dockerode
          .getNetwork(n.Id)
          .remove()
          .catch((e: Error) => leaks.push(`network ${n.Name} could not be removed: ${e.message}`));
      }
  } catch (e) {
    leaks.push(`cleanup through the API failed: ${(e as Error).message}`);
  }
}

/** Whatever leaked, leave the namespace clean for the next test in this file. */
async function clearLeftovers(now: Snapshot): Promise<void> {
  for (const p of now.conmons) {
    try {
      process.kill(Number(p.split(' ')[0]), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const m of [...now.mounts].reverse()) await runCommand('umount', ['-l', m]);
}

type Berthd = ReturnType<typeof spawnBerthd>;
type GiveUp = (msg: string) => Promise<never>;

/** Waits for /_ping; gives up when berthd exits first or `timeoutMs` passes. */
async function waitReady(socket: string, proc: Berthd, timeoutMs: number, giveUp: GiveUp): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pingOk(socket))) {
    if (proc.exited) return giveUp(proc.exited);
    if (Date.now() > deadline) return giveUp('berthd did not answer /_ping in time');
    await sleep(50);
  }
}

/** Imports the busybox fixture as busybox:latest unless the daemon has it (a reused root). */
async function importBusybox(docker: Daemon['docker'], giveUp: GiveUp): Promise<void> {
  const have = await docker(['image', 'inspect', 'busybox:latest']);
  if (have.code === 0) return;
  const tar = await busyboxTarball().catch((e: Error) => giveUp(e.message));
  const imp = await docker(['import', '-c', 'CMD ["sh"]', tar, 'busybox:latest'], { timeoutMs: 120_000 });
  if (imp.code !== 0) await giveUp(`docker import of the busybox fixture failed: ${imp.stderr}`);
}

/** Daemon.stop(): clean up through the API, stop berthd, then compare with the start's snapshot. */
function stopper(s: {
  proc: Berthd;
  socket: string;
  dockerode: Dockerode;
  root: string;
  roots: string[];
  baseline: Snapshot;
  fdBefore: number;
  fdSlack: number;
}): Daemon['stop'] {
  const { proc, socket, dockerode, root, roots, baseline, fdBefore, fdSlack } = s;
  const { child, exitedP } = proc;
  return async (so: { assert?: boolean } = {}): Promise<StopResult> => {
    const leaks: string[] = [];
    let fdAfter = -1;
    if (!proc.exited) {
      await removeThroughApi(socket, dockerode, leaks);
      // Let berthd settle (closing attach sockets, log readers) before counting fds; idle resources
      // count too until they are released (the build fs worker thread stops 30 s after its last job)
      const slack = fdSlack;
      for (const deadline = Date.now() + 40_000; ; await sleep(100)) {
        fdAfter = fdCount(child.pid!);
        if (fdBefore < 0 || fdAfter <= fdBefore + slack || Date.now() > deadline) break;
      }
      if (fdBefore >= 0 && fdAfter > fdBefore + slack) {
        leaks.push(`berthd fd leak: ${fdBefore} open fds after start, ${fdAfter} at stop: ${fdTargets(child.pid!)}`);
      }
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedP;
      clearTimeout(t);
    } else {
      leaks.push(`${proc.exited} before stop()`);
    }
    const now = snapshot(roots);
    leaks.push(...diffLeaks(baseline, now));
    await clearLeftovers(now);
    if (!process.env.BERTH_KEEP_TMP) rmSync(root, { recursive: true, force: true });
    if (leaks.length && (so.assert ?? true)) {
      throw new Error(`berthd leaked:\n  ${leaks.join('\n  ')}`);
    }
    return { leaks, fdBefore, fdAfter };
  };
}

export async function startDaemon(o: StartOptions = {}): Promise<Daemon> {
  const why = daemonUnavailable();
  if (why) throw new Error(`cannot start berthd: ${why}`);

  const root = o.root ?? mkdtempSync('/tmp/berth-it-');
  const dataRoot = join(root, 'data');
  const execRoot = join(root, 'exec');
  const configDir = join(root, 'docker-config');
  for (const d of [dataRoot, execRoot, configDir]) mkdirSync(d, { recursive: true });
  const socket = join(root, 'berth.sock');
  const pidfile = join(root, 'berthd.pid');
  const logPath = join(root, 'berthd.log');
  const roots = [root];

  const where = ['-H', `unix://${socket}`, '--data-root', dataRoot, '--exec-root', execRoot, '--pidfile', pidfile];
  // BERTH_TEST_RUNTIME=crun: every file's containers on that runtime unless the file names its own
  const rt =
    process.env.BERTH_TEST_RUNTIME && !o.args?.includes('--default-runtime')
      ? ['--default-runtime', process.env.BERTH_TEST_RUNTIME]
      : [];
  const proc = spawnBerthd(logPath, [...where, '--log-level', 'debug', ...rt, ...(o.args ?? [])]);
  const { child, exitedP } = proc;
  const log = () => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };

  const env = { DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: configDir };
  const docker = (args: string[], opts: RunOptions = {}) =>
    runCommand(dockerCli, args, { ...opts, env: { ...env, ...opts.env } });
  const pty = (args: string[], opts: RunOptions = {}) =>
    runCommand('script', ['-qefc', [dockerCli, ...args].map(shq).join(' '), '/dev/null'], {
      ...opts,
      env: { ...env, ...opts.env },
    });

  const giveUp = async (msg: string): Promise<never> => {
    child.kill('SIGKILL');
    await exitedP;
    const tail = log().split('\n').slice(-30).join('\n');
    // a reused root still holds an earlier daemon's containers and mounts: leave it
    if (!process.env.BERTH_KEEP_TMP && !o.root) rmSync(root, { recursive: true, force: true });
    throw new Error(`${msg}\n--- berthd log (tail) ---\n${tail}`);
  };

  await waitReady(socket, proc, o.readyTimeoutMs ?? 20_000, giveUp);
  if (o.busybox ?? true) await importBusybox(docker, giveUp);

  const dockerode = new Dockerode({ socketPath: socket });
  const baseline: Snapshot = snapshot(roots);
  const fdBefore = fdCount(child.pid!);

  const stop = stopper({ proc, socket, dockerode, root, roots, baseline, fdBefore, fdSlack: o.fdSlack ?? 4 });

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (!proc.exited) child.kill(signal);
    await exitedP;
    return proc.exitInfo;
  };

  return { socket, root, dataRoot, execRoot, pid: child.pid!, env, dockerode, docker, pty, log, kill, stop };
}

/** Runs the docker CLI against `d` and asserts it exited 0 (its stderr in the message); the trimmed stdout. */
export async function dockerOk(d: Daemon, args: string[], opts?: RunOptions): Promise<string> {
  const r = await d.docker(args, opts);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Absolute path of an integration fixture under test/fixtures/. */
export const fixture = (p: string) => resolve(repoRoot, 'test/fixtures', p);

/**
 * One berthd for a whole test file: started in before() unless the file cannot run here, stopped
 * with the leak check in after(): stop() throws on any leak (mounts, interfaces, iptables chains,
 * conmons, berthd fds, a container or network the API could not remove), and a throwing after()
 * fails the file as `assert.deepEqual((await d.stop()).leaks, [])` would. `skip` is
 * daemonUnavailable()'s reason, for the tests' skip option.
 */
export function daemonPerFile(o: StartOptions = {}): { readonly skip: string | null; readonly d: Daemon } {
  const skip = daemonUnavailable();
  let d: Daemon | undefined;
  before(async () => {
    if (!skip) d = await startDaemon(o);
  });
  after(async () => {
    if (d) await d.stop();
  });
  return {
    skip,
    get d(): Daemon {
      if (!d) throw new Error('berthd is not running (see before())');
      return d;
    },
  };
}
