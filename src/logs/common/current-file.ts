// Reading a rotating driver's current (newest) file, and following it: new output, a rotation (the
// file renamed away and a new one in its place) and, if asked, truncation. json-file and local
// parse what this reads; this part was the same in both readers.
import fsp, { type FileHandle } from 'node:fs/promises';
import type { FollowWake } from './log-reader.js';

export interface CurrentFileOptions {
  path: string;
  follow: boolean;
  signal: AbortSignal;
  wake: FollowWake;
  chunkSize: number;
  /** Each file opened (the first and each that replaces it), before its first read: reset per-file state. */
  opened?(fh: FileHandle, size: number): Promise<void> | void;
  /** Where to begin in the file found at the start (files that replace it are read from 0). */
  start?(fh: FileHandle, size: number): Promise<number> | number;
  /** Bytes to put before each read's data (what the last chunk left unparsed), or null. */
  carry?(): Buffer | null;
  /** Start the next read before a full chunk is handed on, so the disk and the client overlap. Not with `carry`. */
  readAhead?: boolean;
  /** Go back to the start when the file shrank under the reader. */
  truncation?: boolean;
}

interface Read {
  buf: Buffer;
  /** Bytes of carry at the start of buf. */
  carried: number;
  n: number;
}

/**
 * Yields the current file's data chunk by chunk (a fresh buffer each: messages are views into it,
 * and consumers may keep them). Without `follow` it ends at the end of the file; with it, it waits
 * for more until `wake` says the container is done (what is left is read first) or `signal` aborts.
 */
export async function* readCurrentFile(o: CurrentFileOptions): AsyncGenerator<Buffer> {
  let fh: FileHandle | null = null;
  let pos = 0;
  let ino = -1;
  let replaced = false;
  let ahead: Promise<Read> | null = null;
  const open = async () => {
    fh = await fsp.open(o.path, 'r').catch(() => null);
    if (!fh) return;
    const st = await fh.stat();
    ino = st.ino;
    await o.opened?.(fh, st.size);
  };
  const readAt = (h: FileHandle, at: number): Promise<Read> => {
    const carry = o.carry?.() ?? null;
    const carried = carry ? carry.length : 0;
    const buf = Buffer.allocUnsafe(o.chunkSize + carried);
    if (carry) carry.copy(buf, 0);
    return h.read(buf, carried, o.chunkSize, at).then((r) => ({ buf, carried, n: r.bytesRead }));
  };
  try {
    await open();
    if (fh && o.start) pos = await o.start(fh, (await (fh as FileHandle).stat()).size);
    for (;;) {
      if (o.signal.aborted) return;
      const doneBefore = o.wake.doneFired;
      if (fh === null) {
        await open();
        pos = 0;
      }
      if (fh !== null) {
        const h: FileHandle = fh;
        const { buf, carried, n } = await (ahead ?? readAt(h, pos));
        ahead = null;
        if (n > 0) {
          pos += n;
          if (o.readAhead && n === o.chunkSize) {
            ahead = readAt(h, pos);
            ahead.catch(() => {}); // awaited later, or dropped with the handle in finally
          }
          yield buf.subarray(0, carried + n);
          continue;
        }
        if (o.follow) {
          const st = await fsp.stat(o.path).catch(() => null);
          if (st && st.ino !== ino) {
            // rotated: one more read first, the writer may have added to it between our read and its rename
            if (!replaced) {
              replaced = true;
              continue;
            }
            replaced = false;
            await h.close();
            fh = null;
            continue;
          }
          if (o.truncation && st && st.size < pos) {
            pos = 0;
            continue;
          }
        }
      }
      if (!o.follow || doneBefore) return;
      await o.wake.waker!.wait();
    }
  } finally {
    await (fh as FileHandle | null)?.close();
  }
}
