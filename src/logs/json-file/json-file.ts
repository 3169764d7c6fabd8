// Docker's json-file format: one `{"log":"…","stream":"stdout","time":"RFC3339Nano"}` per line,
// rotated to <path>.1 … <path>.(max-file - 1) (gzipped as .N.gz with compress=true).
import { createReadStream, createWriteStream } from 'node:fs';
import fsp from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { FileOptions } from '../common/file-options.js';
import {
  BatchedFileReader,
  FollowWake,
  MessageFilter,
  type LogMessage,
  type ReadOptions,
} from '../common/log-reader.js';
import { formatRFC3339NanoFixed, parseRFC3339Bytes } from '../common/timestamps.js';
import { sinceOffset, type LineTime } from '../common/since-offset.js';
import { readCurrentFile } from '../common/current-file.js';
import { attrsMember, encodeJsonEntryInto, maxEncodedLen } from './json-encode.js';

export interface JsonEntry {
  stream: 'stdout' | 'stderr';
  time: bigint;
  line: Buffer;
  /** A piece of a line whose rest follows (conmon's P records). */
  partial?: boolean;
}

/** How a writer lays entries out (json-file's JSON lines by default; local's framed protobuf). */
export interface EntryEncoder {
  /** An upper bound of the encoded size. */
  maxLen(e: JsonEntry): number;
  /** Writes at out[at…]; returns the new end. */
  encodeInto(out: Buffer, at: number, e: JsonEntry): number;
  /** A current file starting with this byte is in another format: rotated away before appending. */
  foreign?(firstByte: number): boolean;
}

/** Encodes one entry as Docker does (attrs only when labels/env are configured). */
export function encodeJsonEntry(e: JsonEntry, attrs?: Record<string, string>): string {
  const a = attrsMember(attrs);
  const out = Buffer.allocUnsafe(maxEncodedLen(e, a));
  return out.toString('utf8', 0, encodeJsonEntryInto(out, 0, e, a));
}

const OUT_BUF = 1024 * 1024;

export class JsonFileWriter {
  private fh: fsp.FileHandle | null = null;
  private size = 0;
  private compressing: Promise<void> = Promise.resolve();
  private out: Buffer | null = null;
  private readonly enc: EntryEncoder;
  private checked = false;

  constructor(
    readonly path: string,
    private readonly o: FileOptions,
    attrs?: Record<string, string>,
    enc?: EntryEncoder,
  ) {
    const a = attrsMember(attrs);
    this.enc = enc ?? {
      maxLen: (e) => maxEncodedLen(e, a),
      encodeInto: (out, at, e) => encodeJsonEntryInto(out, at, e, a),
    };
  }

  private async ensureOpen(): Promise<fsp.FileHandle> {
    if (this.fh === null) {
      this.fh = await fsp.open(this.path, 'a+', 0o640);
      this.size = (await this.fh.stat()).size;
      if (!this.checked && this.enc.foreign && this.size > 0) {
        const one = Buffer.alloc(1);
        await this.fh.read(one, 0, 1, 0);
        this.checked = true;
        if (this.enc.foreign(one[0]!)) await this.rotate();
      }
      this.checked = true;
    }
    return this.fh!;
  }

  private async writeOut(b: Buffer): Promise<void> {
    const fh = await this.ensureOpen();
    let off = 0;
    try {
      while (off < b.length) off += (await fh.write(b, off, b.length - off)).bytesWritten;
    } catch (e) {
      // a full disk (ENOSPC) may have taken part of the buffer: cut it off, so the file keeps
      // whole entries only and readers never meet half a line
      if (off > 0) await fh.truncate(this.size).catch(() => {});
      throw e;
    }
    this.size += b.length;
  }

  /** Appends entries, rotating before an entry that would take the file over max-size. */
  async write(entries: JsonEntry[]): Promise<void> {
    await this.ensureOpen();
    // one buffer for the writer's life: every write of it is awaited before it is reused
    let out = (this.out ??= Buffer.allocUnsafe(OUT_BUF));
    let at = 0;
    for (const e of entries) {
      const need = this.enc.maxLen(e);
      if (at + need > out.length) {
        await this.writeOut(out.subarray(0, at));
        at = 0;
        if (need > out.length) out = Buffer.allocUnsafe(need);
      }
      const start = at;
      at = this.enc.encodeInto(out, at, e);
      const len = at - start;
      if (this.o.maxSize > 0 && this.size + start > 0 && this.size + at > this.o.maxSize) {
        // this entry goes to a new file: what came before it fills the current one
        if (start > 0) await this.writeOut(out.subarray(0, start));
        await this.rotate();
        out.copy(out, 0, start, at);
        at = len;
      }
    }
    if (at > 0) await this.writeOut(out.subarray(0, at));
  }

  private async rotate(): Promise<void> {
    await this.fh?.close();
    this.fh = null;
    const n = this.o.maxFile;
    if (n < 2) {
      await fsp.truncate(this.path, 0);
    } else {
      await this.compressing; // .1 must be done before it moves on
      const ext = this.o.compress ? '.gz' : '';
      for (let i = n - 1; i > 1; i--)
        await fsp.rename(`${this.path}.${i - 1}${ext}`, `${this.path}.${i}${ext}`).catch(() => {});
      await fsp.rename(this.path, `${this.path}.1`);
      if (this.o.compress) this.compressing = gzipFile(`${this.path}.1`).catch(() => {});
    }
    this.fh = await fsp.open(this.path, 'a', 0o640);
    this.size = 0;
  }

  async close(): Promise<void> {
    await this.compressing;
    await this.fh?.close();
    this.fh = null;
  }
}

async function gzipFile(p: string): Promise<void> {
  await pipeline(createReadStream(p), createGzip(), createWriteStream(`${p}.gz.tmp`));
  await fsp.rename(`${p}.gz.tmp`, `${p}.gz`);
  await fsp.rm(p, { force: true });
}

/** The rotated files that exist, oldest first, then the current file (one readdir, not a probe per name). */
export async function jsonLogFiles(path: string, maxFile = 100): Promise<string[]> {
  const slash = path.lastIndexOf('/');
  const dir = path.slice(0, slash + 1) || './';
  const base = path.slice(slash + 1);
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const rotated: Array<[number, string]> = [];
  for (const n of names) {
    if (!n.startsWith(base + '.')) continue;
    const m = /^\.(\d+)(\.gz)?$/.exec(n.slice(base.length));
    if (m && Number(m[1]) >= 1 && Number(m[1]) <= maxFile) rotated.push([Number(m[1]) * 2 + (m[2] ? 0 : 1), dir + n]);
  }
  // oldest (highest number) first; for one number the plain file (mid-compression) before its .gz
  rotated.sort((a, b) => b[0] - a[0]);
  return [...rotated.map((r) => r[1]), path];
}

/** A message whose time is parsed only when asked for (most reads never do). */
class JsonLogMessage implements LogMessage {
  #time = -2n;
  constructor(
    readonly stream: 'stdout' | 'stderr',
    readonly line: Buffer,
    private readonly tb: Buffer,
    private readonly ts: number,
    private readonly te: number,
  ) {}
  get time(): bigint {
    if (this.#time === -2n) this.#time = parseRFC3339Bytes(this.tb, this.ts, this.te);
    return this.#time;
  }
  get timestamp(): string {
    return formatRFC3339NanoFixed(this.time);
  }
}

const STREAM_KEY = Buffer.from(',"stream":"');
const TIME_KEY = Buffer.from('"time":"');
const LOG_KEY = Buffer.from('{"log":"');
const BACKSLASH = 92;

function slowParse(l: Buffer): LogMessage | null {
  try {
    const o = JSON.parse(l.toString('utf8')) as { log?: string; stream?: string; time?: string };
    const tb = Buffer.from(o.time ?? '');
    return new JsonLogMessage(o.stream === 'stderr' ? 'stderr' : 'stdout', Buffer.from(o.log ?? ''), tb, 0, tb.length);
  } catch {
    return null;
  }
}

/**
 * Parses one line of buf[s, e). Fast path for the lines we write ourselves: `{"log":"…","stream":…`
 * where the only escape is a final "\n": the text is sliced out, no JSON.parse. A raw `,"stream":"`
 * can only be the key (quotes inside strings are escaped), so lastIndexOf finds it.
 */
function parseLine(buf: Buffer, s: number, e: number): LogMessage | null {
  if (e - s < 40 || !hasLogKey(buf, s)) return slowParse(buf.subarray(s, e));
  // Our own layout first, checked byte by byte from the end (a native call costs more than these
  // few compares on short lines): …","stream":"stdxxx","time":"<ts>"}
  let k = -1;
  let t = -1;
  let te = e - 2;
  if (buf[e - 1] === 125 && buf[te] === 34) {
    let q = te - 1;
    const stop = Math.max(s, te - 40);
    while (q > stop && buf[q] !== 34) q--;
    // q: the quote opening the time value; `"time":"` is 8 bytes, after a comma; `,"stream":"stdxxx"`
    // (18 bytes) before that comma: its key starts 26 bytes before q
    if (
      buf[q] === 34 &&
      matchAt(buf, q - 7, TIME_KEY) &&
      buf[q - 8] === 44 &&
      buf[q - 9] === 34 &&
      matchAt(buf, q - 26, STREAM_KEY)
    ) {
      t = q - 7;
      k = q - 26;
    }
  }
  if (k < 0) {
    k = buf.lastIndexOf(STREAM_KEY, e);
    t = buf.lastIndexOf(TIME_KEY, e);
    if (k < s || t < k) return slowParse(buf.subarray(s, e));
    te = buf.indexOf(34, t + TIME_KEY.length);
    if (te < 0) te = t + TIME_KEY.length;
  }
  if (buf[k - 1] !== 34) return slowParse(buf.subarray(s, e));
  const ls = s + LOG_KEY.length;
  const le = k - 1; // the closing quote of the log string
  const bs = le - ls < 256 ? backslash(buf, ls, le) : buf.indexOf(BACKSLASH, ls);
  let line: Buffer;
  if (bs < 0 || bs >= le) line = buf.subarray(ls, le);
  else if (bs === le - 2 && buf[le - 1] === 110) {
    // the escaped "\n" ending the text: unescaped in place (the read buffer is ours), no copy
    buf[le - 2] = 10;
    line = buf.subarray(ls, le - 1);
  } else return slowParse(buf.subarray(s, e));
  const stream = buf[k + STREAM_KEY.length + 3] === 101 ? 'stderr' : 'stdout'; // std(e)rr
  return new JsonLogMessage(stream, line, buf, t + TIME_KEY.length, te);
}

function hasLogKey(b: Buffer, at: number): boolean {
  for (let i = 0; i < LOG_KEY.length; i++) if (b[at + i] !== LOG_KEY[i]) return false;
  return true;
}

function matchAt(b: Buffer, at: number, key: Buffer): boolean {
  if (at < 0) return false;
  for (let i = 0; i < key.length; i++) if (b[at + i] !== key[i]) return false;
  return true;
}

/** The first backslash in b[from, to), or -1: a JS loop, cheaper than indexOf on short text. */
function backslash(b: Buffer, from: number, to: number): number {
  for (let i = from; i < to; i++) if (b[i] === BACKSLASH) return i;
  return -1;
}

const READ_CHUNK = 1024 * 1024;

/**
 * Parses the lines of a chunk read after `carry` (the incomplete line the previous chunk ended
 * with): only that line is joined, the rest is parsed in place. Returns the new carry.
 */
export function parseChunk(chunk: Buffer, carry: Buffer | null, out: LogMessage[]): Buffer | null {
  let start = 0;
  if (carry !== null) {
    const nl = chunk.indexOf(10);
    if (nl < 0) return Buffer.concat([carry, chunk]);
    parseLines(Buffer.concat([carry, chunk.subarray(0, nl + 1)]), out);
    start = nl + 1;
  }
  const used = parseLines(chunk, out, start);
  return used < chunk.length ? Buffer.from(chunk.subarray(used)) : null;
}

/** Splits complete lines off buf (from `pos`); returns messages and bytes consumed. */
function parseLines(buf: Buffer, out: LogMessage[], pos = 0): number {
  for (;;) {
    const nl = buf.indexOf(10, pos);
    if (nl < 0) return pos;
    if (nl > pos) {
      const m = parseLine(buf, pos, nl);
      if (m) out.push(m);
    }
    pos = nl + 1;
  }
}

/** A json-file line's time, for the --since search (the buffer is scratch: parseLine may unescape in it). */
const jsonLineTime: LineTime = (buf, s, e) => parseLine(buf, s, e)?.time ?? -1n;

/** The part of an uncompressed file from where lines at or after `since` may begin. */
async function readSince(file: string, since: bigint): Promise<Buffer> {
  const h = await fsp.open(file, 'r').catch(() => null);
  if (!h) return Buffer.alloc(0);
  try {
    const size = (await h.stat()).size;
    const off = await sinceOffset(h, size, since, jsonLineTime);
    const buf = Buffer.allocUnsafe(size - off);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await h.read(buf, n, buf.length - n, off + n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return buf.subarray(0, n);
  } finally {
    await h.close();
  }
}

export async function readWhole(file: string): Promise<Buffer> {
  if (!file.endsWith('.gz')) return fsp.readFile(file).catch(() => Buffer.alloc(0));
  const chunks: Buffer[] = [];
  await pipeline(createReadStream(file), createGunzip(), async (src: AsyncIterable<Buffer>) => {
    for await (const c of src) chunks.push(c);
  }).catch(() => {});
  return Buffer.concat(chunks);
}

/** Counts lines backwards: the offset where the last n lines of the first `size` bytes begin. */
async function tailStart(fh: fsp.FileHandle, size: number, n: number): Promise<{ offset: number; found: number }> {
  let found = 0;
  let end = size;
  const BLOCK = 64 * 1024;
  const buf = Buffer.allocUnsafe(BLOCK);
  let skipLast = true; // the final "\n" ends the last line, it does not start one
  while (end > 0) {
    const start = Math.max(0, end - BLOCK);
    const { bytesRead } = await fh.read(buf, 0, end - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buf[i] !== 10) continue;
      if (skipLast && start + i === size - 1) continue;
      if (++found === n) return { offset: start + i + 1, found };
    }
    skipLast = false;
    end = start;
  }
  return { offset: 0, found: size > 0 ? found + 1 : 0 };
}

/**
 * The files a --tail read needs, and where in the first one to begin: a byte offset, -1 for the
 * end of the current file (--tail 0), or -2-k to skip k lines of a gzipped one.
 */
async function tailFiles(files: string[], tail: number | undefined): Promise<{ files: string[]; firstOffset: number }> {
  if (tail === undefined || tail < 0) return { files, firstOffset: 0 };
  let firstOffset = 0;
  let need = tail;
  let idx = files.length;
  if (need === 0) {
    idx = files.length - 1;
    firstOffset = -1; // at the end of the current file
  }
  while (need > 0 && idx > 0) {
    idx--;
    const f = files[idx]!;
    if (f.endsWith('.gz')) {
      const lines = (await readWhole(f))
        .toString('utf8')
        .split('\n')
        .filter((x) => x).length;
      if (lines >= need) {
        firstOffset = -2 - (lines - need); // skip that many lines of the gz file
        need = 0;
      } else need -= lines;
      continue;
    }
    const h = await fsp.open(f, 'r').catch(() => null);
    if (!h) continue;
    const r = await tailStart(h, (await h.stat()).size, need);
    await h.close();
    if (r.found >= need) {
      firstOffset = r.offset;
      need = 0;
    } else need -= r.found;
  }
  if (need > 0) firstOffset = 0;
  return { files: files.slice(idx), firstOffset };
}

export class JsonFileReader extends BatchedFileReader {
  async *readBatches(o: ReadOptions, signal: AbortSignal, done?: Promise<void>): AsyncGenerator<LogMessage[]> {
    if (!o.stdout && !o.stderr) return;
    const f = new MessageFilter(o);
    const { since } = f;
    const wake = new FollowWake(this.path, this.pollMs, o.follow, signal, done);
    try {
      const { files, firstOffset } = await tailFiles(await jsonLogFiles(this.path), o.tail);
      // Rotated files are read whole (they do not change); the current one is read and followed.
      const bySince = since !== undefined && (o.tail === undefined || o.tail < 0);
      for (let i = 0; i < files.length - 1; i++) {
        let buf =
          bySince && !files[i]!.endsWith('.gz') ? await readSince(files[i]!, since) : await readWhole(files[i]!);
        if (i === 0 && firstOffset > 0) buf = buf.subarray(firstOffset);
        const msgs: LogMessage[] = [];
        parseLines(buf, msgs);
        if (i === 0 && firstOffset <= -2) msgs.splice(0, -2 - firstOffset);
        const out = f.apply(msgs);
        if (out.length) yield out;
        if (f.ended || signal.aborted) return;
      }
      const startAt = files.length === 1 ? firstOffset : 0; // the offset was for the first file
      let carry: Buffer | null = null;
      const chunks = readCurrentFile({
        path: this.path,
        follow: o.follow,
        signal,
        wake,
        chunkSize: READ_CHUNK,
        readAhead: true,
        truncation: true,
        opened: () => void (carry = null),
        start: (fh, size) => {
          if (startAt !== 0) return startAt === -1 ? size : Math.max(0, startAt);
          return bySince ? sinceOffset(fh, size, since, jsonLineTime) : 0;
        },
      });
      for await (const chunk of chunks) {
        const msgs: LogMessage[] = [];
        carry = parseChunk(chunk, carry, msgs);
        const out = f.apply(msgs);
        if (out.length) yield out;
        if (f.ended) return;
      }
    } finally {
      wake.close();
    }
  }
}
