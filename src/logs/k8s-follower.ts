// Follows conmon's k8s-file record by record and reports how far it got (inode + byte offset), so a
// log shipper can persist its position and resume after a berthd restart with no loss and no
// duplicates. Pieces of long lines (`P` records) are handed out as partial messages, as Docker's
// json-file writes them, so no state is held between records.
import { open, stat, type FileHandle } from 'node:fs/promises';
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

/** Parses the complete records of buf; returns them and the number of bytes consumed. */
export function parseK8sRecords(buf: Buffer, end = buf.length): { records: K8sRecord[]; used: number } {
  const records: K8sRecord[] = [];
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
        records.push({
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
  return { records, used: pos };
}

export interface FollowOptions {
  from?: FollowPosition | null;
  signal: AbortSignal;
  /** Resolves when the writer is gone (the container exited): drain what is left, then stop. */
  done?: Promise<void>;
  pollMs?: number;
}

/**
 * Yields batches of records with the position just after them. Survives conmon replacing the
 * file (--log-size-max): the old file is read to its end before the new one is opened.
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
  let fh: FileHandle | null = null;
  let ino = 0;
  let offset = 0;
  let buf = Buffer.allocUnsafe(CHUNK);
  let have = 0; // bytes of an incomplete record kept at buf[0, have)
  const openCur = async (): Promise<boolean> => {
    try {
      fh = await open(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    const st = await fh.stat();
    if (o.from && o.from.ino === st.ino && o.from.offset <= st.size) offset = o.from.offset;
    else offset = 0;
    o.from = null; // only the first file can resume mid-way
    ino = st.ino;
    have = 0;
    return true;
  };
  try {
    for (;;) {
      if (o.signal.aborted) return;
      const doneBefore = doneFired;
      if (fh === null && !(await openCur())) {
        if (doneBefore) return;
        await waker.wait();
        continue;
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
        const { records, used } = parseK8sRecords(buf, end);
        offset += used;
        const rest = end - used;
        const out = records.map((r) => ({ ...r, line: Buffer.from(r.line) }));
        buf.copy(buf, 0, used, end);
        have = rest;
        if (out.length > 0) yield { records: out, pos: { ino, offset } };
        continue;
      }
      // End of file: replaced by conmon (rotation), truncated, or just idle.
      const now = await stat(path).catch(() => null);
      if (now !== null && now.ino !== ino) {
        await h.close();
        fh = null;
        continue;
      }
      if (now !== null && now.size < offset + have) {
        offset = 0;
        have = 0;
        continue;
      }
      if (doneBefore) return;
      await waker.wait();
    }
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    waker.close();
    await (fh as FileHandle | null)?.close();
  }
}
