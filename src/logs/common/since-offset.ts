// Finds where `docker logs --since T` has to start reading, by binary search on the timestamps of
// a line-oriented log (json-file or k8s-file), so the cost is a few small reads, not the file.
// Log times never go backwards (one writer stamps them in order), which is what makes it valid.
import type { FileHandle } from 'node:fs/promises';

const WINDOW = 64 * 1024;

/** Reads a line's time from buf[s, e) (without its "\n"); -1n when it cannot tell. */
export type LineTime = (buf: Buffer, s: number, e: number) => bigint;

/**
 * Returns a line-start offset before which every line is older than `since` (lines from there on
 * may still be older: the caller's filter drops them). 0 when nothing can be skipped.
 */
export async function sinceOffset(fh: FileHandle, size: number, since: bigint, timeOf: LineTime): Promise<number> {
  let lo = 0; // a line start; everything before it is older than `since`
  let hi = size; // the first full line starting after hi is at or after `since` (or the end)
  const buf = Buffer.allocUnsafe(WINDOW);
  while (hi - lo > WINDOW) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const { bytesRead } = await fh.read(buf, 0, WINDOW, mid);
    const nl = buf.indexOf(10);
    if (nl < 0 || nl >= bytesRead) {
      hi = mid; // a line longer than the window: narrow from above, never skip past it
      continue;
    }
    const s = nl + 1;
    const e = buf.indexOf(10, s);
    if (e < 0 || e >= bytesRead) {
      hi = mid;
      continue;
    }
    const t = timeOf(buf, s, e);
    if (t < 0n) return lo; // not a line we understand: read from the last known-good place
    if (t < since) lo = mid + s;
    else hi = mid;
  }
  return lo;
}
