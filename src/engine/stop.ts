// stop and kill. The queue holds only the check, the flag and the signal, never the wait for
// the exit (handled in the same queue): so a kill reaches a container whose stop is waiting out
// its timeout, as in Docker, and `wait`/`attach` hold no queue at all.
import { conflict, msg, notModified } from '../errdefs.js';
import type { Task } from '../runtime/runtime.js';
import type { Core, Run } from './core.js';
import { parseSignal } from './signals.js';
import { ensureState } from './states.js';
import type { ContainerRecord } from './types.js';

const RUNNINGISH = ['running', 'paused', 'restarting'] as const;

/** `docker stop`: the stop signal, SIGKILL after the timeout (-1: wait for ever); 304 when not running. */
export async function stopContainer(
  core: Core,
  ref: string,
  o: { timeout?: number; signal?: string } = {},
): Promise<void> {
  const rec = core.d.store.find(ref);
  const run = await core.tx.locked(rec.id, async (): Promise<Run | null> => {
    if (rec.state.status === 'restarting') {
      // waiting for its restart: cancel it, the container stays exited
      core.supervisor.cancel(rec.id, 'restart');
      rec.manuallyStopped = true;
      await core.tx.to(rec, 'exited');
      return null;
    }
    const r = core.runs.get(rec.id);
    if (!r) throw notModified();
    ensureState(rec, RUNNINGISH, () => notModified());
    rec.manuallyStopped = true;
    await core.tx.save(rec);
    const sig = parseSignal(o.signal || rec.config.StopSignal || 'SIGTERM');
    // moby's killWithSignal logs kill for each signal a stop sends, then stop once it exited
    core.tx.emit(rec, 'kill', { signal: String(sig) });
    await signalLocked(core, rec, r.task, sig);
    return r;
  });
  if (!run) return;
  const t = o.timeout ?? rec.config.StopTimeout ?? 10;
  if (t >= 0) {
    const timedOut = await timesOut(run, t * 1000);
    if (timedOut)
      await core.tx.locked(rec.id, async () => {
        if (core.runs.get(rec.id) !== run) return;
        core.tx.emit(rec, 'kill', { signal: '9' });
        await signalLocked(core, rec, run.task, 9);
      });
  }
  await run.handled;
  core.tx.emit(rec, 'stop');
}

/** `docker kill`: 409 unless it runs; SIGKILL waits for the exit to be handled. */
export async function killContainer(core: Core, ref: string, signal?: string): Promise<void> {
  const rec = core.d.store.find(ref);
  const sig = parseSignal(signal || 'SIGKILL');
  const run = await core.tx.locked(rec.id, async () => {
    const r = core.runs.get(rec.id);
    if (!r) throw conflict(msg.notRunning(rec.id));
    ensureState(rec, RUNNINGISH, (id) => conflict(msg.notRunning(id)));
    if (sig === 9 || sig === 15) {
      rec.manuallyStopped = true;
      await core.tx.save(rec);
    }
    core.tx.emit(rec, 'kill', { signal: String(sig) });
    await signalLocked(core, rec, r.task, sig);
    return r;
  });
  if (sig === 9) await run.handled;
}

/** Signals the task; in the container's queue. A frozen container only sees it once thawed (Docker unpauses after a kill too). */
export async function signalLocked(core: Core, rec: ContainerRecord, task: Task, sig: number): Promise<void> {
  await task.kill(sig);
  if (rec.state.status === 'paused') {
    await task.resume().catch(() => {});
    await core.tx.to(rec, 'running', { persist: 'best-effort', events: [['unpause']] });
  }
}

/** true when ms pass before the exit is handled; the timer is cleared either way (no hour-long timer is left behind). */
function timesOut(run: Run, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), ms)));
  return Promise.race([run.handled.then(() => false), timeout]).finally(() => clearTimeout(timer));
}
