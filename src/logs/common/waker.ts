// Wakes a log follower on fs.watch events on the log's directory, a poll timer, or an explicit fire().
import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * While inotify works, polling is only a safety net for missed events (queue overflow). It is one
 * timer for all followers that stats each waiting one's file and wakes only those whose file
 * changed: 50 idle followers each reading and stat-ing every few seconds cost ~0.3 % of a core.
 */
export const SAFETY_POLL_MS = 5000;

const waiting = new Set<Waker>();
let safetyTimer: NodeJS.Timeout | null = null;

/** One safety pass over the waiting wakers (exported for tests; the timer calls it). */
export function safetyCheck(): void {
  for (const w of waiting) w.recheck();
  if (waiting.size === 0 && safetyTimer) {
    clearInterval(safetyTimer);
    safetyTimer = null;
  }
}

function armSafety(): void {
  if (safetyTimer) return;
  safetyTimer = setInterval(safetyCheck, SAFETY_POLL_MS);
  safetyTimer.unref();
}

/** Wakes a follower on fs.watch events on the log's directory, a poll timer, `done` or abort. */
export class Waker {
  private wake: (() => void) | null = null;
  // A wake-up that came while nobody waited (output written between a read and the next wait):
  // the next wait() returns at once instead of sleeping until the safety poll.
  private pending = false;
  // Woken since the last safety pass: the next pass wakes once more and notes the file's state;
  // later passes wake only when that state changed (a write whose event was lost).
  private dirty = true;
  private sig = '';
  private watcher: FSWatcher | null = null;
  constructor(
    private readonly path: string,
    private readonly pollMs: number,
  ) {
    const name = basename(path);
    try {
      // The directory, not the file: the file may not exist yet, and conmon replaces it
      // (rename) when --log-size-max is hit.
      this.watcher = watch(dirname(path), { persistent: false }, (_ev, f) => {
        if (f === null || f === name || f.startsWith(name)) this.fire();
      });
      this.watcher.on('error', () => this.close());
    } catch {
      this.watcher = null; // polling alone still works
    }
  }
  /** True while fs events drive the wake-ups (polling is then only the slow safety net). */
  get watching(): boolean {
    return this.watcher !== null;
  }
  fire(): void {
    this.dirty = true;
    const w = this.wake;
    this.wake = null;
    if (w) w();
    else this.pending = true;
  }
  /** The safety pass: wakes this waiter if it was woken since the last pass or its file changed. */
  recheck(): void {
    let sig = '';
    try {
      const st = statSync(this.path);
      sig = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      /* absent: '' */
    }
    if (!this.dirty && sig === this.sig) return;
    this.sig = sig;
    this.fire();
    this.dirty = false;
  }
  /** Resolves on the next event, or after the poll interval (at most `maxMs` when given). */
  wait(maxMs?: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      // Watching: no timer of its own unless bounded; the shared safety pass covers lost events.
      const ms = this.watcher ? maxMs : Math.min(this.pollMs, maxMs ?? Infinity);
      const t = ms === undefined ? null : setTimeout(() => this.fire(), Math.max(0, ms));
      if (this.watcher) {
        waiting.add(this);
        armSafety();
      }
      this.wake = () => {
        if (t) clearTimeout(t);
        waiting.delete(this);
        resolve();
      };
    });
  }
  close(): void {
    this.watcher?.close();
    this.watcher = null;
    // a waiter left behind by a failed watch falls back to its poll timer on the next wait
    if (this.wake && waiting.has(this)) this.fire();
  }
}
