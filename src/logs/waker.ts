// Wakes a log follower on fs.watch events on the log's directory, a poll timer, or an explicit fire().
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * While inotify works, polling is only a safety net for missed events (queue overflow): 50 idle
 * followers polling every 250 ms cost a few % of a core for nothing.
 */
export const SAFETY_POLL_MS = 5000;

/** Wakes a follower on fs.watch events on the log's directory, a poll timer, `done` or abort. */
export class Waker {
  private wake: (() => void) | null = null;
  // A wake-up that came while nobody waited (output written between a read and the next wait):
  // the next wait() returns at once instead of sleeping until the safety poll.
  private pending = false;
  private watcher: FSWatcher | null = null;
  constructor(
    path: string,
    private readonly pollMs: number,
    private readonly safetyMs = SAFETY_POLL_MS,
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
    const w = this.wake;
    this.wake = null;
    if (w) w();
    else this.pending = true;
  }
  /** Resolves on the next event, or after the poll interval (at most `maxMs` when given). */
  wait(maxMs?: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    const poll = this.watcher ? Math.max(this.pollMs, this.safetyMs) : this.pollMs;
    const ms = maxMs === undefined ? poll : Math.max(0, Math.min(poll, maxMs));
    return new Promise((resolve) => {
      const t = setTimeout(() => this.fire(), ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
  close(): void {
    this.watcher?.close();
    this.watcher = null;
  }
}
