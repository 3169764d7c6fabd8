// Finds where the last N lines of a k8s-file begin, reading backwards in blocks so that
// `docker logs --tail 10` of a 1 GB log reads a few KiB, not the file.
import type { FileHandle } from 'node:fs/promises';

const BLOCK = 64 * 1024;
// A record's head ("<timestamp> stdout F ") fits easily in this many bytes.
const HEAD = 64;
// How far back to look for the start of the other stream's unfinished line.
const LOOKBACK = 1000;

const FULL = 1;
const STDERR = 2;

/** FULL|STDERR bits of the record starting at `start`, or -1 when it is not a record. */
function kind(b: Buffer, start: number): number {
  const s1 = b.indexOf(32, start);
  if (s1 < 0 || s1 - start > HEAD - 10 || b[s1 + 7] !== 32 || b[s1 + 9] !== 32) return -1;
  const tag = b[s1 + 8];
  if (tag !== 70 && tag !== 80) return -1;
  return (tag === 70 ? FULL : 0) | (b[s1 + 4] === 101 ? STDERR : 0);
}

/**
 * Returns a file offset from which parsing yields at least the last n lines (and possibly a few
 * earlier ones, which the caller drops): just after the (n+1)-th `F` record from `size`, moved
 * back when the other stream has an unfinished line (`P` pieces) spanning that point.
 */
export async function tailOffset(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  let count = 0;
  let end = size; // the window covers file[end - block, end) + the head of the later window
  let later = Buffer.alloc(0);
  let prevNl = -1; // absolute position of the newline found before (later in the file)
  let boundary = -1; // found the (n+1)-th F: now looking back for the other stream
  let other = 0;
  let sawOtherPiece = false;
  let looked = 0;
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
      const k = prevNl >= 0 ? kind(win, nl + 1) : -1;
      if (boundary < 0) {
        if (k >= 0 && k & FULL && ++count === n + 1) {
          boundary = prevNl + 1;
          other = (k & STDERR) ^ STDERR;
        }
      } else if (k >= 0 && (k & STDERR) === other) {
        // The other stream's last full line before the boundary: its later pieces follow it.
        if (k & FULL) return sawOtherPiece ? prevNl + 1 : boundary;
        sawOtherPiece = true;
      }
      if (boundary >= 0 && ++looked > LOOKBACK) return sawOtherPiece ? start + nl + 1 : boundary;
      prevNl = start + nl;
      i = nl - 1;
    }
    later = Buffer.from(win.subarray(0, Math.min(HEAD, len)));
    end = start;
  }
  return 0;
}
