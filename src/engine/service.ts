// The container service: the one writer of container records. Its methods are what the API and the
// other subsystems call; the work sits in files named after it (create, lifecycle, stop, remove,
// restart, restore, attach). Every state change runs in the container's queue through
// Transitions.to() (check transition → act → persist → emit event).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { EngineError, conflict, invalid, isKind, msg } from '../errdefs.js';
import type { Task } from '../runtime/runtime.js';
import {
  type AttachClient,
  type AttachOptions,
  type AttachResult,
  type DetachMatcher,
  attachContainer,
} from './attach.js';
import { type Core, type Deps, type Run, bundleDir } from './core.js';
import { createContainer } from './create.js';
import type { CreateRequest } from './create-config.js';
import { startContainer } from './lifecycle.js';
import { findLink } from './links.js';
import { validName } from './names.js';
import type { LogMessage, LogReadOptions } from './ports.js';
import { type RemoveOptions, pruneContainers, removeContainer } from './remove.js';
import { restoreContainers } from './restore.js';
import { RootfsMounts } from './rootfs.js';
import { ensureNotState, ensureState, isRunningish } from './states.js';
import { killContainer, stopContainer } from './stop.js';
import { Supervisor } from './supervisor.js';
import { Transitions } from './transitions.js';
import type { ContainerRecord, Created, Pruned, TopTable } from './types.js';
import { WAIT_CONDITIONS, type WaitCondition, Waiters } from './waiters.js';

export type { AttachClient, AttachOptions, DetachMatcher } from './attach.js';
export type { Deps, EnginePaths } from './core.js';

export class ContainerService {
  /** Restart back-off and health-probe timers (supervisor.ts), shared with the HealthMonitor. */
  readonly supervisor = new Supervisor();
  detachMatcher: ((keys: Buffer | null | undefined) => DetachMatcher) | null = null;
  /** Called after a container was removed (the exec service forgets its execs). */
  onRemoved: ((rec: ContainerRecord) => void) | null = null;
  private readonly core: Core;

  constructor(readonly d: Deps) {
    this.core = {
      d,
      tx: new Transitions(d.store, d.events, d.log),
      runs: new Map<string, Run>(),
      supervisor: this.supervisor,
      rootfs: new RootfsMounts(d.images, d.fs, (id) => this.rootfsDir(id), d.log),
      waiters: new Waiters(),
      pendingAttach: new Map(),
      removed: (rec) => this.onRemoved?.(rec),
    };
  }

  // ---------------------------------------------------------------- lookups
  find(ref: string): ContainerRecord {
    return this.d.store.find(ref);
  }
  bundleDir(id: string): string {
    return bundleDir(this.d.paths, id);
  }
  rootfsDir(id: string): string {
    return path.join(this.bundleDir(id), 'rootfs');
  }
  task(id: string): Task | undefined {
    return this.core.runs.get(id)?.task;
  }
  /** Mount the rootfs for the duration of fn (cp, diff, top… on a stopped container). */
  withRootfs<T>(rec: ContainerRecord, fn: (root: string) => Promise<T>): Promise<T> {
    return this.core.rootfs.with(rec.id, fn);
  }

  // ---------------------------------------------------------------- the record's one writer
  /**
   * The one way for other modules (network connect, health, update) to change a container's
   * record: mutate runs in the container's queue, then the record is persisted. The status is not
   * theirs to change (the lifecycle methods own it). Never call it from inside the container's
   * queue (e.g. from a NetworkPort or VolumesPort hook during start): it would wait for itself.
   */
  updateRecord(id: string, mutate: (rec: ContainerRecord) => void | Promise<void>): Promise<void> {
    return this.core.tx.update(this.find(id).id, mutate);
  }

  /** Emits a container event with Docker's attributes (image, name, labels). */
  emit(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.core.tx.emit(rec, action, extra);
  }

  // ---------------------------------------------------------------- lifecycle
  create(req: CreateRequest): Promise<Created> {
    return createContainer(this.core, req);
  }
  start(ref: string): Promise<void> {
    return startContainer(this.core, ref);
  }
  stop(ref: string, o: { timeout?: number; signal?: string } = {}): Promise<void> {
    return stopContainer(this.core, ref, o);
  }
  kill(ref: string, signal?: string): Promise<void> {
    return killContainer(this.core, ref, signal);
  }
  /** `docker restart`: stop (if it runs, with `signal` when given), then start. */
  async restart(ref: string, timeout?: number, signal?: string): Promise<void> {
    const rec = this.find(ref);
    try {
      await this.stop(rec.id, { timeout, signal });
    } catch (e) {
      if (!isKind(e, 'not-modified')) throw e;
    }
    await this.start(rec.id);
    this.emit(rec, 'restart');
  }
  remove(ref: string, o: RemoveOptions = {}): Promise<void> {
    return removeContainer(this.core, ref, o);
  }
  async prune(match: (rec: ContainerRecord) => boolean): Promise<Pruned> {
    const r = await pruneContainers(this.core, match);
    // moby logs one prune event with what was reclaimed (no actor)
    this.d.events.emit('container', 'prune', '', { reclaimed: String(r.spaceReclaimed) });
    return r;
  }
  /** After a daemon restart. */
  restore(): Promise<void> {
    return restoreContainers(this.core);
  }

  pause(ref: string): Promise<void> {
    const rec = this.find(ref);
    return this.core.tx.locked(rec.id, async () => {
      ensureNotState(rec, ['paused'], (id) => conflict(`Container ${id} is already paused`));
      ensureState(rec, ['running'], (id) => conflict(msg.notRunning(id)));
      const run = this.core.runs.get(rec.id);
      if (!run) throw conflict(msg.notRunning(rec.id));
      // the process may have exited just now, before its exit was handled: that is a 409, not a 500
      await run.task.pause().catch((e: unknown) => {
        throw e instanceof Error && /not running|stopped/i.test(e.message) ? conflict(msg.notRunning(rec.id)) : e;
      });
      await this.core.tx.to(rec, 'paused', { events: [['pause']] });
    });
  }

  unpause(ref: string): Promise<void> {
    const rec = this.find(ref);
    return this.core.tx.locked(rec.id, async () => {
      ensureState(rec, ['paused'], (id) => conflict(msg.notPaused(id)));
      const run = this.core.runs.get(rec.id);
      if (!run) throw conflict(msg.notRunning(rec.id));
      await run.task.resume();
      await this.core.tx.to(rec, 'running', { events: [['unpause']] });
    });
  }

  /** `DELETE /containers/parent/alias?link=1`: the parent forgets that legacy link (moby's rmLink). */
  removeLink(name: string): Promise<void> {
    const { parent, entry } = findLink(name, (ref) => this.d.store.tryFind(ref));
    return this.updateRecord(parent.id, (rec) => {
      const left = (rec.hostConfig.Links ?? []).filter((l) => l !== entry);
      rec.hostConfig.Links = left.length ? left : null; // inspect lists the links that remain, null for none (moby)
    });
  }

  rename(ref: string, newName: string): Promise<void> {
    const rec = this.find(ref);
    if (!newName) throw invalid('Neither old nor new names may be empty');
    if (!validName.test(newName))
      throw invalid(`Invalid container name (${newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const name = newName.startsWith('/') ? newName.slice(1) : newName;
    return this.core.tx.locked(rec.id, async () => {
      if (name === rec.name) throw invalid('Renaming a container with the same name as its current name');
      const old = rec.name;
      this.d.store.reserveName(name, rec.id);
      rec.name = name;
      try {
        await this.core.tx.save(rec);
      } catch (e) {
        rec.name = old;
        this.d.store.releaseName(name, rec.id);
        throw e;
      }
      this.d.store.releaseName(old, rec.id);
      // moby renames the sandbox's endpoints (DNS names) of a running container
      if (isRunningish(rec.state.status))
        await this.d.network
          ?.renamed?.(rec)
          .catch((e) => this.d.log('warn', `rename ${rec.id}: ${(e as Error).message}`));
      this.emit(rec, 'rename', { oldName: '/' + old });
    });
  }

  // ---------------------------------------------------------------- wait, attach, logs
  async wait(ref: string, condition: string, signal: AbortSignal): Promise<{ statusCode: number }> {
    const rec = this.find(ref);
    const cond = (condition || 'not-running') as WaitCondition;
    if (!WAIT_CONDITIONS.includes(cond)) throw invalid(`invalid condition: "${condition}"`);
    if (cond === 'not-running' && !isRunningish(rec.state.status)) return { statusCode: rec.state.exitCode };
    const r = await this.core.waiters.add(rec.id, cond, signal);
    return { statusCode: r.code };
  }

  /** Resolves when the attachment ends: the container exited, the client detached or went away. */
  attach(ref: string, o: AttachOptions, client: AttachClient): Promise<AttachResult> {
    return attachContainer(this.core, this.find(ref), o, client, this.detachMatcher);
  }

  logs(
    ref: string,
    o: LogReadOptions,
    signal: AbortSignal,
  ): { rec: ContainerRecord; batches: AsyncIterable<LogMessage[]> } {
    const rec = this.find(ref);
    if (!o.stdout && !o.stderr) throw invalid('Bad parameters: you must choose at least one stream');
    let done: Promise<void> | undefined;
    if (o.follow) {
      const run = this.core.runs.get(rec.id);
      done = run && isRunningish(rec.state.status) ? run.handled.then(() => undefined) : Promise.resolve();
    }
    return { rec, batches: this.d.logs.readBatches(rec, o, signal, done) };
  }

  // ---------------------------------------------------------------- top, resize, counts
  async top(ref: string, psArgs = '-ef'): Promise<TopTable> {
    const rec = this.find(ref);
    const run = this.core.runs.get(rec.id);
    if (!run || !isRunningish(rec.state.status)) throw conflict(msg.notRunning(rec.id));
    const pids = new Set(await run.task.pids());
    const args = psArgs.trim() ? psArgs.trim().split(/\s+/) : ['-ef'];
    const out = await new Promise<string>((resolve, reject) =>
      execFile('ps', args, { maxBuffer: 32 << 20 }, (err, stdout, stderr) =>
        err ? reject(new EngineError('internal', `Error running ps: ${stderr || err.message}`)) : resolve(stdout),
      ),
    );
    const table = psTable(out, pids);
    this.emit(rec, 'top');
    return table;
  }

  async resize(ref: string, h: number, w: number): Promise<void> {
    const rec = this.find(ref);
    const run = this.core.runs.get(rec.id);
    if (!run) throw conflict(msg.notRunning(rec.id));
    await run.task.resize(h, w);
    this.emit(rec, 'resize', { height: String(h), width: String(w) });
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

/** ps output → Docker's top table, only the container's processes. */
export function psTable(out: string, pids: Set<number>): TopTable {
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
  return { titles, processes };
}
