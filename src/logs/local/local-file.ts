// The `local` driver's files: Docker's size-framed protobuf entries (local-format.ts), rotated like
// json-file (container.log.1 … .N, gzipped by default). --tail and --since walk back from the end
// through the trailing size frames, so they cost what they return, not the file. Files of the
// JSON-based format berth used before are still read (detected by their first byte, '{').
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import {
  BatchedFileReader,
  FollowWake,
  MessageFilter,
  type LogMessage,
  type ReadOptions,
} from '../common/log-reader.js';
import { decodeLocal, encodeLocalInto, maxLocalLen, readVarintBig } from './local-format.js';
import { jsonLogFiles, parseChunk, readWhole, type EntryEncoder } from '../json-file/json-file.js';
import { formatRFC3339NanoFixed } from '../common/timestamps.js';
import { readCurrentFile } from '../common/current-file.js';

const CHUNK = 1024 * 1024;
const BLOCK = 64 * 1024;
const LEGACY = 0x7b; // '{'

/** The encoder the shipper's writer uses for `local`: k8s P/F pieces become Docker's partial metadata. */
export function localEncoder(): EntryEncoder {
  const open: Record<'stdout' | 'stderr', { id: string; ordinal: number } | null> = { stdout: null, stderr: null };
  return {
    maxLen: (e) => maxLocalLen(e.line.length),
    encodeInto(out, at, e) {
      let line = e.line;
      if (!e.partial && line.length > 0 && line[line.length - 1] === 10) line = line.subarray(0, line.length - 1);
      let partial: { last: boolean; id: string; ordinal: number } | null = null;
      const cur = open[e.stream];
      if (e.partial) {
        const s = cur ?? (open[e.stream] = { id: randomBytes(32).toString('hex'), ordinal: 0 });
        partial = { last: false, id: s.id, ordinal: ++s.ordinal };
      } else if (cur) {
        partial = { last: true, id: cur.id, ordinal: cur.ordinal + 1 };
        open[e.stream] = null;
      }
      return encodeLocalInto(out, at, { stream: e.stream, time: e.time, line, partial });
    },
    foreign: (first) => first === LEGACY,
  };
}

class LocalLogMessage implements LogMessage {
  #time = -2n;
  constructor(
    readonly stream: 'stdout' | 'stderr',
    readonly line: Buffer,
    private readonly buf: Buffer,
    private readonly timeAt: number,
  ) {}
  get time(): bigint {
    if (this.#time === -2n) this.#time = this.timeAt < 0 ? 0n : readVarintBig(this.buf, this.timeAt);
    return this.#time;
  }
  get timestamp(): string {
    return formatRFC3339NanoFixed(this.time);
  }
}

/** Decodes the whole frames of buf[from…) into out; returns the offset after the last whole frame. */
export function parseLocalFrames(buf: Buffer, out: LogMessage[], from = 0): number {
  let at = from;
  while (at + 4 <= buf.length) {
    const size = buf.readUInt32BE(at);
    const end = at + 4 + size;
    if (end + 4 > buf.length) break;
    const d = decodeLocal(buf, at + 4, end);
    if (d) {
      let line = d.line;
      if (!d.partial || d.last) {
        // the newline goes back where a field tag or the trailer was (already read: ours to reuse)
        buf[d.lineEnd] = 10;
        line = buf.subarray(d.lineEnd - d.line.length, d.lineEnd + 1);
      }
      out.push(new LocalLogMessage(d.stream, line, buf, d.timeAt));
    }
    at = end + 4;
  }
  return at;
}

/** All messages of a file held in memory (rotated .gz files, files of the old JSON format). */
function parseWhole(buf: Buffer): LogMessage[] {
  const out: LogMessage[] = [];
  if (buf.length === 0) return out;
  if (buf[0] === LEGACY) parseChunk(buf, null, out);
  else parseLocalFrames(buf, out);
  return out;
}

/** The time of the framed entry that ends at `end` in the window w (w[0] is file offset ws). */
function entryTime(w: Buffer, start: number, end: number): bigint {
  const d = decodeLocal(w, start + 4, end - 4);
  return d === null || d.timeAt < 0 ? 0n : readVarintBig(w, d.timeAt);
}

/**
 * Walks back from the end of a plain protobuf file over at most `n` entries, stopping early at an
 * entry older than `since`. Returns the offset to read from and how many entries it passed.
 */
async function walkBack(
  fh: fsp.FileHandle,
  size: number,
  n: number,
  since: bigint | undefined,
): Promise<{ offset: number; count: number; stopped: boolean }> {
  let pos = size;
  let count = 0;
  let ws = size;
  let w = Buffer.alloc(0);
  const ensure = async (from: number) => {
    if (from >= ws) return;
    const start = Math.max(0, Math.min(from, pos - BLOCK));
    const nb = Buffer.allocUnsafe(pos - start);
    const { bytesRead } = await fh.read(nb, 0, nb.length, start);
    if (bytesRead < nb.length) throw new Error('short read');
    w = nb;
    ws = start;
  };
  while (pos > 0 && count < n) {
    if (pos < 8) return { offset: 0, count, stopped: true };
    await ensure(pos - 4);
    const len = w.readUInt32BE(pos - 4 - ws);
    const start = pos - len - 8;
    if (start < 0) return { offset: 0, count, stopped: true }; // not our framing: read it all
    if (since !== undefined) {
      await ensure(start);
      if (entryTime(w, start - ws, pos - ws) < since) return { offset: pos, count, stopped: true };
    }
    pos = start;
    count++;
  }
  return { offset: pos, count, stopped: count >= n };
}

/**
 * Where a --tail/--since read begins, walking back from the newest file: the first file to read and
 * in it a byte offset (a framed file) or how many messages to skip (a gzipped or legacy one read
 * whole), or -1 for the end of the current file (--tail 0).
 */
async function startOf(
  files: string[],
  tail: number,
  since: bigint | undefined,
): Promise<{ first: number; firstOffset: number }> {
  const last = files.length - 1;
  if (tail === Infinity && since === undefined) return { first: 0, firstOffset: 0 };
  let need = tail;
  let first = last;
  let firstOffset = 0;
  for (let i = last; i >= 0 && need > 0; i--) {
    first = i;
    const plain = !files[i]!.endsWith('.gz');
    const h = plain ? await fsp.open(files[i]!, 'r').catch(() => null) : null;
    let size = 0;
    let legacy = !plain;
    if (h) {
      size = (await h.stat()).size;
      legacy = size > 0 && (await firstByte(h)) === LEGACY;
    }
    if (h && !legacy) {
      const r = await walkBack(h, size, need, since).finally(() => h.close());
      firstOffset = r.offset;
      need -= r.count;
      if (r.stopped) break;
      continue;
    }
    await h?.close();
    const msgs = parseWhole(await readWhole(files[i]!));
    let k = msgs.length;
    while (k > 0 && need > 0 && (since === undefined || msgs[k - 1]!.time >= since)) k--, need--;
    firstOffset = k;
    if (k > 0 || need === 0) break;
  }
  if (tail === 0) return { first: last, firstOffset: -1 };
  return { first, firstOffset };
}

async function firstByte(h: fsp.FileHandle): Promise<number | undefined> {
  const one = Buffer.alloc(1);
  const { bytesRead } = await h.read(one, 0, 1, 0);
  return bytesRead ? one[0] : undefined;
}

export class LocalFileReader extends BatchedFileReader {
  async *readBatches(o: ReadOptions, signal: AbortSignal, done?: Promise<void>): AsyncGenerator<LogMessage[]> {
    if (!o.stdout && !o.stderr) return;
    const f = new MessageFilter(o);
    const wake = new FollowWake(this.path, this.pollMs, o.follow, signal, done);
    try {
      const files = await jsonLogFiles(this.path);
      const last = files.length - 1;
      const { first, firstOffset } = await startOf(
        files,
        o.tail !== undefined && o.tail >= 0 ? o.tail : Infinity,
        f.since,
      );
      // Rotated files (they no longer change) are read whole; the current one is read and followed.
      for (let i = first; i < last; i++) {
        const buf = await readWhole(files[i]!);
        const legacy = files[i]!.endsWith('.gz') || buf[0] === LEGACY;
        let msgs: LogMessage[];
        if (i === first && firstOffset > 0 && !legacy) {
          msgs = [];
          parseLocalFrames(buf, msgs, firstOffset);
        } else {
          msgs = parseWhole(buf);
          if (i === first && firstOffset > 0) msgs = msgs.slice(firstOffset);
        }
        const out = f.apply(msgs);
        if (out.length) yield out;
        if (f.ended || signal.aborted) return;
      }
      let carry: Buffer | null = null;
      let legacyCur = false; // a current file in berth's old JSON format
      let dropFirst = 0;
      const chunks = readCurrentFile({
        path: this.path,
        follow: o.follow,
        signal,
        wake,
        chunkSize: CHUNK,
        carry: () => carry,
        opened: async (fh, size) => {
          carry = null;
          legacyCur = size > 0 && (await firstByte(fh)) === LEGACY;
        },
        start: (_fh, size) => {
          if (first !== last) return 0;
          if (firstOffset === -1) return size;
          if (!legacyCur) return firstOffset;
          dropFirst = firstOffset;
          return 0;
        },
      });
      for await (const chunk of chunks) {
        let msgs: LogMessage[] = [];
        if (legacyCur) carry = parseChunk(chunk, null, msgs);
        else {
          const used = parseLocalFrames(chunk, msgs);
          carry = used < chunk.length ? Buffer.from(chunk.subarray(used)) : null;
        }
        if (dropFirst > 0) {
          const d = Math.min(dropFirst, msgs.length);
          msgs = msgs.slice(d);
          dropFirst -= d;
        }
        const out = f.apply(msgs);
        if (out.length) yield out;
        if (f.ended) return;
      }
    } finally {
      wake.close();
    }
  }
}
