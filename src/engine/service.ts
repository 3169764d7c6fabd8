// The container lifecycle. Every state change goes through the per-container queue:
// check transition → act → persist → emit event.
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { EngineError, conflict, invalid, isKind, msg, notModified } from '../errdefs.js';
import type { AttachConn, Exit, Runtime, Task } from '../runtime/runtime.js';
import { ZERO_TIME, nowRfc3339, parseRfc3339, rfc3339Nano } from '../util/time.js';
import { type CreateRequest, defaultHostConfig, mergeConfig, validateHostConfig } from './create-config.js';
import type { Events } from './events.js';
import { KeyedQueue } from './locks.js';
import { generateName, validName } from './names.js';
import type { NetworkPort, FsPort, ImagesPort, LogMessage, LogReadOptions, LogsPort, SpecPort, VolumesPort } from './ports.js';
import { parseSignal } from './signals.js';
import { isRunningish } from './states.js';
import { resourceWarnings } from './resources.js';
import { adaptToHost } from './host-support.js';
import type { ContainerStore } from './store.js';
import { Supervisor } from './supervisor.js';
import type { ContainerRecord, HostConfig, Status } from './types.js';

export interface EnginePaths {
  execRoot: string; // bundles live in <execRoot>/c/<id>
  cgroupParent: string; // relative cgroup parent, e.g. "berth"
}

export interface Deps {
  store: ContainerStore;
  runtime: Runtime;
  images: ImagesPort;
  fs: FsPort;
  spec: SpecPort;
  volumes?: VolumesPort;
  network?: NetworkPort;
  logs: LogsPort;
  events: Events;
  paths: EnginePaths;
  log: (level: 'debug' | 'info' | 'warn' | 'error', m: string) => void;
}

/** What an attached client offers: output sink, optional input, and a way to learn it went away. */
export interface AttachClient {
  write(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  input?: NodeJS.ReadableStream | null;
  signal: AbortSignal;
  /** Resolves once the client has taken in most of what was written (backpressure for the logs replay). */
  ready?(): Promise<void>;
}

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  stream: boolean;
  logs: boolean;
  detachKeys?: Buffer | null;
}

interface Run {
  task: Task;
  /** Resolves after the exit has been fully handled (state persisted). */
  handled: Promise<Exit>;
}

type WaitCondition = 'not-running' | 'next-exit' | 'removed';

interface Waiter {
  condition: WaitCondition;
  resolve: (r: { code: number; error?: string }) => void;
}

export type DetachMatcher = (chunk: Buffer) => { pass: Buffer; detached: boolean };

export class ContainerService {
  private readonly q = new KeyedQueue();
  private readonly runs = new Map<string, Run>();
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly pendingAttach = new Map<string, Array<(t: Task) => Promise<void>>>();
  /** Restart back-off and health-probe timers (supervisor.ts), shared with the HealthMonitor. */
  readonly supervisor = new Supervisor();
  private readonly mounted = new Map<string, number>(); // rootfs mount refcounts
  detachMatcher: ((keys: Buffer | null | undefined) => DetachMatcher) | null = null;

  constructor(readonly d: Deps) {}

  // ---------------------------------------------------------------- helpers
  find(ref: string): ContainerRecord {
    return this.d.store.find(ref);
  }
  bundleDir(id: string): string {
    return path.join(this.d.paths.execRoot, 'c', id);
  }
  rootfsDir(id: string): string {
    return path.join(this.bundleDir(id), 'rootfs');
  }
  task(id: string): Task | undefined {
    return this.runs.get(id)?.task;
  }
  private async persist(rec: ContainerRecord): Promise<void> {
    await this.d.store.save(rec);
  }
  private emit(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.d.events.emit('container', action, rec.id, { image: rec.config.Image, name: rec.name, ...rec.config.Labels, ...extra });
  }
  private setStatus(rec: ContainerRecord, s: Status): void {
    rec.state.status = s;
  }

  /**
   * The one way for other modules (network connect, health, update) to change a container's
   * record: mutate runs in the container's queue, then the record is persisted. The status is not
   * theirs to change (the lifecycle methods own it). Never call it from inside the container's
   * queue (e.g. from a NetworkPort or VolumesPort hook during start): it would wait for itself.
   */
  updateRecord(id: string, mutate: (rec: ContainerRecord) => void | Promise<void>): Promise<void> {
    const rec = this.find(id);
    return this.q.run(rec.id, async () => {
      const cur = this.d.store.get(rec.id);
      if (!cur) throw new EngineError('not-found', msg.noSuchContainer(id));
      const status = cur.state.status;
      await mutate(cur);
      if (cur.state.status !== status) throw new EngineError('internal', `updateRecord cannot change the status of ${cur.id} (${status} → ${cur.state.status})`);
      await this.persist(cur);
    });
  }

  // ---------------------------------------------------------------- create
  async create(req: CreateRequest): Promise<{ Id: string; Warnings: string[] }> {
    const c = req.config ?? {};
    if (!c.Image) throw invalid('Config cannot be empty in order to create a container');
    let name = req.name ?? '';
    if (name) {
      if (!validName.test(name)) throw invalid(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      if (name.startsWith('/')) name = name.slice(1);
    }
    const hostConfig: HostConfig = { ...defaultHostConfig(), ...stripUndefined(req.hostConfig ?? {}) };
    if (!hostConfig.RestartPolicy) hostConfig.RestartPolicy = { Name: 'no', MaximumRetryCount: 0 };
    if (!hostConfig.RestartPolicy.Name) hostConfig.RestartPolicy = { Name: 'no', MaximumRetryCount: hostConfig.RestartPolicy.MaximumRetryCount ?? 0 };
    hostConfig.RestartPolicy.MaximumRetryCount ??= 0;
    if (!hostConfig.NetworkMode || hostConfig.NetworkMode === 'default') hostConfig.NetworkMode = 'bridge';
    if (this.d.logs.mergeConfig) hostConfig.LogConfig = this.d.logs.mergeConfig(hostConfig.LogConfig);
    else if (!hostConfig.LogConfig?.Type) hostConfig.LogConfig = { Type: 'k8s-file', Config: hostConfig.LogConfig?.Config ?? {} };
    if (hostConfig.Memory > 0 && !hostConfig.MemorySwap) hostConfig.MemorySwap = hostConfig.Memory * 2;
    if (!hostConfig.ShmSize) hostConfig.ShmSize = 67108864;
    const hostWarnings = await adaptToHost(hostConfig); // what this host's cgroups cannot honour, discarded as Docker does
    validateHostConfig(hostConfig, { userNetworks: !!this.d.network });
    const imageId = await this.d.images.resolveId(String(c.Image));
    const imgCfg = await this.d.images.runtimeConfig(imageId);
    const id = randomBytes(32).toString('hex');
    const config = mergeConfig(id, c, imgCfg);
    const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
    if (argv.length === 0) throw invalid('No command specified');
    if (config.StopSignal) parseSignal(config.StopSignal);
    // reserve the name synchronously: two concurrent creates cannot both take it
    if (name) this.d.store.reserveName(name, id);
    else {
      for (let i = 0; ; i++) {
        const n = generateName(i > 3 ? i : 0);
        if (!this.d.store.nameOwner(n)) {
          name = n;
          this.d.store.reserveName(name, id);
          break;
        }
      }
    }
    const dir = this.d.store.dir(id);
    const rec: ContainerRecord = {
      id,
      name,
      created: nowRfc3339(),
      path: argv[0]!,
      args: argv.slice(1),
      config,
      hostConfig,
      networkingConfig: req.networkingConfig ?? null,
      image: imageId,
      state: { status: 'created', pid: 0, exitCode: 0, error: '', startedAt: ZERO_TIME, finishedAt: ZERO_TIME, oomKilled: false },
      restartCount: 0,
      manuallyStopped: false,
      hasBeenStarted: false,
      logPath: path.join(dir, 'container.log'),
      hostnamePath: path.join(dir, 'hostname'),
      hostsPath: path.join(dir, 'hosts'),
      resolvConfPath: path.join(dir, 'resolv.conf'),
      mounts: [],
      execIds: [],
    };
    try {
      if (this.d.volumes) rec.mounts = await this.d.volumes.prepare(rec);
      await this.d.network?.prepare(rec);
      await fsp.mkdir(dir, { recursive: true });
      await this.d.images.createRootfs(id, imageId);
      await this.writeEtcFiles(rec);
      await this.persist(rec);
    } catch (e) {
      this.d.store.releaseName(name, id);
      if (rec.mounts.length) await this.d.volumes?.removeAnonymous(rec).catch(() => {});
      await this.d.images.removeRootfs(id).catch(() => {});
      await fsp.rm(dir, { recursive: true, force: true });
      throw e;
    }
    this.emit(rec, 'create');
    return { Id: id, Warnings: [...hostWarnings, ...resourceWarnings(hostConfig)] };
  }

  private async writeEtcFiles(rec: ContainerRecord): Promise<void> {
    const host = rec.hostConfig.NetworkMode === 'host';
    const hostname = host ? (await fsp.readFile('/etc/hostname', 'utf8').catch(() => 'localhost\n')).trim() : rec.config.Hostname;
    await fsp.writeFile(rec.hostnamePath, hostname + '\n');
    let hosts: string;
    if (host) hosts = await fsp.readFile('/etc/hosts', 'utf8').catch(() => '127.0.0.1\tlocalhost\n');
    else {
      hosts =
        '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';
      for (const e of rec.hostConfig.ExtraHosts ?? []) {
        const i = e.indexOf(':');
        if (i > 0) hosts += `${e.slice(i + 1)}\t${e.slice(0, i)}\n`;
      }
    }
    await fsp.writeFile(rec.hostsPath, hosts);
    await fsp.writeFile(rec.resolvConfPath, await resolvConf(rec.hostConfig));
  }

  // ---------------------------------------------------------------- start
  start(ref: string): Promise<void> {
    const rec = this.find(ref);
    return this.q.run(rec.id, async () => {
      const cur = this.d.store.get(rec.id);
      if (!cur) throw new EngineError('not-found', msg.noSuchContainer(ref));
      const s = cur.state.status;
      if (s === 'paused') throw conflict('cannot start a paused container, try unpause instead');
      if (s === 'running') throw notModified();
      if (s === 'removing' || s === 'dead') throw conflict(`container is marked for removal and cannot be started`);
      this.clearRestartTimer(cur.id);
      cur.manuallyStopped = false;
      await this.startLocked(cur);
    });
  }

  private async mountRootfs(rec: ContainerRecord): Promise<string> {
    const target = this.rootfsDir(rec.id);
    const n = this.mounted.get(rec.id) ?? 0;
    if (n === 0) {
      await fsp.mkdir(target, { recursive: true });
      if (!isMountpoint(target)) await this.d.fs.mountAll(await this.d.images.rootfsMounts(rec.id), target);
    }
    this.mounted.set(rec.id, n + 1);
    return target;
  }

  private async unmountRootfs(rec: ContainerRecord, force = false): Promise<void> {
    const n = (this.mounted.get(rec.id) ?? 1) - 1;
    if (n > 0 && !force) {
      this.mounted.set(rec.id, n);
      return;
    }
    this.mounted.delete(rec.id);
    await this.d.fs.unmount(this.rootfsDir(rec.id)).catch((e) => this.d.log('warn', `unmount ${rec.id}: ${(e as Error).message}`));
  }

  /** Mount the rootfs for the duration of fn (cp, diff, top… on a stopped container). */
  async withRootfs<T>(rec: ContainerRecord, fn: (root: string) => Promise<T>): Promise<T> {
    const root = await this.mountRootfs(rec);
    try {
      return await fn(root);
    } finally {
      await this.unmountRootfs(rec);
    }
  }

  private async startLocked(rec: ContainerRecord): Promise<void> {
    const nm = rec.hostConfig.NetworkMode;
    if (nm.startsWith('container:')) {
      const other = this.d.store.tryFind(nm.slice('container:'.length));
      if (!other) throw new EngineError('not-found', msg.noSuchContainer(nm.slice('container:'.length)));
      if (other.state.status !== 'running')
        throw conflict(`cannot join network of a non running container: ${other.id}`);
    }
    const t0 = performance.now();
    const rootfs = await this.mountRootfs(rec);
    const tMount = performance.now();
    const bundle = this.bundleDir(rec.id);
    let task: Task | null = null;
    let tSpec = 0;
    let tCreate = 0;
    try {
      if (!fs.existsSync(rec.hostnamePath)) await this.writeEtcFiles(rec);
      const net = await this.d.network?.setup(rec);
      if (net?.hosts !== undefined) await fsp.writeFile(rec.hostsPath, net.hosts);
      if (net?.resolvConf !== undefined) await fsp.writeFile(rec.resolvConfPath, net.resolvConf);
      const mounts = this.d.volumes ? await this.d.volumes.setup(rec, rootfs) : [];
      const spec = await this.d.spec.build(rec, {
        rootfs,
        cgroupsPath: `${this.d.paths.cgroupParent}/${rec.id}`,
        etcFiles: { hostname: rec.hostnamePath, hosts: rec.hostsPath, resolvConf: rec.resolvConfPath },
        mounts,
      });
      tSpec = performance.now();
      task = await this.d.runtime.create(rec.id, {
        dir: bundle,
        spec,
        logPath: rec.logPath,
        logSizeMax: this.d.logs.sizeMax?.(rec),
        tty: rec.config.Tty,
        stdin: rec.config.OpenStdin,
        stdinOnce: rec.config.StdinOnce && !rec.config.Tty,
      });
      // connect clients that attached before start, so no output is lost
      const pending = this.pendingAttach.get(rec.id) ?? [];
      this.pendingAttach.delete(rec.id);
      await Promise.all(pending.map((p) => p(task!).catch(() => {})));
      tCreate = performance.now();
      await task.start();
    } catch (e) {
      if (task) {
        await task.kill(9).catch(() => {});
        await task.delete().catch(() => {});
      }
      await this.unmountRootfs(rec, true);
      await this.d.volumes?.release(rec).catch(() => {});
      await this.d.network?.teardown(rec).catch(() => {});
      const m = e instanceof Error ? e.message : String(e);
      // like moby: the status stays (created stays created), the error and an exit code are recorded
      rec.state.error = m;
      rec.state.exitCode = /executable file not found|no such file or directory/.test(m) ? 127 : /permission denied/.test(m) ? 126 : 128;
      await this.persist(rec);
      if (rec.hostConfig.AutoRemove) void this.remove(rec.id, { force: true, volumes: true }).catch(() => {});
      if (/executable file not found|no such file or directory|permission denied|is a directory/.test(m)) throw new EngineError('invalid', m, { cause: e });
      throw e;
    }
    rec.state = {
      status: 'running',
      pid: task.pid,
      exitCode: 0,
      error: '',
      startedAt: nowRfc3339(),
      finishedAt: rec.state.finishedAt,
      oomKilled: false,
    };
    rec.hasBeenStarted = true;
    const tStart = performance.now();
    await this.persist(rec);
    this.emit(rec, 'start');
    const ms = (a: number, b: number) => (b - a).toFixed(1);
    this.d.log('debug', `start ${rec.id.slice(0, 12)}: mount ${ms(t0, tMount)} spec ${ms(tMount, tSpec)} create ${ms(tSpec, tCreate)} start ${ms(tCreate, tStart)} persist ${ms(tStart, performance.now())} ms`);
    this.watch(rec, task);
  }

  /** Follow a task until it exits; the exit is handled in the container's queue. */
  private watch(rec: ContainerRecord, task: Task): void {
    let resolveHandled!: (e: Exit) => void;
    const handled = new Promise<Exit>((r) => (resolveHandled = r));
    this.runs.set(rec.id, { task, handled });
    this.d.logs.follow?.(rec);
    void task.wait().then((exit) =>
      this.q
        .run(rec.id, () => this.handleExit(rec.id, task, exit))
        .catch((e) => this.d.log('error', `handling exit of ${rec.id}: ${(e as Error).message}`))
        .finally(() => resolveHandled(exit)),
    );
  }

  private async handleExit(id: string, task: Task, exit: Exit): Promise<void> {
    const rec = this.d.store.get(id);
    if (this.runs.get(id)?.task === task) this.runs.delete(id);
    await task.delete().catch((e) => this.d.log('warn', `runtime delete ${id}: ${(e as Error).message}`));
    if (!rec) return;
    // moby waits for the output streams before it marks the container stopped: a client that sees
    // it exited (wait, inspect) and then reads its logs gets all of them (docker-py's run())
    await this.d.logs.flush?.(rec);
    await this.unmountRootfs(rec, true);
    await this.d.volumes?.release(rec).catch(() => {});
    await this.d.network?.teardown(rec).catch((e) => this.d.log('warn', `network teardown ${id}: ${(e as Error).message}`));
    rec.state.status = 'exited';
    rec.state.pid = 0;
    rec.state.exitCode = exit.code;
    rec.state.oomKilled = exit.oomKilled;
    rec.state.finishedAt = rfc3339Nano(BigInt(exit.finishedAt.getTime()) * 1_000_000n);
    // a full disk must not stop exit handling (events, waiters, auto-remove): memory holds the state
    await this.persist(rec).catch((e) => this.d.log('error', `saving the exit of ${id}: ${(e as Error).message}`));
    if (exit.oomKilled) this.emit(rec, 'oom');
    this.emit(rec, 'die', { exitCode: String(exit.code) });
    this.notifyWaiters(rec, 'exit');
    if (rec.hostConfig.AutoRemove) {
      void this.remove(rec.id, { force: true, volumes: true }).catch((e) => this.d.log('warn', `auto-remove ${id}: ${(e as Error).message}`));
      return;
    }
    this.maybeRestart(rec, exit);
  }

  private maybeRestart(rec: ContainerRecord, exit: Exit): void {
    const p = rec.hostConfig.RestartPolicy;
    if (rec.manuallyStopped) return;
    let restart = false;
    if (p.Name === 'always' || p.Name === 'unless-stopped') restart = true;
    else if (p.Name === 'on-failure' && exit.code !== 0) restart = !p.MaximumRetryCount || rec.restartCount < p.MaximumRetryCount;
    if (!restart) return;
    // back-off like Docker: 100 ms doubling, reset after the container ran 10 s
    const delay = this.supervisor.restartDelay(rec.id, Date.now() - parseRfc3339(rec.state.startedAt));
    rec.state.status = 'restarting';
    void this.persist(rec).catch((e) => this.d.log('error', `saving the restart of ${rec.id}: ${(e as Error).message}`));
    this.supervisor.schedule(rec.id, 'restart', delay, () => {
      void this.q
        .run(rec.id, async () => {
          const cur = this.d.store.get(rec.id);
          if (!cur || cur.state.status !== 'restarting' || cur.manuallyStopped) return;
          cur.restartCount++;
          await this.startLocked(cur);
          this.emit(cur, 'restart');
        })
        .catch(async (e) => {
          this.d.log('warn', `restart ${rec.id}: ${(e as Error).message}`);
          const cur = this.d.store.get(rec.id);
          if (cur && cur.state.status === 'restarting') {
            cur.state.status = 'exited';
            await this.persist(cur).catch(() => {});
          }
        });
    });
  }

  private clearRestartTimer(id: string): void {
    this.supervisor.cancel(id, 'restart');
  }

  private notifyWaiters(rec: ContainerRecord, what: 'exit' | 'removed'): void {
    const list = this.waiters.get(rec.id);
    if (!list) return;
    const keep: Waiter[] = [];
    for (const w of list) {
      const fire = what === 'removed' ? true : w.condition !== 'removed';
      if (fire) w.resolve({ code: rec.state.exitCode, error: rec.state.error || undefined });
      else keep.push(w);
    }
    if (keep.length) this.waiters.set(rec.id, keep);
    else this.waiters.delete(rec.id);
  }

  // ---------------------------------------------------------------- wait
  async wait(ref: string, condition: string, signal: AbortSignal): Promise<{ StatusCode: number; Error: { Message: string } | null }> {
    const rec = this.find(ref);
    const cond = (condition || 'not-running') as WaitCondition;
    if (!['not-running', 'next-exit', 'removed'].includes(cond)) throw invalid(`invalid condition: "${condition}"`);
    if (cond === 'not-running' && !isRunningish(rec.state.status))
      return { StatusCode: rec.state.exitCode, Error: null };
    const r = await new Promise<{ code: number; error?: string }>((resolve, reject) => {
      const list = this.waiters.get(rec.id) ?? [];
      const w: Waiter = { condition: cond, resolve };
      list.push(w);
      this.waiters.set(rec.id, list);
      signal.addEventListener('abort', () => {
        const l = this.waiters.get(rec.id);
        if (l) this.waiters.set(rec.id, l.filter((x) => x !== w));
        reject(new EngineError('unavailable', 'client disconnected'));
      });
    });
    return { StatusCode: r.code, Error: null };
  }

  // ---------------------------------------------------------------- stop / kill / restart
  async stop(ref: string, o: { timeout?: number; signal?: string } = {}): Promise<void> {
    const rec = this.find(ref);
    if (rec.state.status === 'restarting') {
      this.clearRestartTimer(rec.id);
      rec.manuallyStopped = true;
      rec.state.status = 'exited';
      await this.persist(rec);
      return;
    }
    const run = this.runs.get(rec.id);
    if (!run || !isRunningish(rec.state.status)) throw notModified();
    rec.manuallyStopped = true;
    await this.persist(rec);
    const sig = parseSignal(o.signal || rec.config.StopSignal || 'SIGTERM');
    const t = o.timeout ?? rec.config.StopTimeout ?? 10;
    await this.signal(rec, run.task, sig);
    if (t >= 0) {
      const timedOut = await Promise.race([run.handled.then(() => false), sleep(t * 1000).then(() => true)]);
      if (timedOut) {
        await this.signal(rec, run.task, 9);
      }
    }
    await run.handled;
  }

  private async signal(rec: ContainerRecord, task: Task, sig: number): Promise<void> {
    await task.kill(sig);
    // a frozen container only sees the signal once thawed (Docker unpauses after a kill too)
    if (rec.state.status === 'paused') {
      await task.resume().catch(() => {});
      rec.state.status = 'running';
      this.emit(rec, 'unpause');
    }
  }

  async kill(ref: string, signal?: string): Promise<void> {
    const rec = this.find(ref);
    const sig = parseSignal(signal || 'SIGKILL');
    const run = this.runs.get(rec.id);
    if (!run || !isRunningish(rec.state.status)) throw conflict(msg.notRunning(rec.id));
    if (sig === 9 || sig === 15) {
      rec.manuallyStopped = true;
      await this.persist(rec);
    }
    this.emit(rec, 'kill', { signal: String(sig) });
    await this.signal(rec, run.task, sig);
    if (sig === 9) await run.handled;
  }

  async restart(ref: string, timeout?: number): Promise<void> {
    const rec = this.find(ref);
    try {
      await this.stop(rec.id, { timeout });
    } catch (e) {
      if (!isKind(e, 'not-modified')) throw e;
    }
    await this.start(rec.id);
    this.emit(rec, 'restart');
  }

  // ---------------------------------------------------------------- pause
  pause(ref: string): Promise<void> {
    const rec = this.find(ref);
    return this.q.run(rec.id, async () => {
      if (rec.state.status === 'paused') throw conflict(`Container ${rec.id} is already paused`);
      const run = this.runs.get(rec.id);
      if (!run || rec.state.status !== 'running') throw conflict(msg.notRunning(rec.id));
      // the process may have exited just now, before its exit was handled: that is a 409, not a 500
      await run.task.pause().catch((e: unknown) => {
        throw e instanceof Error && /not running|stopped/i.test(e.message) ? conflict(msg.notRunning(rec.id)) : e;
      });
      rec.state.status = 'paused';
      await this.persist(rec);
      this.emit(rec, 'pause');
    });
  }

  unpause(ref: string): Promise<void> {
    const rec = this.find(ref);
    return this.q.run(rec.id, async () => {
      if (rec.state.status !== 'paused') throw conflict(msg.notPaused(rec.id));
      const run = this.runs.get(rec.id);
      if (!run) throw conflict(msg.notRunning(rec.id));
      await run.task.resume();
      rec.state.status = 'running';
      await this.persist(rec);
      this.emit(rec, 'unpause');
    });
  }

  // ---------------------------------------------------------------- rename
  rename(ref: string, newName: string): Promise<void> {
    const rec = this.find(ref);
    if (!newName) throw invalid('Neither old nor new names may be empty');
    if (!validName.test(newName)) throw invalid(`Invalid container name (${newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const name = newName.startsWith('/') ? newName.slice(1) : newName;
    return this.q.run(rec.id, async () => {
      if (name === rec.name) throw invalid('Renaming a container with the same name as its current name');
      const old = rec.name;
      this.d.store.reserveName(name, rec.id);
      rec.name = name;
      try {
        await this.persist(rec);
      } catch (e) {
        rec.name = old;
        this.d.store.releaseName(name, rec.id);
        throw e;
      }
      this.d.store.releaseName(old, rec.id);
      this.emit(rec, 'rename', { oldName: '/' + old });
    });
  }

  // ---------------------------------------------------------------- remove / prune
  async remove(ref: string, o: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const rec = this.find(ref);
    const s = rec.state.status;
    if (s === 'removing') throw conflict(`removal of container ${rec.id} is already in progress`);
    if (isRunningish(s) && s !== 'restarting') {
      if (!o.force) {
        if (s === 'paused')
          throw conflict(`You cannot remove a paused container ${rec.id}. Unpause and then stop the container before attempting removal or force remove`);
        throw conflict(msg.removeRunning(rec.id));
      }
      const run = this.runs.get(rec.id);
      if (run) {
        rec.manuallyStopped = true;
        await this.signal(rec, run.task, 9);
        await run.handled;
      }
    }
    if (s === 'restarting' && !o.force) throw conflict(`You cannot remove a restarting container ${rec.id}. Stop the container before attempting removal or force remove`);
    this.clearRestartTimer(rec.id);
    await this.q.run(rec.id, async () => {
      if (!this.d.store.get(rec.id)) return;
      const was = rec.state.status;
      rec.state.status = 'removing';
      try {
        await this.removeLocked(rec, o);
      } catch (e) {
        // like moby's ResetRemovalInProgress: a failed removal can be retried
        if (rec.state.status === 'removing') rec.state.status = was;
        throw e;
      }
    });
  }

  private async removeLocked(rec: ContainerRecord, o: { volumes?: boolean }): Promise<void> {
    const run = this.runs.get(rec.id);
    if (run) {
      await run.task.kill(9).catch(() => {});
      await run.task.delete().catch(() => {});
      this.runs.delete(rec.id);
    }
    await this.unmountRootfs(rec, true);
    await fsp.rm(this.bundleDir(rec.id), { recursive: true, force: true }).catch(() => {});
    await this.d.images.removeRootfs(rec.id);
    await this.d.network?.teardown(rec).catch(() => {});
    await this.d.logs.forget?.(rec);
    await this.d.store.delete(rec);
    if (o.volumes) await this.d.volumes?.removeAnonymous(rec).catch((e) => this.d.log('warn', `remove volumes of ${rec.id}: ${(e as Error).message}`));
    this.supervisor.forget(rec.id);
    this.emit(rec, 'destroy');
    this.notifyWaiters(rec, 'removed');
    this.onRemoved?.(rec);
  }
  onRemoved: ((rec: ContainerRecord) => void) | null = null;

  async prune(match: (rec: ContainerRecord) => boolean): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
    const deleted: string[] = [];
    let space = 0;
    for (const rec of this.d.store.all()) {
      if (isRunningish(rec.state.status) || rec.state.status === 'removing') continue;
      if (!match(rec)) continue;
      const size = await this.d.images.rootfsUsage(rec.id).catch(() => 0);
      try {
        await this.remove(rec.id, { volumes: false });
        deleted.push(rec.id);
        space += size;
      } catch (e) {
        this.d.log('warn', `prune ${rec.id}: ${(e as Error).message}`);
      }
    }
    return { ContainersDeleted: deleted, SpaceReclaimed: space };
  }

  // ---------------------------------------------------------------- top
  async top(ref: string, psArgs = '-ef'): Promise<{ Titles: string[]; Processes: string[][] }> {
    const rec = this.find(ref);
    const run = this.runs.get(rec.id);
    if (!run || !isRunningish(rec.state.status)) throw conflict(msg.notRunning(rec.id));
    const pids = new Set(await run.task.pids());
    const args = psArgs.trim() ? psArgs.trim().split(/\s+/) : ['-ef'];
    const out = await new Promise<string>((resolve, reject) =>
      execFile('ps', args, { maxBuffer: 32 << 20 }, (err, stdout, stderr) =>
        err ? reject(new EngineError('internal', `Error running ps: ${stderr || err.message}`)) : resolve(stdout),
      ),
    );
    const lines = out.split('\n').filter((l) => l.trim());
    const header = lines.shift() ?? '';
    const titles = header.trim().split(/\s+/);
    const pidIdx = titles.indexOf('PID');
    if (pidIdx < 0) throw invalid(`Couldn't find PID field in ps output`);
    const processes: string[][] = [];
    for (const l of lines) {
      const fields = l.trim().split(/\s+/);
      const pid = Number(fields[pidIdx]);
      if (!pids.has(pid)) continue;
      // the last column (CMD/COMMAND) may contain spaces
      const head = fields.slice(0, titles.length - 1);
      head.push(fields.slice(titles.length - 1).join(' '));
      processes.push(head);
    }
    return { Titles: titles, Processes: processes };
  }

  // ---------------------------------------------------------------- resize
  async resize(ref: string, h: number, w: number): Promise<void> {
    const rec = this.find(ref);
    const run = this.runs.get(rec.id);
    if (!run) throw conflict(msg.notRunning(rec.id));
    await run.task.resize(h, w);
  }

  // ---------------------------------------------------------------- attach
  /** Resolves when the attachment ends: the container exited, the client detached or went away. */
  async attach(ref: string, o: AttachOptions, client: AttachClient): Promise<'exited' | 'detached' | 'closed'> {
    const rec = this.find(ref);
    if (o.logs) {
      for await (const batch of this.d.logs.readBatches(rec, { follow: false, stdout: o.stdout, stderr: o.stderr }, client.signal)) {
        for (const m of batch) client.write(m.stream, m.line);
        await client.ready?.();
      }
    }
    if (!o.stream) return 'exited';
    return new Promise((resolve) => {
      let conn: AttachConn | null = null;
      let finished = false;
      const finish = (why: 'exited' | 'detached' | 'closed') => {
        if (finished) return;
        finished = true;
        // also on 'exited': conmon closed its end, ours must be closed too or the fd leaks
        if (conn) conn.close();
        resolve(why);
      };
      // the client may have left during the logs replay: an aborted signal fires no more
      if (client.signal.aborted) return finish('closed');
      client.signal.addEventListener('abort', () => finish('closed'));
      const connect = async (task: Task) => {
        if (finished) return;
        const c = await task.attach();
        // the client may have gone while conmon's socket was connecting: nobody else would close it
        if (finished) return c.close();
        conn = c;
        c.onData((stream, chunk) => {
          if ((stream === 'stdout' && o.stdout) || (stream === 'stderr' && o.stderr)) client.write(stream, chunk);
        });
        c.onEnd(() => finish('exited'));
        if (o.stdin && rec.config.OpenStdin && client.input) {
          const matcher = rec.config.Tty && this.detachMatcher ? this.detachMatcher(o.detachKeys) : null;
          const input = client.input;
          input.on('data', (chunk: Buffer) => {
            if (!matcher) c.write(chunk);
            else {
              const r = matcher(chunk);
              if (r.pass.length) c.write(r.pass);
              if (r.detached) finish('detached');
            }
            // backpressure: a container that does not read its stdin must not make berthd hold it
            const ready = c.stdinReady?.();
            if (ready) {
              input.pause();
              void ready.then(() => input.resume());
            }
          });
          client.input.on('end', () => {
            if (rec.config.StdinOnce && !rec.config.Tty) c.closeStdin();
          });
          client.input.resume();
        }
      };
      const run = this.runs.get(rec.id);
      if (run && isRunningish(rec.state.status)) {
        connect(run.task).catch(() => finish('exited'));
      } else {
        const list = this.pendingAttach.get(rec.id) ?? [];
        list.push(connect);
        this.pendingAttach.set(rec.id, list);
        client.signal.addEventListener('abort', () => {
          const l = this.pendingAttach.get(rec.id);
          if (l) this.pendingAttach.set(rec.id, l.filter((x) => x !== connect));
        });
      }
    });
  }

  // ---------------------------------------------------------------- logs
  logs(ref: string, o: LogReadOptions, signal: AbortSignal): { rec: ContainerRecord; batches: AsyncIterable<LogMessage[]> } {
    const rec = this.find(ref);
    if (!o.stdout && !o.stderr) throw invalid('Bad parameters: you must choose at least one stream');
    let done: Promise<void> | undefined;
    if (o.follow) {
      const run = this.runs.get(rec.id);
      done = run && isRunningish(rec.state.status) ? run.handled.then(() => undefined) : Promise.resolve();
    }
    return { rec, batches: this.d.logs.readBatches(rec, o, signal, done) };
  }

  // ---------------------------------------------------------------- restore after a daemon restart
  async restore(): Promise<void> {
    const recs = await this.d.store.load();
    for (const rec of recs) {
      if (rec.state.status === 'removing') {
        await this.remove(rec.id, { force: true }).catch(() => {});
        continue;
      }
      if (!isRunningish(rec.state.status)) continue;
      const task = await this.d.runtime.load(rec.id, this.bundleDir(rec.id));
      if (task && (task.exited() || processAlive(task.pid))) {
        this.mounted.set(rec.id, 1);
        if (rec.state.status === 'restarting') rec.state.status = 'running';
        this.watch(rec, task);
        continue;
      }
      // the monitor is gone and left no exit: the container died with the host or was killed
      await this.unmountRootfs(rec, true);
      if (task) await task.delete().catch(() => {});
      rec.state.status = 'exited';
      rec.state.pid = 0;
      rec.state.exitCode = rec.state.exitCode || 255;
      rec.state.finishedAt = nowRfc3339();
      await this.persist(rec);
      if (rec.hostConfig.AutoRemove) await this.remove(rec.id, { force: true, volumes: true }).catch(() => {});
      else this.maybeRestart(rec, { code: 255, finishedAt: new Date(), oomKilled: false });
    }
    // restart policies for containers that were running when the daemon stopped are applied by the runs above
  }

  runningCount(): { running: number; paused: number; stopped: number } {
    let running = 0;
    let paused = 0;
    let stopped = 0;
    for (const r of this.d.store.all()) {
      if (r.state.status === 'running' || r.state.status === 'restarting') running++;
      else if (r.state.status === 'paused') paused++;
      else stopped++;
    }
    return { running, paused, stopped };
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) (out as Record<string, unknown>)[k] = v;
  // keep explicit nulls for the list fields clients send as null
  for (const [k, v] of Object.entries(o)) if (v === null) (out as Record<string, unknown>)[k] = v;
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function processAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isMountpoint(dir: string): boolean {
  try {
    const a = fs.statSync(dir);
    const b = fs.statSync(path.dirname(dir));
    return a.dev !== b.dev;
  } catch {
    return false;
  }
}

async function resolvConf(h: HostConfig): Promise<string> {
  let host = await fsp.readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  if (h.NetworkMode !== 'host') {
    // like Docker: drop loopback resolvers the container cannot reach; fall back to public ones
    const lines = host.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1)/.test(l));
    host = lines.join('\n');
    if (!/^\s*nameserver\s/m.test(host)) host = host.trimEnd() + '\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n';
  }
  if (h.Dns?.length || h.DnsSearch?.length || h.DnsOptions?.length) {
    let out = '';
    const ns = h.Dns?.length ? h.Dns : [...host.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]!);
    for (const n of ns) out += `nameserver ${n}\n`;
    if (h.DnsSearch?.length) out += `search ${h.DnsSearch.join(' ')}\n`;
    if (h.DnsOptions?.length) out += `options ${h.DnsOptions.join(' ')}\n`;
    return out;
  }
  return host.endsWith('\n') ? host : host + '\n';
}
