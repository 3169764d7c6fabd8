// Follows conmon's k8s-file record by record and reports how far it got (inode + byte offset), so a
// log shipper can persist its position and resume after a berthd restart with no loss and no
// duplicates. Pieces of long lines (`P` records) are handed out as partial messages, as Docker's
// json-file writes them, so no state is held between records.
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { parseRFC3339Bytes } from './timestamps.js';
import { Waker } from './waker.js';

export interface K8sRecord {
  stream: 'stdout' | 'stderr';
  /** ns since the epoch */
  time: bigint;
  /** The output; a full line keeps its "\n", a partial piece has none. */
  line: Buffer;
  partial: boolean;
}

export interface FollowPosition {
  ino: number;
  offset: number;
}

const CHUNK = 256 * 1024;
const COALESCE_MS = 20;
const HOLD_MS = 1000;
const REOPEN_RETRY_MS = 2000;

/** Docker's copier splits lines at 16 KiB; shorter lines are joined back from conmon's pieces. */
export const MAX_LINE = 16 * 1024;

/**
 * Parses the complete records of buf; returns them and the number of bytes consumed. conmon cuts
 * lines at its read boundaries (`P` pieces); a run of pieces followed by its `F` record of the same
 * stream becomes one record, as Docker logs it (up to MAX_LINE). With `holdTail`, a run of pieces
 * still waiting for its end at the end of buf is left unconsumed (the next read may complete it).
 */
export function parseK8sRecords(buf: Buffer, end = buf.length, holdTail = false): { records: K8sRecord[]; used: number } {
  const raw: K8sRecord[] = [];
  const starts: number[] = [];
  let pos = 0;
  for (;;) {
    const nl = buf.indexOf(10, pos);
    if (nl < 0 || nl >= end) break;
    const s1 = buf.indexOf(32, pos);
    if (s1 > 0 && s1 + 10 <= nl + 1 && buf[s1 + 7] === 32 && buf[s1 + 9] === 32) {
      const c = buf[s1 + 4];
      const tag = buf[s1 + 8];
      if ((c === 111 || c === 101) && (tag === 70 || tag === 80)) {
        const partial = tag === 80;
        starts.push(pos);
        raw.push({
          stream: c === 111 ? 'stdout' : 'stderr',
          time: parseRFC3339Bytes(buf, pos, s1),
          // conmon appends a "\n" to a P record that is not part of the output
          line: buf.subarray(s1 + 10, partial ? nl : nl + 1),
          partial,
        });
      }
    }
    pos = nl + 1;
  }
  const records: K8sRecord[] = [];
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i]!;
    if (r.partial) {
      let j = i;
      let len = 0;
      while (j < raw.length && raw[j]!.partial && raw[j]!.stream === r.stream) len += raw[j++]!.line.length;
      const f = raw[j];
      if (f && f.stream === r.stream && len + f.line.length <= MAX_LINE) {
        records.push({ stream: r.stream, time: r.time, line: Buffer.concat(raw.slice(i, j + 1).map((x) => x.line)), partial: false });
        i = j;
        continue;
      }
      if (j === raw.length && holdTail && len < MAX_LINE) return { records, used: starts[i]! };
    }
    records.push(r);
  }
  return { records, used: pos };
}

export interface FollowOptions {
  from?: FollowPosition | null;
  signal: AbortSignal;
  /** Resolves when the writer is gone (the container exited): drain what is left, then stop. */
  done?: Promise<void>;
  pollMs?: number;
  /**
   * Bounds the file without ever skipping output: once `rotateAt` bytes were consumed, the file is
   * renamed to `<path>.shipped` and `reopen()` asks conmon to start a new one; the old file is
   * read to its end and deleted before the new one is followed.
   */
  rotateAt?: number;
  reopen?: () => void;
  /** After a short read, wait this long before reading again (default 20 ms). */
  coalesceMs?: number;
}

export const SHIPPED_SUFFIX = '.shipped';

/**
 * Yields batches of records with the position just after them. Survives the file being replaced
 * (by conmon's --log-size-max or our own rotation): the old file is read to its end, once more
 * after the new one appeared, so nothing written before the switch is missed.
 */
export async function* followK8sFile(path: string, o: FollowOptions): AsyncGenerator<{ records: K8sRecord[]; pos: FollowPosition }> {
  const waker = new Waker(path, o.pollMs ?? 250);
  let doneFired = false;
  const onAbort = () => waker.fire();
  o.signal.addEventListener('abort', onAbort);
  o.done?.then(
    () => ((doneFired = true), waker.fire()),
    () => ((doneFired = true), waker.fire()),
  );
  const shipped = path + SHIPPED_SUFFIX;
  let fh: FileHandle | null = null;
  let curName = path;
  let ino = 0;
  let offset = 0;
  let buf = Buffer.allocUnsafe(CHUNK);
  let have = 0; // bytes of an incomplete record kept at buf[0, have)
  let replaced = false; // a newer file exists: one more read of this one, then switch
  let rotating = false;
  let lastReopen = 0;
  let heldSince = 0;
  const openFile = async (name: string): Promise<boolean> => {
    try {
      fh = await open(name, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    const st = await fh.stat();
    if (o.from && o.from.ino === st.ino && o.from.offset <= st.size) offset = o.from.offset;
    else offset = 0;
    ino = st.ino;
    curName = name;
    have = 0;
    replaced = false;
    return true;
  };
  try {
    // A rotation that a previous run did not finish: that file comes first.
    if (await openFile(shipped)) {
      if (o.from && o.from.ino !== ino) {
        // the saved position is in the current file: the shipped one was done already
        await fh!.close();
        fh = null;
        await rm(shipped, { force: true });
      } else {
        o.from = null;
        rotating = true;
      }
    }
    for (;;) {
      if (o.signal.aborted) return;
      const doneBefore = doneFired;
      if (fh === null) {
        if (!(await openFile(path))) {
          if (doneBefore) return;
          await waker.wait();
          continue;
        }
        o.from = null; // only the first file can resume mid-way
      }
      const h: FileHandle = fh!;
      if (have === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const { bytesRead } = await h.read(buf, have, buf.length - have, offset + have);
      if (bytesRead > 0) {
        const end = have + bytesRead;
        const { records, used } = parseK8sRecords(buf, end, true);
        offset += used;
        const rest = end - used;
        // records are views into buf: the next read goes to a fresh buffer (no copy per line)
        if (records.length > 0) {
          const next = Buffer.allocUnsafe(Math.max(CHUNK, rest * 2));
          buf.copy(next, 0, used, end);
          buf = next;
        } else buf.copy(buf, 0, used, end);
        const out = records;
        have = rest;
        heldSince = rest > 0 ? heldSince || Date.now() : 0;
        if (out.length > 0) yield { records: out, pos: { ino, offset } };
        // Caught up with a busy writer: let output gather for a moment, so a flood is shipped in
        // big batches (one write and one position update each), not one per fs event.
        if (bytesRead < CHUNK / 2 && (o.coalesceMs ?? COALESCE_MS) > 0 && !doneFired && !o.signal.aborted) await new Promise((r) => setTimeout(r, o.coalesceMs ?? COALESCE_MS));
        if (!rotating && curName === path && o.rotateAt && o.reopen && offset >= o.rotateAt) {
          // our rotation: conmon keeps writing the renamed file until it has reopened the path
          await rename(path, shipped);
          curName = shipped;
          rotating = true;
          lastReopen = Date.now();
          o.reopen();
        }
        continue;
      }
      // End of file: replaced (rotation), truncated, or just idle.
      const now = await stat(path).catch(() => null);
      // Pieces of a line held back for its end: shipped as they are when the writer is gone, the
      // file is being left, or the end is slow to come (a prompt without a newline).
      if (have > 0 && (doneBefore || (now !== null && now.ino !== ino && replaced) || Date.now() - heldSince >= HOLD_MS)) {
        const { records, used } = parseK8sRecords(buf, have, false);
        if (used > 0) {
          offset += used;
          const next = Buffer.allocUnsafe(Math.max(CHUNK, (have - used) * 2));
          buf.copy(next, 0, used, have);
          buf = next;
          have -= used;
          heldSince = have > 0 ? Date.now() : 0;
          if (records.length > 0) yield { records, pos: { ino, offset } };
          continue;
        }
      }
      if (now !== null && now.ino !== ino) {
        if (!replaced) {
          replaced = true; // read once more: the writer may have added to it before switching
          continue;
        }
        await h.close();
        fh = null;
        if (curName === shipped) await rm(shipped, { force: true });
        rotating = false;
        continue;
      }
      if (now !== null && curName === path && now.size < offset + have) {
        offset = 0;
        have = 0;
        continue;
      }
      // The request may have been lost (berthd died between rename and request). Asked again only
      // after a while: a second reopen after conmon did the first would replace a file not yet read.
      if (now === null && curName === shipped && !doneBefore && Date.now() - lastReopen > REOPEN_RETRY_MS) {
        lastReopen = Date.now();
        o.reopen?.();
      }
      if (doneBefore) {
        // the writer is gone: a rotation it never acknowledged is finished here
        if (curName === shipped && now === null) await rename(shipped, path).catch(() => {});
        return;
      }
      // Events drive the loop; the timers that must fire without one bound the wait: held pieces
      // are shipped after HOLD_MS, a lost reopen request is repeated.
      let maxMs: number | undefined;
      if (have > 0) maxMs = Math.max(1, heldSince + HOLD_MS - Date.now());
      if (curName === shipped && now === null) maxMs = Math.min(maxMs ?? REOPEN_RETRY_MS, Math.max(1, lastReopen + REOPEN_RETRY_MS + 1 - Date.now()));
      await waker.wait(maxMs);
    }
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    waker.close();
    await (fh as FileHandle | null)?.close();
  }
}
