// Follows conmon's k8s-file record by record and reports how far it got (inode + byte offset), so a
// log shipper can persist its position and resume after a berthd restart with no loss and no
// duplicates. Pieces of long lines (`P` records) are handed out as partial messages, as Docker's
// json-file writes them, so no state is held between records.
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
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
export function parseK8sRecords(
  buf: Buffer,
  end = buf.length,
  holdTail = false,
): { records: K8sRecord[]; used: number } {
  const raw: K8sRecord[] = [];
  const starts: number[] = [];
  let pos = 0;
  // conmon stamps every line of one read alike: a run of records parses its time once
  let prevStart = -1;
  let prevLen = 0;
  let prevTime = -1n;
  let anyPartial = false;
  for (;;) {
    const nl = buf.indexOf(10, pos);
    if (nl < 0 || nl >= end) break;
    const s1 = buf.indexOf(32, pos);
    if (s1 > 0 && s1 + 10 <= nl + 1 && buf[s1 + 7] === 32 && buf[s1 + 9] === 32) {
      const c = buf[s1 + 4];
      const tag = buf[s1 + 8];
      if ((c === 111 || c === 101) && (tag === 70 || tag === 80)) {
        const partial = tag === 80;
        anyPartial ||= partial;
        starts.push(pos);
        if (prevStart < 0 || s1 - pos !== prevLen || !sameBytes(buf, prevStart, pos, prevLen)) {
          prevTime = parseRFC3339Bytes(buf, pos, s1);
          prevStart = pos;
          prevLen = s1 - pos;
        }
        raw.push({
          stream: c === 111 ? 'stdout' : 'stderr',
          time: prevTime,
          // conmon appends a "\n" to a P record that is not part of the output
          line: buf.subarray(s1 + 10, partial ? nl : nl + 1),
          partial,
        });
      }
    }
    pos = nl + 1;
  }
  // whole lines only (the common case): nothing to join
  if (!anyPartial) return { records: raw, used: pos };
  const records: K8sRecord[] = [];
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i]!;
    if (r.partial) {
      let j = i;
      let len = 0;
      while (j < raw.length && raw[j]!.partial && raw[j]!.stream === r.stream) len += raw[j++]!.line.length;
      const f = raw[j];
      if (f && f.stream === r.stream && len + f.line.length <= MAX_LINE) {
        records.push({
          stream: r.stream,
          time: r.time,
          line: Buffer.concat(raw.slice(i, j + 1).map((x) => x.line)),
          partial: false,
        });
        i = j;
        continue;
      }
      if (j === raw.length && holdTail && len < MAX_LINE) return { records, used: starts[i]! };
    }
    records.push(r);
  }
  return { records, used: pos };
}

/** Whether b[a, a+n) equals b[c, c+n); from the end, where timestamps differ first (a JS loop beats a native call on ~35 bytes). */
function sameBytes(b: Buffer, a: number, c: number, n: number): boolean {
  for (let i = n - 1; i >= 0; i--) if (b[a + i] !== b[c + i]) return false;
  return true;
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

/** The follower's state between reads: the open file, the bytes held for an incomplete record, the rotation. */
class Follower {
  fh: FileHandle | null = null;
  doneFired = false;
  readonly waker: Waker;
  private readonly shipped: string;
  private readonly onAbort = () => this.waker.fire();
  private curName: string;
  private ino = 0;
  private offset = 0;
  private buf = Buffer.allocUnsafe(CHUNK);
  private have = 0; // bytes of an incomplete record kept at buf[0, have)
  private replaced = false; // a newer file exists: one more read of this one, then switch
  private rotating = false;
  private lastReopen = 0;
  private heldSince = 0;

  constructor(
    private readonly path: string,
    private readonly o: FollowOptions,
  ) {
    this.waker = new Waker(path, o.pollMs ?? 250);
    this.shipped = path + SHIPPED_SUFFIX;
    this.curName = path;
    o.signal.addEventListener('abort', this.onAbort);
    const fired = () => ((this.doneFired = true), this.waker.fire());
    o.done?.then(fired, fired);
  }

  get pos(): FollowPosition {
    return { ino: this.ino, offset: this.offset };
  }

  async openFile(name: string): Promise<boolean> {
    try {
      this.fh = await open(name, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    const st = await this.fh.stat();
    const from = this.o.from;
    this.offset = from && from.ino === st.ino && from.offset <= st.size ? from.offset : 0;
    this.ino = st.ino;
    this.curName = name;
    this.have = 0;
    this.replaced = false;
    return true;
  }

  /** A rotation that a previous run did not finish: that file comes first. */
  async resumeRotation(): Promise<void> {
    if (!(await this.openFile(this.shipped))) return;
    if (this.o.from && this.o.from.ino !== this.ino) {
      // the saved position is in the current file: the shipped one was done already
      await this.fh!.close();
      this.fh = null;
      await rm(this.shipped, { force: true });
    } else {
      this.o.from = null;
      this.rotating = true;
    }
  }

  /** One read: the records it completed (maybe none), or null at the end of the file. */
  async read(h: FileHandle): Promise<{ records: K8sRecord[]; bytesRead: number } | null> {
    if (this.have === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.have);
      this.buf = bigger;
    }
    const { bytesRead } = await h.read(this.buf, this.have, this.buf.length - this.have, this.offset + this.have);
    if (bytesRead === 0) return null;
    const end = this.have + bytesRead;
    const { records, used } = parseK8sRecords(this.buf, end, true);
    this.offset += used;
    const rest = end - used;
    // records are views into buf: the next read goes to a fresh buffer (no copy per line)
    if (records.length > 0) {
      const next = Buffer.allocUnsafe(Math.max(CHUNK, rest * 2));
      this.buf.copy(next, 0, used, end);
      this.buf = next;
    } else this.buf.copy(this.buf, 0, used, end);
    this.have = rest;
    this.heldSince = rest > 0 ? this.heldSince || Date.now() : 0;
    return { records, bytesRead };
  }

  /**
   * After a read: caught up with a busy writer, let output gather for a moment (a flood is shipped
   * in big batches, one write and one position update each, not one per fs event); then start our
   * rotation when due (conmon keeps writing the renamed file until it has reopened the path).
   */
  async afterRead(bytesRead: number): Promise<void> {
    const o = this.o;
    const coalesceMs = o.coalesceMs ?? COALESCE_MS;
    if (bytesRead < CHUNK / 2 && coalesceMs > 0 && !this.doneFired && !o.signal.aborted)
      await new Promise((r) => setTimeout(r, coalesceMs));
    if (!this.rotating && this.curName === this.path && o.rotateAt && o.reopen && this.offset >= o.rotateAt) {
      // conmon may have replaced the file itself (its --log-size-max backstop, with berthd stopped):
      // the path then names a newer file, which must not be renamed as if it were this one
      const atPath = await stat(this.path).catch(() => null);
      if (atPath?.ino !== this.ino) return;
      await rename(this.path, this.shipped);
      this.curName = this.shipped;
      this.rotating = true;
      this.lastReopen = Date.now();
      o.reopen();
    }
  }

  /**
   * Pieces of a line held back for its end, shipped as they are when the writer is gone, the file
   * is being left, or the end is slow to come (a prompt without a newline). Null: nothing to ship.
   */
  takeHeld(now: Stats | null, doneBefore: boolean): K8sRecord[] | null {
    const { have } = this;
    if (
      have === 0 ||
      !(doneBefore || (now !== null && now.ino !== this.ino && this.replaced) || Date.now() - this.heldSince >= HOLD_MS)
    )
      return null;
    const { records, used } = parseK8sRecords(this.buf, have, false);
    if (used === 0) return null;
    this.offset += used;
    const next = Buffer.allocUnsafe(Math.max(CHUNK, (have - used) * 2));
    this.buf.copy(next, 0, used, have);
    this.buf = next;
    this.have = have - used;
    this.heldSince = this.have > 0 ? Date.now() : 0;
    return records;
  }

  /** At the end of the file: replaced (rotation), truncated, the writer gone, or just idle. */
  async atEnd(h: FileHandle, now: Stats | null, doneBefore: boolean): Promise<'again' | 'stop' | 'wait'> {
    if (now !== null && now.ino !== this.ino) {
      if (!this.replaced) {
        this.replaced = true; // read once more: the writer may have added to it before switching
        return 'again';
      }
      await h.close();
      this.fh = null;
      if (this.curName === this.shipped) await rm(this.shipped, { force: true });
      this.rotating = false;
      return 'again';
    }
    if (now !== null && this.curName === this.path && now.size < this.offset + this.have) {
      this.offset = 0;
      this.have = 0;
      return 'again';
    }
    // The request may have been lost (berthd died between rename and request). Asked again only
    // after a while: a second reopen after conmon did the first would replace a file not yet read.
    const unacknowledged = now === null && this.curName === this.shipped;
    if (unacknowledged && !doneBefore && Date.now() - this.lastReopen > REOPEN_RETRY_MS) {
      this.lastReopen = Date.now();
      this.o.reopen?.();
    }
    if (doneBefore) {
      // the writer is gone: a rotation it never acknowledged is finished here
      if (unacknowledged) await rename(this.shipped, this.path).catch(() => {});
      return 'stop';
    }
    return 'wait';
  }

  /**
   * Events drive the loop; the timers that must fire without one bound the wait: held pieces are
   * shipped after HOLD_MS, a lost reopen request is repeated.
   */
  maxWaitMs(now: Stats | null): number | undefined {
    let maxMs: number | undefined;
    if (this.have > 0) maxMs = Math.max(1, this.heldSince + HOLD_MS - Date.now());
    if (this.curName === this.shipped && now === null)
      maxMs = Math.min(maxMs ?? REOPEN_RETRY_MS, Math.max(1, this.lastReopen + REOPEN_RETRY_MS + 1 - Date.now()));
    return maxMs;
  }

  async close(): Promise<void> {
    this.o.signal.removeEventListener('abort', this.onAbort);
    this.waker.close();
    await this.fh?.close();
  }
}

/**
 * Yields batches of records with the position just after them. Survives the file being replaced
 * (by conmon's --log-size-max or our own rotation): the old file is read to its end, once more
 * after the new one appeared, so nothing written before the switch is missed.
 */
export async function* followK8sFile(
  path: string,
  o: FollowOptions,
): AsyncGenerator<{ records: K8sRecord[]; pos: FollowPosition }> {
  const f = new Follower(path, o);
  try {
    await f.resumeRotation();
    for (;;) {
      if (o.signal.aborted) return;
      const doneBefore = f.doneFired;
      if (f.fh === null) {
        if (!(await f.openFile(path))) {
          if (doneBefore) return;
          await f.waker.wait();
          continue;
        }
        o.from = null; // only the first file can resume mid-way
      }
      const h: FileHandle = f.fh!;
      const r = await f.read(h);
      if (r !== null) {
        if (r.records.length > 0) yield { records: r.records, pos: f.pos };
        await f.afterRead(r.bytesRead);
        continue;
      }
      const now = await stat(path).catch(() => null);
      const held = f.takeHeld(now, doneBefore);
      if (held !== null) {
        if (held.length > 0) yield { records: held, pos: f.pos };
        continue;
      }
      const next = await f.atEnd(h, now, doneBefore);
      if (next === 'stop') return;
      if (next === 'wait') await f.waker.wait(f.maxWaitMs(now));
    }
  } finally {
    await f.close();
  }
}
