// Wakes a log follower on fs.watch events on the log's directory, a poll timer, or an explicit fire().
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Wakes a follower on fs.watch events on the log's directory, a poll timer, `done` or abort. */
export class Waker {
  private wake: (() => void) | null = null;
  private watcher: FSWatcher | null = null;
  constructor(path: string, private readonly pollMs: number) {
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
  fire(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
  wait(): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => this.fire(), this.pollMs);
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

