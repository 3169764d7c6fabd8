// syncfs(2) of the filesystem holding a path (Node has no binding: coreutils `sync -f`), coalesced:
// one flush makes many files durable at once, where an fsync per extracted file would cost a
// journal commit each. sync() resolves after a flush that *started* after the call, so whatever
// the caller wrote before is on disk; callers arriving during a flush share the next one.
import { spawn } from 'node:child_process';
import { internal } from '../../errdefs.js';

export function syncFs(path: string): Promise<void> {
  return run(['-f', path]).catch((e: Error) => {
    // a sync(1) without -f (coreutils < 8.24): flush everything instead
    if (/invalid option|unrecognized option/.test(e.message)) return run([]);
    throw e;
  });
}

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('sync', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve() : reject(internal(`sync ${args.join(' ')}: ${err.trim() || `exit ${code}`}`)),
    );
  });
}

export class SyncFs {
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private started = 0; // flushes are numbered from 1 as they start
  private done = 0; // the highest number of a completed flush

  constructor(
    private readonly path: string,
    private readonly flush: (path: string) => Promise<void> = syncFs,
  ) {}

  /** Taken when some writes finished: sync(mark) then skips flushes that started before. */
  mark(): number {
    return this.started;
  }

  /** Resolves after a flush that started after this call (or after `mark()` returned `since`). */
  sync(since?: number): Promise<void> {
    if (since !== undefined && this.done > since) return Promise.resolve();
    if (!this.running) {
      const n = ++this.started;
      this.running = this.flush(this.path)
        .then(() => void (this.done = Math.max(this.done, n)))
        .finally(() => (this.running = null));
      return this.running;
    }
    this.next ??= this.running
      .catch(() => {})
      .then(() => {
        this.next = null;
        return this.sync();
      });
    return this.next;
  }
}
