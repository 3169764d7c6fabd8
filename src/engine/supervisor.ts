// The daemon's one supervisor of container timers: restart back-off (restart policies) and health
// probes (health.ts) both schedule here, one timer per container and kind, so stop/rm cancel
// everything a container has pending in one place, and a daemon shutdown cancels all of them
// (nothing restarts or probes while berthd is going down). After a daemon restart the timers
// are scheduled again from the persisted state: restore() re-applies the restart policies and
// the health monitor re-attaches to the running containers.

export type TimerKind = 'restart' | 'health';

/** Docker's restart back-off: 100 ms, doubling up to 1 min, back to 100 ms once a run lasted 10 s. */
export const BACKOFF_START_MS = 100;
export const BACKOFF_MAX_MS = 60_000;
export const BACKOFF_RESET_AFTER_MS = 10_000;

export function nextBackoff(prevMs: number, ranMs: number): number {
  if (ranMs > BACKOFF_RESET_AFTER_MS || !prevMs) return BACKOFF_START_MS;
  return Math.min(prevMs * 2, BACKOFF_MAX_MS);
}

export class Supervisor {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly backoff = new Map<string, number>();
  private closed = false;

  /** Runs fn after ms, replacing the container's pending timer of the same kind. */
  schedule(id: string, kind: TimerKind, ms: number, fn: () => void): void {
    this.cancel(id, kind);
    if (this.closed) return;
    const key = `${id}/${kind}`;
    const t = setTimeout(() => {
      if (this.timers.get(key) === t) this.timers.delete(key);
      fn();
    }, ms);
    this.timers.set(key, t);
  }

  /** Cancels the container's pending timer of that kind, or all of its timers. */
  cancel(id: string, kind?: TimerKind): void {
    for (const k of kind ? [kind] : (['restart', 'health'] as const)) {
      const key = `${id}/${k}`;
      const t = this.timers.get(key);
      if (t) clearTimeout(t);
      this.timers.delete(key);
    }
  }

  pending(id: string, kind: TimerKind): boolean {
    return this.timers.has(`${id}/${kind}`);
  }

  /** The delay before the next restart of a container whose last run lasted ranMs. */
  restartDelay(id: string, ranMs: number): number {
    const d = nextBackoff(this.backoff.get(id) ?? 0, ranMs);
    this.backoff.set(id, d);
    return d;
  }

  /** The container is gone: cancel its timers and forget its back-off. */
  forget(id: string): void {
    this.cancel(id);
    this.backoff.delete(id);
  }

  /** Daemon shutdown: cancel everything and schedule nothing more. */
  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  get size(): number {
    return this.timers.size;
  }
}
