// After a daemon restart: reattach to the containers conmon kept running, mark the ones that died
// meanwhile exited (and apply their restart policy or auto-remove), finish interrupted removals.
import { pidAlive } from '../util/pid-alive.js';
import { nowRfc3339 } from '../util/time.js';
import { type Core, bundleDir } from './core.js';
import { restartLater, restartsAfter, watch } from './lifecycle.js';
import { removeContainer } from './remove.js';
import { isRunningish } from './states.js';
import type { ContainerRecord } from './types.js';

export async function restoreContainers(core: Core): Promise<void> {
  const recs = await core.d.store.load();
  for (const rec of recs) {
    if (rec.state.status === 'removing') {
      // a removal cut short: dead (like moby), so the removal can run again and finish
      await core.tx.locked(rec.id, () => core.tx.to(rec, 'dead', { persist: 'no' }));
      await removeContainer(core, rec.id, { force: true }).catch(() => {});
      continue;
    }
    if (!isRunningish(rec.state.status)) continue;
    const autoRemove = await core.tx.locked(rec.id, () => restoreOne(core, rec));
    if (autoRemove) await removeContainer(core, rec.id, { force: true, volumes: true }).catch(() => {});
  }
  // restart policies for containers that were running when the daemon stopped are applied by the runs above
}

/** In the container's queue; true when the container died meanwhile and is to be auto-removed. */
async function restoreOne(core: Core, rec: ContainerRecord): Promise<boolean> {
  const task = await core.d.runtime.load(rec.id, bundleDir(core.d.paths, rec.id));
  if (task && (task.exited() || (task.pid > 0 && pidAlive(task.pid)))) {
    core.rootfs.adopt(rec.id);
    if (rec.state.status === 'restarting') await core.tx.to(rec, 'running', { persist: 'no' });
    watch(core, rec, task);
    return false;
  }
  // the monitor is gone and left no exit: the container died with the host or was killed.
  // Release what its run held, as an exit does: a restart policy starts it again right away, and
  // network/ keeps the endpoints of restarting containers (a restart would find its own endpoint)
  const { d } = core;
  d.log('debug', `restore ${rec.id.slice(0, 12)}: its monitor is gone, marked exited`);
  await core.rootfs.unmount(rec.id, true);
  if (task) await task.delete().catch(() => {});
  await d.volumes?.release(rec).catch(() => {});
  await d.network?.teardown(rec).catch((e) => d.log('warn', `network teardown ${rec.id}: ${(e as Error).message}`));
  const restart = restartsAfter(rec, { code: 255, finishedAt: new Date(), oomKilled: false });
  const state = { pid: 0, exitCode: rec.state.exitCode || 255, finishedAt: nowRfc3339() };
  await core.tx.to(rec, restart ? 'restarting' : 'exited', { state });
  if (restart) restartLater(core, rec);
  return rec.hostConfig.AutoRemove;
}
