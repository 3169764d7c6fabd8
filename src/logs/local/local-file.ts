// The `local` driver's files: Docker's size-framed protobuf entries (local-format.ts), rotated like
// json-file (container.log.1 … .N, gzipped by default). --tail and --since walk back from the end
// through the trailing size frames, so they cost what they return, not the file. Files of the
// JSON-based format berth used before are still read (detected by their first byte, '{').
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import { BatchedFileReader, FollowWake, MessageFilter, type LogMessage, type ReadOptions } from '../common/log-reader.js';
import { decodeLocal, encodeLocalInto, maxLocalLen, readVarintBig } from './local-format.js';
import { jsonLogFiles, parseChunk, readWhole, type EntryEncoder, type JsonEntry } from '../json-file/json-file.js';
import { formatRFC3339NanoFixed } from '../common/timestamps.js';

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
async function walkBack(fh: fsp.FileHandle, size: number, n: number, since: bigint | undefined): Promise<{ offset: number; count: number; stopped: boolean }> {
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

export class LocalFileReader extends BatchedFileReader {
  async *readBatches(o: ReadOptions, signal: AbortSignal, done?: Promise<void>): AsyncGenerator<LogMessage[]> {
    if (!o.stdout && !o.stderr) return;
    const f = new MessageFilter(o);
    const { since } = f;
    const tail = o.tail !== undefined && o.tail >= 0 ? o.tail : Infinity;
    const wake = new FollowWake(this.path, this.pollMs, o.follow, signal, done);
    const waker = wake.waker;
    let fh: fsp.FileHandle | null = null;
    try {
      // Where to begin: walk back from the newest file for --tail / --since.
      const files = await jsonLogFiles(this.path);
      const last = files.length - 1;
      let first = 0;
      let firstOffset = 0; // a byte offset in a plain file, or how many messages to drop in a whole one
      if (tail !== Infinity || since !== undefined) {
        let need = tail;
        first = last;
        for (let i = last; i >= 0 && need > 0; i--) {
          first = i;
          const plain = !files[i]!.endsWith('.gz');
          const h = plain ? await fsp.open(files[i]!, 'r').catch(() => null) : null;
          let size = 0;
          let legacy = !plain;
          if (h) {
            size = (await h.stat()).size;
            const one = Buffer.alloc(1);
            await h.read(one, 0, 1, 0);
            legacy = size > 0 && one[0] === LEGACY;
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
          while (k > 0 && need > 0 && (since === undefined || msgs[k - 1]!.time >= since)) (k--, need--);
          firstOffset = k;
          if (k > 0 || need === 0) break;
        }
        if (tail === 0) (first = last), (firstOffset = -1);
      }
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
      let pos = 0;
      let ino = -1;
      let replaced = false;
      let carry: Buffer | null = null;
      let legacyCur = false;
      let dropFirst = 0;
      const openCur = async () => {
        fh = await fsp.open(this.path, 'r').catch(() => null);
        if (!fh) return;
        const st = await fh.stat();
        ino = st.ino;
        const one = Buffer.alloc(1);
        await fh.read(one, 0, 1, 0);
        legacyCur = st.size > 0 && one[0] === LEGACY;
      };
      await openCur();
      if (fh && first === last) {
        if (firstOffset === -1) pos = (await (fh as fsp.FileHandle).stat()).size;
        else if (legacyCur) dropFirst = firstOffset;
        else pos = firstOffset;
      }
      for (;;) {
        if (signal.aborted || f.ended) return;
        const doneBefore = wake.doneFired;
        if (fh === null) {
          await openCur();
          pos = 0;
        }
        if (fh !== null) {
          const h = fh as fsp.FileHandle;
          const buf = Buffer.allocUnsafe(CHUNK + (carry ? carry.length : 0));
          const cl = carry ? carry.copy(buf, 0) : 0;
          const { bytesRead } = await h.read(buf, cl, CHUNK, pos);
          if (bytesRead > 0) {
            pos += bytesRead;
            const chunk = buf.subarray(0, cl + bytesRead);
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
            continue;
          }
          if (o.follow) {
            // rotated under us: the old file was read to its end, go on with the new one
            const st = await fsp.stat(this.path).catch(() => null);
            if (st && st.ino !== ino) {
              // one more read first: the writer may have added to it between our read and its rename
              if (!replaced) {
                replaced = true;
                continue;
              }
              replaced = false;
              await h.close();
              fh = null;
              carry = null;
              continue;
            }
          }
        }
        if (!o.follow || doneBefore) return;
        await waker!.wait();
      }
    } finally {
      wake.close();
      await (fh as fsp.FileHandle | null)?.close();
    }
  }
}
