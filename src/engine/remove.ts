// `docker rm` and `container prune`. The checks and the force-kill run in the container's queue;
// the wait for the exit does not (the exit is handled in the same queue); then the removal itself.
import fsp from 'node:fs/promises';
import { conflict, msg } from '../errdefs.js';
import { type Core, type Run, bundleDir } from './core.js';
import { ensureNotState, isRunningish } from './states.js';
import { signalLocked } from './stop.js';
import type { ContainerRecord, Pruned } from './types.js';

export interface RemoveOptions {
  force?: boolean;
  volumes?: boolean;
}

export async function removeContainer(core: Core, ref: string, o: RemoveOptions = {}): Promise<void> {
  const rec = core.d.store.find(ref);
  const run = await core.tx.locked(rec.id, async (): Promise<Run | null> => {
    ensureNotState(rec, ['removing'], (id) => conflict(`removal of container ${id} is already in progress`));
    if (!o.force) {
      ensureNotState(rec, ['paused'], (id) =>
        conflict(
          `You cannot remove a paused container ${id}. Unpause and then stop the container before attempting removal or force remove`,
        ),
      );
      ensureNotState(rec, ['running'], (id) => conflict(msg.removeRunning(id)));
      ensureNotState(rec, ['restarting'], (id) =>
        conflict(
          `You cannot remove a restarting container ${id}. Stop the container before attempting removal or force remove`,
        ),
      );
    }
    core.supervisor.cancel(rec.id, 'restart');
    const r = core.runs.get(rec.id);
    if (!r || !isRunningish(rec.state.status) || rec.state.status === 'restarting') return null;
    rec.manuallyStopped = true;
    await signalLocked(core, rec, r.task, 9);
    return r;
  });
  if (run) await run.handled;
  await core.tx.locked(rec.id, async () => {
    if (!core.d.store.get(rec.id)) return;
    const was = rec.state.status;
    // not persisted: the record is deleted next (a crash midway leaves a directory reconcile removes)
    await core.tx.to(rec, 'removing', { persist: 'no' });
    try {
      await removeLocked(core, rec, o);
    } catch (e) {
      // like moby's ResetRemovalInProgress: a failed removal can be retried
      if (rec.state.status === 'removing') await core.tx.to(rec, was, { persist: 'no' });
      throw e;
    }
  });
}

async function removeLocked(core: Core, rec: ContainerRecord, o: RemoveOptions): Promise<void> {
  const { d } = core;
  const run = core.runs.get(rec.id);
  if (run) {
    await run.task.kill(9).catch(() => {});
    await run.task.delete().catch(() => {});
    core.runs.delete(rec.id);
  }
  const t0 = performance.now();
  await core.rootfs.unmount(rec.id, true);
  const t1 = performance.now();
  // independent of each other, so side by side (the rootfs' failure is the removal's); the snapshot
  // goes before the reply (an image's removal right after must not find it as a child)
  await Promise.all([d.images.removeRootfs(rec.id), d.network?.teardown(rec).catch(() => {}), d.logs.forget?.(rec)]);
  const t2 = performance.now();
  await d.store.forget(rec);
  await deleteDirs([bundleDir(d.paths, rec.id), d.store.dir(rec.id)]);
  const ms = (a: number, b: number) => (b - a).toFixed(1);
  d.log(
    'debug',
    `remove ${rec.id.slice(0, 12)}: unmount ${ms(t0, t1)} data ${ms(t1, t2)} record ${ms(t2, performance.now())} ms`,
  );
  if (o.volumes)
    await d.volumes
      ?.removeAnonymous(rec)
      .catch((e) => d.log('warn', `remove volumes of ${rec.id}: ${(e as Error).message}`));
  core.supervisor.forget(rec.id);
  core.tx.emit(rec, 'destroy');
  core.waiters.notify(rec, 'removed');
  core.removed(rec);
}

/**
 * The directories of removed containers (bundle, record dir: ~10 files each). A removal alone
 * deletes them before it answers; removals that overlap (`docker rm` of many) leave theirs to one
 * queue that deletes them one container at a time after the replies, so they do not compete with
 * the removals still in flight. Their records are gone already: a crash before the deletion leaves
 * a directory without record and a bundle of no running container, which reconcile removes.
 */
let janitor: Promise<unknown> = Promise.resolve();
let deleting = 0;

async function deleteDirs(dirs: string[]): Promise<void> {
  const job = () => Promise.all(dirs.map((p) => fsp.rm(p, { recursive: true, force: true }).catch(() => {})));
  deleting++;
  if (deleting === 1) return void (await job().finally(() => deleting--));
  janitor = janitor.then(job).finally(() => deleting--);
}

/** Resolves once every deletion queued so far is done (daemon shutdown, tests). */
export function removalsSettled(): Promise<void> {
  return janitor.then(() => {});
}

/** `docker container prune`: the stopped containers that match, and the space their rootfs took. */
export async function pruneContainers(core: Core, match: (rec: ContainerRecord) => boolean): Promise<Pruned> {
  const deleted: string[] = [];
  let space = 0;
  for (const rec of core.d.store.all()) {
    if (isRunningish(rec.state.status) || rec.state.status === 'removing') continue;
    if (!match(rec)) continue;
    const size = await core.d.images.rootfsUsage(rec.id).catch(() => 0);
    try {
      await removeContainer(core, rec.id, { volumes: false });
      deleted.push(rec.id);
      space += size;
    } catch (e) {
      core.d.log('warn', `prune ${rec.id}: ${(e as Error).message}`);
    }
  }
  return { deleted, spaceReclaimed: space };
}
