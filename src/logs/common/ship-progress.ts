// Where a shipper has got to in conmon's k8s-file. A `docker logs` or `attach logs=1` that arrives
// just after the container wrote must see that output, as Docker's copier (which writes the
// driver's file itself) guarantees: the reader first waits until the shipper has forwarded
// everything the file held when the read began (bounded: a partial line may be held back).
import fsp from 'node:fs/promises';
import type { FollowPosition } from './k8s-follower.js';

export class ShipProgress {
  private pos: FollowPosition | null;
  private readonly waiters = new Set<() => void>();

  constructor(from: FollowPosition | null = null) {
    this.pos = from;
  }

  /** The shipper forwarded everything before `pos`. */
  advance(pos: FollowPosition): void {
    this.pos = pos;
    for (const w of [...this.waiters]) w();
  }

  /** Resolves once what `file` holds now is forwarded, or after maxMs (never rejects). */
  async caughtUp(file: string, maxMs: number): Promise<void> {
    const st = await fsp.stat(file).catch(() => null);
    if (!st || st.size === 0) return;
    const deadline = Date.now() + maxMs;
    while (!(this.pos && this.pos.ino === st.ino && this.pos.offset >= st.size)) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.waiters.add(done);
      });
    }
  }
}
