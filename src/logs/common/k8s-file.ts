// LogReader over conmon's k8s-file log (`conmon -l k8s-file:PATH`): tail, since/until, follow.
import { open, stat, type FileHandle } from 'node:fs/promises';
import {
  FollowWake,
  MessageFilter,
  messagesOf,
  type LogMessage,
  type LogReader,
  type ReadOptions,
} from './log-reader.js';
import { K8sRecordParser } from './k8s-record-parser.js';
import { tailOffset } from './tail-offset.js';
import { sinceOffset, type LineTime } from './since-offset.js';
import { parseRFC3339Bytes } from './timestamps.js';

/** A k8s-file record's time: the timestamp before the first space. */
const k8sLineTime: LineTime = (buf, s, e) => {
  const sp = buf.indexOf(32, s);
  return sp > s && sp < e ? parseRFC3339Bytes(buf, s, sp) : -1n;
};

const CHUNK = 1024 * 1024;

export interface K8sFileReaderOptions {
  /** How often a follower re-checks the file when no fs.watch event came (ms). */
  pollMs?: number;
}

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

async function openIfExists(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, 'r');
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

/** With a future `until`, a follower stops when that time comes, like Docker. */
function endAtUntil(f: MessageFilter, waker: { fire(): void } | null): NodeJS.Timeout | undefined {
  if (f.until === undefined) return undefined;
  const ms = Number((f.until - BigInt(Date.now()) * 1_000_000n) / 1_000_000n);
  return setTimeout(
    () => {
      f.ended = true;
      waker?.fire();
    },
    Math.max(0, Math.min(ms + 1, 2 ** 31 - 1)),
  );
}

/**
 * Reads a k8s-file chunk by chunk into complete records. Messages are views into the read buffer,
 * so a buffer is handed over, not reused, when it is mostly full; a follower's small reads are
 * copied out and the big buffer kept for next time.
 */
class RecordChunks {
  readonly parser = new K8sRecordParser();
  pos = 0;
  private carry: Buffer | null = null;
  private spare: Buffer | null = null;

  /** The file was replaced or truncated: start over at its beginning. */
  restart(): void {
    this.pos = 0;
    this.carry = null;
  }

  /** The next chunk's complete records, up to byte `limit`; null at the end of the file. */
  async next(h: FileHandle, limit: number): Promise<LogMessage[] | null> {
    const want = Math.min(CHUNK, limit - this.pos);
    if (want <= 0) return null;
    const carry = this.carry;
    const cl = carry === null ? 0 : carry.length;
    let buf: Buffer =
      this.spare !== null && this.spare.length >= cl + want ? this.spare : Buffer.allocUnsafe(cl + want);
    this.spare = null;
    if (carry !== null) carry.copy(buf, 0);
    const { bytesRead } = await h.read(buf, cl, want, this.pos);
    if (bytesRead === 0) {
      this.spare = buf;
      return null;
    }
    this.pos += bytesRead;
    let end = cl + bytesRead;
    if (end < buf.length / 4) {
      this.spare = buf;
      buf = Buffer.from(buf.subarray(0, end));
      end = buf.length;
    }
    const out: LogMessage[] = [];
    const used = this.parser.parse(buf, 0, end, out);
    this.carry = used < end ? Buffer.from(buf.subarray(used, end)) : null;
    return out;
  }
}

export class K8sFileReader implements LogReader {
  private readonly pollMs: number;
  constructor(
    readonly path: string,
    o: K8sFileReaderOptions = {},
  ) {
    this.pollMs = o.pollMs ?? 250;
  }

  read(o: ReadOptions, signal: AbortSignal, done?: Promise<void>): AsyncIterable<LogMessage> {
    return messagesOf(() => this.readBatches(o, signal, done));
  }

  /**
   * The same messages as `read`, a chunk's worth at a time: the logs route uses this, because
   * one await per batch instead of per line is what makes ≥ 300 MB/s possible.
   */
  async *readBatches(o: ReadOptions, signal: AbortSignal, done?: Promise<void>): AsyncGenerator<LogMessage[]> {
    if (signal.aborted || (!o.stdout && !o.stderr)) return;
    const f = new MessageFilter(o);
    const { since } = f;

    let fh = await openIfExists(this.path);
    if (fh === null && !o.follow) return;

    const wake = new FollowWake(this.path, this.pollMs, o.follow, signal, done);
    const waker = wake.waker;
    const untilTimer = o.follow ? endAtUntil(f, waker) : undefined;
    const chunks = new RecordChunks();
    const parser = chunks.parser;

    try {
      if (fh !== null && since !== undefined && (o.tail === undefined || o.tail < 0))
        chunks.pos = await sinceOffset(fh, (await fh.stat()).size, since, k8sLineTime);
      if (fh !== null && o.tail !== undefined && o.tail >= 0) {
        const size = (await fh.stat()).size;
        chunks.pos = await tailOffset(fh, size, o.tail);
        const all: LogMessage[] = [];
        for (let b = await chunks.next(fh, size); b !== null; b = await chunks.next(fh, size)) {
          for (const m of b) all.push(m);
          if (signal.aborted) return;
        }
        if (!o.follow) parser.flush(all);
        const out = f.apply(all.length > o.tail ? all.slice(all.length - o.tail) : all);
        if (out.length > 0) yield out;
        if (!o.follow || f.ended) return;
      }

      for (;;) {
        if (signal.aborted || f.ended) return;
        const doneBefore = wake.doneFired;
        if (fh === null) {
          fh = await openIfExists(this.path);
          if (fh === null) {
            if (doneBefore) return;
            await waker!.wait();
            continue;
          }
        }
        const batch = await chunks.next(fh, Infinity);
        if (batch !== null) {
          const out = f.apply(batch);
          if (out.length > 0) yield out;
          continue;
        }
        // End of file: was it replaced (conmon's --log-size-max reopen) or truncated?
        const [cur, now] = await Promise.all([
          fh.stat(),
          stat(this.path).catch((e: unknown) => (isNotFound(e) ? null : Promise.reject(e))),
        ]);
        if (now !== null && (now.ino !== cur.ino || now.dev !== cur.dev || now.size < chunks.pos)) {
          if (now.ino !== cur.ino || now.dev !== cur.dev) {
            await fh.close();
            fh = null;
          }
          chunks.restart();
          continue;
        }
        if (!o.follow || doneBefore) break;
        await waker!.wait();
      }
      if (signal.aborted || f.ended) return;
      const rest: LogMessage[] = [];
      parser.flush(rest);
      const out = f.apply(rest);
      if (out.length > 0) yield out;
    } finally {
      clearTimeout(untilTimer);
      wake.close();
      await fh?.close();
    }
  }
}
