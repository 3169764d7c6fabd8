// The conmon-based runtime: one conmon per container holds stdio, writes the log and the exit file,
// and serves the attach socket, so containers outlive berthd.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { createRequire } from 'node:module';
import type { SeqpacketSocket } from 'node-unix-socket';
import { EngineError } from '../../errdefs.js';
import type { Runc } from '../runc.js';
import type { AttachConn, Bundle, Exit, ExecIo, OciProcessSpec, Proc, Runtime, Task } from '../runtime.js';
import type { OciProcess } from '../spec/types.js';
import { execProcess } from './exec-process.js';
import { EXEC_START_FAILED, ociMessage, runcExec } from './runc-exec.js';
import { ExitWatcher } from './exit-watcher.js';
import { syncMessages } from './sync-pipe.js';
import { writeConmonCtl } from './ctl.js';
import { pidAlive as alive } from '../../util/pid-alive.js';
import { runcLiveUpdate } from '../runc-update.js';
import { cliNamed, loadChoice, saveChoice, type RuntimeClis } from './runtime-choice.js';

export interface ConmonOptions {
  conmon: string; // path to conmon
  /** The default runtime's CLI (runc unless --default-runtime says otherwise). */
  runc: Runc;
  /** Every runtime a container may name (HostConfig.Runtime); absent: only `runc`. */
  runtimes?: RuntimeClis;
  exitDir: string; // where conmon writes exit files
  execRoot: string; // exec sessions' dirs live under <execRoot>/x
  logLevel?: string;
}

// conmon's attach socket tags each packet with the pipe it came from.
const STDOUT_PIPE = 2;
const STDERR_PIPE = 3;

export class ConmonRuntime implements Runtime {
  readonly exits: ExitWatcher;
  readonly clis: RuntimeClis;
  /** The runtime of each container created or loaded (update and cleanup find it here). */
  private readonly cliOf = new Map<string, Runc>();
  constructor(readonly o: ConmonOptions) {
    this.exits = new ExitWatcher(o.exitDir);
    this.clis = o.runtimes ?? {
      default: o.runc.o.name ?? 'runc',
      byName: new Map([[o.runc.o.name ?? 'runc', o.runc]]),
    };
  }

  runtimeNames(): { default: string; known: readonly string[] } {
    return { default: this.clis.default, known: [...this.clis.byName.keys()] };
  }

  /** `docker update` where the cgroup files cannot be written directly: `<runtime> update <args> <id>`. */
  async liveUpdate(id: string, args: string[]): Promise<void> {
    await runcLiveUpdate(this.cliOf.get(id) ?? cliNamed(this.clis, ''))(id, args);
  }

  forget(id: string): void {
    this.cliOf.delete(id);
  }

  /** After a crash: the runtime state of a container that is not running, on the runtime that made it. */
  async cleanup(id: string, bundleDir: string): Promise<void> {
    await (await loadChoice(bundleDir, this.clis)).delete(id, true);
    this.cliOf.delete(id);
  }

  start(): void {
    this.exits.start();
  }
  stop(): void {
    this.exits.stop();
  }

  private baseArgs(cli: Runc, cid: string, cuuid: string, bundle: string, exitDir: string): string[] {
    return [
      '--api-version',
      '1',
      '-c',
      cid,
      '-u',
      cuuid,
      '-n',
      cid,
      '-r',
      cli.o.binary,
      '-b',
      bundle,
      '-p',
      path.join(bundle, 'pidfile'),
      '-P',
      path.join(bundle, 'conmon.pid'),
      '--exit-dir',
      exitDir,
      '--socket-dir-path',
      bundle,
      '--full-attach',
      '--log-level',
      this.o.logLevel ?? 'error',
      ...cli.globalArgs().flatMap((a) => ['--runtime-arg', a]),
    ];
  }

  async create(id: string, b: Bundle): Promise<Task> {
    const cli = cliNamed(this.clis, b.runtime);
    await fsp.mkdir(b.dir, { recursive: true });
    // independent files: side by side, not one thread-pool round trip after another
    await Promise.all([
      fsp.writeFile(path.join(b.dir, 'config.json'), JSON.stringify(b.spec)),
      saveChoice(b.dir, cli),
      ...['attach', 'ctl', 'winsz', 'pidfile', 'conmon.pid', 'oom'].map((f) =>
        fsp.rm(path.join(b.dir, f), { force: true }),
      ),
    ]);
    this.exits.clear(id);
    this.cliOf.set(id, cli);
    const args = this.baseArgs(cli, id, id, b.dir, this.o.exitDir);
    args.push('-l', `k8s-file:${b.logPath}`, '--persist-dir', b.dir);
    if (b.logSizeMax && b.logSizeMax > 0) args.push('--log-size-max', String(b.logSizeMax));
    if (b.tty) args.push('-t');
    if (b.stdin) args.push('-i');
    if (b.stdin && !b.stdinOnce) args.push('--leave-stdin-open');
    const child = spawn(this.o.conmon, args, {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { _OCI_SYNCPIPE: '3', PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
      cwd: b.dir,
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const sync = child.stdio[3] as Readable;
    let pid = -1;
    let message = '';
    for await (const m of syncMessages(sync)) {
      pid = m.data;
      message = m.message ?? '';
      break;
    }
    sync.destroy();
    if (pid <= 0) {
      const text = (message || stderr || 'conmon failed to create the container').trim();
      throw new EngineError('internal', ociMessage('create', text));
    }
    return new ConmonTask(this, cli, id, b.dir, pid);
  }

  async load(id: string, bundleDir: string): Promise<Task | null> {
    let pid = 0;
    try {
      pid = Number((await fsp.readFile(path.join(bundleDir, 'pidfile'), 'utf8')).trim());
    } catch {
      return null;
    }
    if (!pid) return null;
    const cli = await loadChoice(bundleDir, this.clis);
    this.cliOf.set(id, cli);
    return new ConmonTask(this, cli, id, bundleDir, pid);
  }

  async execConmon(cli: Runc, cid: string, execId: string, p: OciProcess, io: ExecIo): Promise<Proc> {
    const dir = path.join(this.o.execRoot, 'x', execId.slice(0, 24));
    await fsp.rm(dir, { recursive: true, force: true });
    await fsp.mkdir(dir, { recursive: true });
    const spec = path.join(dir, 'process.json');
    await fsp.writeFile(spec, JSON.stringify(p));
    const args = this.baseArgs(cli, cid, execId, dir, dir);
    // conmon's exec child prints its debug lines into the exec's own output: never debug here
    args[args.indexOf('--log-level') + 1] = 'error';
    args.push('-e', '--exec-attach', '--exec-process-spec', spec, '-l', 'none');
    if (io.tty) args.push('-t');
    if (io.stdin) args.push('-i');
    const child = spawn(this.o.conmon, args, {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: { _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4', _OCI_ATTACHPIPE: '5', PATH: process.env.PATH ?? '/usr/bin:/bin' },
      cwd: dir,
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const startPipe = child.stdio[4] as Writable;
    // conmon blocks on a first start-pipe message before forking, and on a second before `runc exec`.
    startPipe.write('0');
    const attachMsgs = syncMessages((child.stdio as unknown as Readable[])[5]!);
    const first = await attachMsgs.next();
    if (first.done) throw new EngineError('internal', ociMessage('exec', stderr.trim() || 'conmon exec failed'));
    const sock = await connectAttach(path.join(dir, 'attach'));
    const proc = new ConmonProc(sock, dir);
    startPipe.end('0');
    (child.stdio as unknown as Readable[])[5]!.destroy();
    const syncIt = syncMessages(child.stdio[3] as Readable);
    void (async () => {
      let gotPid = false;
      let code = -1;
      let message = '';
      for await (const m of syncIt) {
        if (!gotPid) {
          gotPid = true;
          if (m.data > 0) {
            proc.setPid(m.data);
            continue;
          }
          message = m.message ?? '';
          code = m.data < 0 ? -m.data : 126;
          break;
        }
        code = m.data;
        break;
      }
      (child.stdio[3] as Readable).destroy();
      if (!gotPid || message) proc.fail(ociMessage('exec', (message || stderr).trim()), EXEC_START_FAILED);
      else proc.finish(code);
      await fsp.rm(dir, { recursive: true, force: true }).catch(() => {});
    })().catch((e: unknown) => proc.fail(ociMessage('exec', (e as Error).message), EXEC_START_FAILED)); // a broken sync pipe ends this exec only
    return proc;
  }
}

// loaded on first attach: the native addon costs ~4 MiB of RSS that an idle daemon should not pay
let seqpacket: typeof import('node-unix-socket').SeqpacketSocket | null = null;
function newSeqpacket(): SeqpacketSocket {
  seqpacket ??= (createRequire(import.meta.url)('node-unix-socket') as typeof import('node-unix-socket'))
    .SeqpacketSocket;
  return new seqpacket();
}

function connectAttach(sockPath: string): Promise<SeqpacketSocket> {
  return new Promise((resolve, reject) => {
    const s = newSeqpacket();
    s.once('error', reject);
    try {
      s.connect(sockPath, () => {
        s.off('error', reject);
        resolve(s);
      });
    } catch (e) {
      reject(new EngineError('internal', `attach: ${(e as Error).message}`, { cause: e }));
    }
  });
}

/** Stdin bytes handed to the attach socket but not yet to the kernel before the client is paused. */
const STDIN_BACKLOG = 1 << 20;

class SeqAttach implements AttachConn {
  private ended = false;
  private endCbs: Array<() => void> = [];
  private queued = 0; // written to the socket, not yet taken by the kernel (conmon not reading)
  private readyWaiters: Array<() => void> = [];
  constructor(private readonly s: SeqpacketSocket) {
    s.on('end', () => this.fireEnd());
    s.on('close', () => this.fireEnd());
    s.on('error', () => this.fireEnd());
  }
  private fireEnd() {
    if (this.ended) return;
    this.ended = true;
    for (const cb of this.endCbs) cb();
    this.wakeWriters();
  }
  private wakeWriters() {
    for (const w of this.readyWaiters.splice(0)) w();
  }
  stdinReady(): Promise<void> | null {
    if (this.ended || this.queued < STDIN_BACKLOG) return null;
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }
  onData(cb: (stream: 'stdout' | 'stderr', chunk: Buffer) => void): void {
    this.s.on('data', (buf: Buffer) => {
      if (buf.length < 1) return;
      const tag = buf[0];
      if (tag === STDOUT_PIPE) cb('stdout', buf.subarray(1));
      else if (tag === STDERR_PIPE) cb('stderr', buf.subarray(1));
    });
  }
  onEnd(cb: () => void): void {
    if (this.ended) cb();
    else this.endCbs.push(cb);
  }
  write(chunk: Buffer): void {
    if (this.ended) return;
    // packets are limited by conmon's read buffer (8 KiB); split large writes
    for (let i = 0; i < chunk.length; i += 8192) {
      const piece = chunk.subarray(i, i + 8192);
      try {
        this.queued += piece.length;
        this.s.write(piece, 0, piece.length, () => {
          this.queued -= piece.length;
          if (this.queued < STDIN_BACKLOG) this.wakeWriters();
        });
      } catch {
        return;
      }
    }
  }
  closeStdin(): void {
    try {
      this.s.end();
    } catch {
      /* closed */
    }
  }
  close(): void {
    try {
      this.s.destroy();
    } catch {
      /* closed */
    }
    this.fireEnd();
  }
}

class ConmonProc implements Proc {
  private readonly attach: SeqAttach;
  private resolvePid!: (n: number) => void;
  private resolveExit!: (n: number) => void;
  readonly pid: Promise<number>;
  readonly exited: Promise<number>;
  private code: number | null = null;
  private outputDone = false;
  private dataCb: ((stream: 'stdout' | 'stderr', chunk: Buffer) => void) | null = null;
  private pending: Array<['stdout' | 'stderr', Buffer]> = [];
  constructor(
    sock: SeqpacketSocket,
    private readonly dir: string,
  ) {
    this.attach = new SeqAttach(sock);
    this.pid = new Promise((r) => (this.resolvePid = r));
    this.exited = new Promise((r) => (this.resolveExit = r));
    this.attach.onData((s, c) => (this.dataCb ? this.dataCb(s, c) : this.pending.push([s, c])));
    this.attach.onEnd(() => {
      this.outputDone = true;
      this.maybeDone();
    });
  }
  setPid(n: number) {
    this.resolvePid(n);
  }
  fail(message: string, code: number) {
    this.resolvePid(0);
    const out = Buffer.from(message + '\r\n');
    if (this.dataCb) this.dataCb('stdout', out);
    else this.pending.push(['stdout', out]);
    this.code = code;
    this.outputDone = true;
    this.attach.close();
    this.maybeDone();
  }
  finish(code: number) {
    this.code = code;
    // conmon closes the attach socket after draining; don't wait forever if it doesn't
    setTimeout(() => {
      this.outputDone = true;
      this.maybeDone();
    }, 2000).unref();
    this.maybeDone();
  }
  private maybeDone() {
    if (this.code !== null && this.outputDone) {
      this.attach.close();
      this.resolveExit(this.code);
    }
  }
  onData(cb: (stream: 'stdout' | 'stderr', chunk: Buffer) => void): void {
    this.dataCb = cb;
    for (const [s, c] of this.pending.splice(0)) cb(s, c);
  }
  write(chunk: Buffer): void {
    this.attach.write(chunk);
  }
  stdinReady(): Promise<void> | null {
    return this.attach.stdinReady();
  }
  closeStdin(): void {
    this.attach.closeStdin();
  }
  resize(h: number, w: number): void {
    writeCtl(this.dir, h, w);
  }
  kill(sig: number): void {
    void this.pid.then((p) => {
      if (p > 0)
        try {
          process.kill(p, sig);
        } catch {
          /* gone */
        }
    });
  }
}

function writeCtl(dir: string, h: number, w: number): void {
  try {
    writeConmonCtl(path.join(dir, 'ctl'), { op: 'resize', height: h, width: w });
  } catch {
    /* no conmon listening */
  }
}

class ConmonTask implements Task {
  constructor(
    private readonly rt: ConmonRuntime,
    private readonly cli: Runc,
    readonly id: string,
    private readonly dir: string,
    readonly pid: number,
  ) {}

  async start(): Promise<void> {
    await this.cli.startCreated(this.id, this.pid);
  }
  async kill(sig: number): Promise<void> {
    if (this.exited()) return;
    try {
      process.kill(this.pid, sig);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }
  wait(): Promise<Exit> {
    const fromFile = this.rt.exits.wait(this.id, path.join(this.dir, 'oom'));
    // If conmon itself died (killed by hand, OOM), no exit file will ever come: watch the processes.
    // One shared timer for all containers (ExitWatcher.every), not one interval each.
    const orphaned = new Promise<Exit>((resolve) => {
      let settled = false;
      void fromFile.then(() => (settled = true));
      this.rt.exits.every(() => {
        if (settled) return true;
        if (alive(this.conmonPid()) || this.exited()) return false;
        if (alive(this.pid)) return false;
        resolve({ code: 255, finishedAt: new Date(), oomKilled: false });
        return true;
      });
    });
    return Promise.race([fromFile, orphaned]);
  }
  private conmonPidCache = 0;
  private conmonPid(): number {
    if (!this.conmonPidCache) {
      try {
        this.conmonPidCache = Number(fs.readFileSync(path.join(this.dir, 'conmon.pid'), 'utf8').trim()) || 0;
      } catch {
        return 0;
      }
    }
    return this.conmonPidCache;
  }
  exited(): Exit | null {
    return this.rt.exits.read(this.id, path.join(this.dir, 'oom'));
  }
  async pause(): Promise<void> {
    await this.cli.pause(this.id);
  }
  async resume(): Promise<void> {
    await this.cli.resume(this.id);
  }
  async attach(): Promise<AttachConn> {
    const s = await connectAttach(path.join(this.dir, 'attach'));
    return new SeqAttach(s);
  }
  async resize(h: number, w: number): Promise<void> {
    writeCtl(this.dir, h, w);
  }
  private process: Partial<OciProcess> | null = null;
  async exec(execId: string, p: OciProcessSpec, io: ExecIo): Promise<Proc> {
    // A --process spec replaces the container's process wholesale (runc would even reset
    // no-new-privileges), so an exec starts from the container's own, as Docker's does.
    // Without the container's spec there is nothing to confine the exec with: refuse it.
    this.process ??= await fsp.readFile(path.join(this.dir, 'config.json'), 'utf8').then(
      (t) => (JSON.parse(t) as { process?: Partial<OciProcess> }).process ?? {},
      (e: Error) => {
        throw new EngineError('internal', `cannot read the OCI spec of container ${this.id}: ${e.message}`, {
          cause: e,
        });
      },
    );
    const proc = execProcess(this.process, p);
    if (io.tty) return this.rt.execConmon(this.cli, this.id, execId, proc, io);
    return runcExec(this.cli, this.id, execId, proc, io, this.rt.o.execRoot);
  }
  async pids(): Promise<number[]> {
    return this.cli.ps(this.id);
  }
  async delete(): Promise<void> {
    await this.cli.deleteStopped(this.id);
    this.rt.exits.clear(this.id);
    this.rt.forget(this.id);
  }
}
