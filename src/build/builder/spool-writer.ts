// The build context's bytes, written to its spool file as they arrive: positional vectored writes
// of ~1 MiB (the CLI's chunks come in ~10 KiB) overlap with parsing and hashing, and a few writes
// in flight bound what is held in memory, whatever the context's size.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

const BATCH_BYTES = 1 << 20;
const BATCH_BUFFERS = 512; // under IOV_MAX (1024)
const IN_FLIGHT = 8;

export class SpoolWriter {
  private readonly fh: Promise<FileHandle>;
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private batchPos = 0;
  private pending: Promise<unknown>[] = [];

  /** Opens (creates) `path` at once; nothing is awaited, so a body's listeners can go on first. */
  constructor(readonly path: string) {
    this.fh = (async () => {
      await mkdir(dirname(path), { recursive: true });
      return open(path, 'w', 0o600);
    })();
    this.fh.catch(() => {}); // reported by the first write or close
  }

  /** `chunk` belongs at `at`; a promise means: wait for it before the next chunk. */
  write(chunk: Buffer, at: number): Promise<void> | void {
    if (!this.batchBytes) this.batchPos = at;
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes >= BATCH_BYTES || this.batch.length >= BATCH_BUFFERS) this.flush();
    // a window of writes in flight: wait for the oldest
    if (this.pending.length >= IN_FLIGHT) return this.pending.shift()!.then(() => {});
  }

  private flush(): void {
    if (!this.batchBytes) return;
    const [bufs, pos] = [this.batch, this.batchPos];
    const p = this.fh.then((fh) => fh.writev(bufs, pos));
    p.catch(() => {}); // awaited later (write or close); no unhandled rejection meanwhile
    this.pending.push(p);
    this.batch = [];
    this.batchBytes = 0;
  }

  /** Writes what is left and closes the file; `ok` false: only waits for the writes and closes. */
  async close(ok = true): Promise<void> {
    if (ok) this.flush();
    try {
      if (ok) await Promise.all(this.pending.splice(0));
      else await Promise.allSettled(this.pending.splice(0));
    } finally {
      await (await this.fh.catch(() => null))?.close();
    }
  }
}
