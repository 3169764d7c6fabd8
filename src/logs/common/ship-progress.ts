// Where a shipper has got to in conmon's k8s-file. A `docker logs` or `attach logs=1` that arrives
// just after the container wrote must see that output, as Docker's copier (which writes the
// driver's file itself) guarantees: the reader first waits until the shipper has forwarded
// everything the file held when the read began. The wait ends early only when the shipper stalls
// (a partial line may be held back): a shipper that is still moving through a large backlog (80 MB
// written just before, a loaded machine) is waited for, as a fixed bound would cut the read short.
import fsp from 'node:fs/promises';
import type { FollowPosition } from './k8s-follower.js';

/** A wait for the shipper ends at the latest after this long, however it moves. */
const MAX_WAIT_MS = 60_000;

export class ShipProgress {
  private pos: FollowPosition | null;
  private readonly waiters = new Set<() => void>();

  constructor(from: FollowPosition | null = null) {
    this.pos = from;
  }

  private ended = false;

  /** The shipper forwarded everything before `pos`. */
  advance(pos: FollowPosition): void {
    this.pos = pos;
    for (const w of [...this.waiters]) w();
  }

  /** The shipper stopped: it forwarded all there was (or was aborted); nobody need wait for it. */
  end(): void {
    this.ended = true;
    for (const w of [...this.waiters]) w();
  }

  /**
   * Resolves once what `file` holds now is forwarded, or once the shipper has not moved for
   * `stallMs` (never rejects). The shipper leaving the file's inode for another means the file
   * was rotated and read to its end. No file at the path means a rotation is under way (conmon
   * has not reopened it yet) or the container exited after one (nobody will): the path is looked
   * at again after each step of the shipper, until it stops.
   */
  async caughtUp(file: string, stallMs: number, maxMs = MAX_WAIT_MS): Promise<void> {
    const end = Date.now() + maxMs;
    let st = await fsp.stat(file).catch(() => null);
    // an empty file the shipper is in (or has not begun): nothing to wait for
    if (st?.size === 0 && (this.pos === null || this.pos.ino === st.ino)) return;
    let inFile = st !== null && this.pos?.ino === st.ino;
    const done = () => {
      const p = this.pos;
      if (this.ended) return true;
      if (!st || !p) return false;
      if (p.ino === st.ino) inFile = true;
      return p.ino === st.ino ? p.offset >= st.size : inFile;
    };
    while (!done()) {
      const left = Math.min(stallMs, end - Date.now());
      if (left <= 0) return;
      const moved = await new Promise<boolean>((resolve) => {
        const wake = (m: boolean) => {
          clearTimeout(timer);
          this.waiters.delete(onAdvance);
          resolve(m);
        };
        const onAdvance = () => wake(true);
        const timer = setTimeout(() => wake(false), left);
        this.waiters.add(onAdvance);
      });
      if (!moved) return;
      if (!st) {
        st = await fsp.stat(file).catch(() => null);
        inFile = st !== null && this.pos?.ino === st.ino;
      }
    }
  }
}
