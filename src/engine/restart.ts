// Restart policies (no, always, unless-stopped, on-failure[:N]) with Docker's back-off: the exit
// handler decides, the supervisor's timer starts the container again inside its queue.
import type { Exit } from '../runtime/runtime.js';
import { parseRfc3339 } from '../util/time.js';
import type { Core } from './core.js';
import type { ContainerRecord } from './types.js';

/** Whether the policy restarts a container after this exit (never after a manual stop). */
export function shouldRestart(
  rec: Pick<ContainerRecord, 'hostConfig' | 'manuallyStopped' | 'restartCount'>,
  exit: Pick<Exit, 'code'>,
): boolean {
  const p = rec.hostConfig.RestartPolicy;
  if (rec.manuallyStopped) return false;
  if (p.Name === 'always' || p.Name === 'unless-stopped') return true;
  if (p.Name === 'on-failure' && exit.code !== 0) return !p.MaximumRetryCount || rec.restartCount < p.MaximumRetryCount;
  return false;
}

/**
 * Runs start after the back-off (100 ms doubling, reset after a 10 s run), in the container's queue,
 * if it is still restarting then (stop and rm cancel the timer; a manual stop wins a race with it).
 * A start that fails leaves the container exited.
 */
export function scheduleRestart(
  core: Core,
  rec: ContainerRecord,
  start: (rec: ContainerRecord) => Promise<void>,
): void {
  const delay = core.supervisor.restartDelay(rec.id, Date.now() - parseRfc3339(rec.state.startedAt));
  core.supervisor.schedule(rec.id, 'restart', delay, () => {
    void core.tx.locked(rec.id, async () => {
      const cur = core.d.store.get(rec.id);
      if (cur?.state.status !== 'restarting' || cur.manuallyStopped) return;
      try {
        await start(cur);
      } catch (e) {
        core.d.log('warn', `restart ${rec.id}: ${(e as Error).message}`);
        if (cur.state.status === 'restarting') await core.tx.to(cur, 'exited', { persist: 'best-effort' });
      }
    });
  });
}
