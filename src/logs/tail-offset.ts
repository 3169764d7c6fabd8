// Finds where the last N lines of a k8s-file begin, reading backwards in blocks so that
// `docker logs --tail 10` of a 1 GB log reads a few KiB, not the file.
import type { FileHandle } from 'node:fs/promises';

const BLOCK = 64 * 1024;
// A record's head ("<timestamp> stdout F ") fits easily in this many bytes.
const HEAD = 64;

/** True when the record starting at `start` in `b` is an `F` (line-ending) record. */
function isFull(b: Buffer, start: number): boolean {
  const s1 = b.indexOf(32, start);
  return s1 >= 0 && s1 - start < HEAD - 10 && b[s1 + 7] === 32 && b[s1 + 8] === 70 && b[s1 + 9] === 32;
}

/**
 * Returns the file offset just after the (n+1)-th `F` record counted from `size`, so that
 * parsing from there yields the last n lines (plus any unterminated trailing ones); 0 when the
 * file has fewer lines. Pieces (`P`) of a line that interleave with the other stream's records
 * before the offset are not followed back, a rare case conmon produces only for very long lines.
 */
export async function tailOffset(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  let count = 0;
  let end = size; // the window covers file[end - block, end) + the head of the later window
  let later = Buffer.alloc(0);
  let prevNl = -1; // absolute position of the newline found before (later in the file)
  while (end > 0) {
    const start = Math.max(0, end - BLOCK);
    const len = end - start;
    const win = Buffer.allocUnsafe(len + later.length);
    const { bytesRead } = await fh.read(win, 0, len, start);
    if (bytesRead < len) return 0; // the file shrank under us: read it all
    later.copy(win, len);
    let i = len - 1;
    for (;;) {
      const nl = i < 0 ? -1 : win.lastIndexOf(10, i);
      if (nl < 0) break;
      // The record after this newline ends at prevNl (the last newline seen).
      if (prevNl >= 0 && isFull(win, nl + 1)) {
        if (++count === n + 1) return prevNl + 1;
      }
      prevNl = start + nl;
      i = nl - 1;
    }
    later = Buffer.from(win.subarray(0, Math.min(HEAD, len)));
    end = start;
  }
  return 0;
}
