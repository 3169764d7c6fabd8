// Start and exit: the task is created and started inside the container's queue, and its exit is
// handled there too (unmount, release, persist, events, waiters, auto-remove or restart policy).
import fs from 'node:fs';
import { EngineError, conflict, msg, notModified } from '../errdefs.js';
import type { Exit, Task } from '../runtime/runtime.js';
import { nowRfc3339, rfc3339Nano } from '../util/time.js';
import { type Core, bundleDir } from './core.js';
import { writeEtcFiles } from './create.js';
import { ipcSetup } from './create-ipc.js';
import { removeContainer } from './remove.js';
import { scheduleRestart, shouldRestart } from './restart.js';
import { ensureNotState, ensureState } from './states.js';
import type { NetworkActor } from './ports.js';
import type { ContainerRecord } from './types.js';

/** `docker start`: 304 when it runs, 409 when paused or being removed. */
export function startContainer(core: Core, ref: string): Promise<void> {
  const rec = core.d.store.find(ref);
  return core.tx.locked(rec.id, async () => {
    const cur = core.d.store.get(rec.id);
    if (!cur) throw new EngineError('not-found', msg.noSuchContainer(ref));
    ensureNotState(cur, ['paused'], () => conflict('cannot start a paused container, try unpause instead'));
    ensureNotState(cur, ['running'], () => notModified());
    ensureNotState(cur, ['removing', 'dead'], () => conflict(`container is marked for removal and cannot be started`));
    core.supervisor.cancel(cur.id, 'restart');
    cur.manuallyStopped = false;
    await startLocked(core, cur);
  });
}

/** Creates and starts the task; in the container's queue. On failure the status stays, like moby. */
export async function startLocked(core: Core, rec: ContainerRecord): Promise<void> {
  const nm = rec.hostConfig.NetworkMode;
  if (nm.startsWith('container:')) {
    const other = core.d.store.tryFind(nm.slice('container:'.length));
    if (!other) throw new EngineError('not-found', msg.noSuchContainer(nm.slice('container:'.length)));
    ensureState(other, ['running'], (id) => conflict(`cannot join network of a non running container: ${id}`));
  }
  const t0 = performance.now();
  const rootfs = await core.rootfs.mount(rec.id);
  const tMount = performance.now();
  const task = await createAndStart(core, rec, rootfs);
  const tStart = performance.now();
  const tRun = startTimes.get(task) ?? tStart;
  const state = {
    pid: task.pid,
    exitCode: 0,
    error: '',
    startedAt: nowRfc3339(),
    finishedAt: rec.state.finishedAt,
    oomKilled: false,
  };
  rec.hasBeenStarted = true;
  // the task runs: a record that cannot be saved now (a full disk) must not fail the start and
  // orphan it (moby logs "failed to store container" and goes on); memory holds the state
  await core.tx.to(rec, 'running', { fresh: state, events: [['start']], persist: 'best-effort' });
  core.d.log(
    'debug',
    `start ${rec.id.slice(0, 12)}: mount ${(tMount - t0).toFixed(1)} task ${(tStart - tMount).toFixed(1)} run ${(tStart - tRun).toFixed(1)} persist ${(performance.now() - tStart).toFixed(1)} ms`,
  );
  watch(core, rec, task);
}

/** When each task's start began (for the debug line's split of the task phase). */
const startTimes = new WeakMap<Task, number>();

async function createAndStart(core: Core, rec: ContainerRecord, rootfs: string): Promise<Task> {
  let task: Task | null = null;
  try {
    task = await createTask(core, rec, rootfs);
    startTimes.set(task, performance.now());
    await task.start();
    return task;
  } catch (e) {
    return startFailed(core, rec, task, e);
  }
}

/** Network, volumes, spec and the runtime's task; clients that attached before start are connected to it. */
async function createTask(core: Core, rec: ContainerRecord, rootfs: string): Promise<Task> {
  const { d } = core;
  const t0 = performance.now();
  if (!fs.existsSync(rec.hostnamePath)) await writeEtcFiles(rec);
  // network/ writes the container's hosts and resolv.conf in setup
  await d.network?.setup(rec);
  const tNet = performance.now();
  logNetworks(core, rec, 'connect', joinedNetworks(core, rec));
  const mounts = d.volumes ? await d.volumes.setup(rec, rootfs) : [];
  logVolumes(core, rec, 'mount');
  const spec = await d.spec.build(rec, {
    rootfs,
    cgroupsPath: `${d.paths.cgroupParent}/${rec.id}`,
    etcFiles: { hostname: rec.hostnamePath, hosts: rec.hostsPath, resolvConf: rec.resolvConfPath },
    mounts,
    ipc: await ipcSetup(core, rec),
  });
  const tSpec = performance.now();
  const task = await d.runtime.create(rec.id, {
    dir: bundleDir(d.paths, rec.id),
    spec,
    logPath: rec.logPath,
    logSizeMax: d.logs.sizeMax?.(rec),
    tty: rec.config.Tty,
    stdin: rec.config.OpenStdin,
    stdinOnce: rec.config.StdinOnce && !rec.config.Tty,
    runtime: rec.hostConfig.Runtime,
  });
  const ms = (a: number, b: number) => (b - a).toFixed(1);
  d.log(
    'debug',
    `create ${rec.id.slice(0, 12)}: network ${ms(t0, tNet)} spec ${ms(tNet, tSpec)} runtime ${ms(tSpec, performance.now())} ms`,
  );
  const pending = core.pendingAttach.get(rec.id) ?? [];
  core.pendingAttach.delete(rec.id);
  await Promise.all(pending.map((p) => p(task).catch(() => {})));
  return task;
}

/** Undo a failed start; like moby the status stays (created stays created), the error and an exit code are recorded. */
async function startFailed(core: Core, rec: ContainerRecord, task: Task | null, e: unknown): Promise<never> {
  if (task) {
    await task.kill(9).catch(() => {});
    await task.delete().catch(() => {});
  }
  await core.rootfs.unmount(rec.id, true);
  await releaseAndLog(core, rec);
  const m = e instanceof Error ? e.message : String(e);
  // moby's setExitCodeFromError matches lower-cased text: crun says "No such file or directory"
  const exitCode = /executable file not found|no such file or directory/i.test(m)
    ? 127
    : /permission denied/i.test(m)
      ? 126
      : 128;
  await core.tx.to(rec, rec.state.status, { state: { error: m, exitCode } });
  if (rec.hostConfig.AutoRemove) void removeContainer(core, rec.id, { force: true, volumes: true }).catch(() => {});
  if (/executable file not found|no such file or directory|permission denied|is a directory/i.test(m))
    throw new EngineError('invalid', m, { cause: e });
  throw e;
}

/** Volumes and network released (moby's Cleanup), side by side, then their unmount and disconnect events. */
async function releaseAndLog(core: Core, rec: ContainerRecord): Promise<void> {
  const { d } = core;
  const nets = joinedNetworks(core, rec);
  await Promise.all([
    d.volumes?.release(rec).catch(() => {}),
    d.network?.teardown(rec).catch((e) => d.log('warn', `network teardown ${rec.id}: ${(e as Error).message}`)),
  ]);
  logVolumes(core, rec, 'unmount');
  logNetworks(core, rec, 'disconnect', nets);
}

/** The networks the container has an endpoint on (host and none have none, as in moby's events). */
function joinedNetworks(core: Core, rec: ContainerRecord): NetworkActor[] {
  const entries = core.d.network?.containerNetworks?.(rec).entries ?? [];
  return entries.flatMap((e) => (e.network && e.endpoint ? [e.network] : []));
}

/** moby's LogNetworkEventWithAttributes for a container joining or leaving its networks. */
function logNetworks(core: Core, rec: ContainerRecord, action: string, nets: NetworkActor[]): void {
  for (const n of nets)
    core.d.events.emit('network', action, n.id, { container: rec.id, name: n.name, type: n.driver });
}

/** moby's volume mount (at start) and unmount (at cleanup) events, for named volumes only. */
function logVolumes(core: Core, rec: ContainerRecord, action: 'mount' | 'unmount'): void {
  for (const m of rec.mounts) {
    if (m.Type !== 'volume' || !m.Name) continue;
    const base = { driver: m.Driver || 'local', container: rec.id };
    const more = { destination: m.Destination, 'read/write': String(m.RW), propagation: m.Propagation };
    core.d.events.emit('volume', action, m.Name, action === 'mount' ? { ...base, ...more } : base);
  }
}

/** Follow a task until it exits; the exit is handled in the container's queue. */
export function watch(core: Core, rec: ContainerRecord, task: Task): void {
  let resolveHandled!: (e: Exit) => void;
  const handled = new Promise<Exit>((r) => (resolveHandled = r));
  core.runs.set(rec.id, { task, handled });
  core.d.logs.follow?.(rec);
  void task.wait().then((exit) =>
    core.tx
      .locked(rec.id, () => handleExit(core, rec.id, task, exit))
      .catch((e) => core.d.log('error', `handling exit of ${rec.id}: ${(e as Error).message}`))
      .finally(() => resolveHandled(exit)),
  );
}

async function handleExit(core: Core, id: string, task: Task, exit: Exit): Promise<void> {
  const { d } = core;
  const rec = d.store.get(id);
  if (core.runs.get(id)?.task === task) core.runs.delete(id);
  const t0 = performance.now();
  const deleted = task.delete().catch((e) => d.log('warn', `runtime delete ${id}: ${(e as Error).message}`));
  if (!rec) return void (await deleted);
  // independent steps, so side by side: the runtime's delete, the log streams (moby waits for them
  // before it marks the container stopped: a client that sees it exited and then reads its logs
  // gets all of them, docker-py's run()), the rootfs, then volumes and network
  const ms = (t: number) => (performance.now() - t).toFixed(1);
  const step = <T>(p: Promise<T> | undefined, name: string) => Promise.resolve(p).then(() => `${name} ${ms(t0)}`);
  const done = await Promise.all([
    step(deleted, 'delete'),
    step(d.logs.flush?.(rec), 'flush'),
    step(core.rootfs.unmount(rec.id, true), 'unmount'),
    step(releaseAndLog(core, rec), 'release'),
  ]);
  d.log('debug', `exit ${id.slice(0, 12)}: ${done.join(' ')} ms (ends since the exit)`);
  const finishedAt = rfc3339Nano(BigInt(exit.finishedAt.getTime()) * 1_000_000n);
  const events: Array<[string, Record<string, string>?]> = exit.oomKilled ? [['oom']] : [];
  // moby's die attributes: the exit code and whole seconds since the start
  const ran = Math.max(0, Math.trunc((exit.finishedAt.getTime() - Date.parse(rec.state.startedAt)) / 1000));
  events.push(['die', { exitCode: String(exit.code), execDuration: String(Number.isFinite(ran) ? ran : 0) }]);
  // like moby's SetRestarting: a container its policy restarts goes straight to restarting (a
  // client never sees it exited in between); a full disk must not stop exit handling (events,
  // waiters, auto-remove): memory holds the state
  const restart = restartsAfter(rec, exit);
  await core.tx.to(rec, restart ? 'restarting' : 'exited', {
    state: { pid: 0, exitCode: exit.code, oomKilled: exit.oomKilled, finishedAt },
    // an auto-removed container's record is deleted next: no write (and fsync) on the way of
    // `run --rm`; after a crash in between, restore finds it running with its exit and removes it
    persist: rec.hostConfig.AutoRemove ? 'no' : 'best-effort',
    events,
  });
  core.waiters.notify(rec, 'exit');
  if (rec.hostConfig.AutoRemove) {
    void removeContainer(core, rec.id, { force: true, volumes: true }).catch((e) =>
      d.log('warn', `auto-remove ${id}: ${(e as Error).message}`),
    );
    return;
  }
  if (restart) restartLater(core, rec);
}

/** Whether the container restarts after this exit (auto-removed ones never do). */
export function restartsAfter(rec: ContainerRecord, exit: Exit): boolean {
  return !rec.hostConfig.AutoRemove && shouldRestart(rec, exit);
}

/** A restarting container is started again after Docker's back-off, in its queue. */
export function restartLater(core: Core, rec: ContainerRecord): void {
  scheduleRestart(core, rec, async (cur) => {
    cur.restartCount++;
    await startLocked(core, cur);
    core.tx.emit(cur, 'restart');
  });
}
