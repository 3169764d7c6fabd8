// Tar entries that can break neither the archive nor the daemon. A body is cut or zero-padded to
// the size written in its header (a file may grow or shrink while it is read; tar-stream's "Size
// mismatch" used to surface as an unheard 'error' that ended berthd); a file that vanished or
// changed type before it was opened is skipped; every entry stream has an error listener (its
// error is reported through the entry's callback instead).
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Header, Pack } from 'tar-stream';
import { drainedOrClosed } from '../../util/drained.js';

/** A header as tar-stream accepts it (it fills in what is left out). */
export type EntryHeader = Partial<Header> & { name: string };

/** What we use of tar-stream's entry stream (a streamx Writable). */
interface EntrySink {
  write(b: Buffer): boolean;
  end(): void;
  destroy(e?: Error): void;
  readonly destroyed: boolean;
  on(ev: string, f: (...a: unknown[]) => void): unknown;
  off(ev: string, f: (...a: unknown[]) => void): unknown;
}

const CHUNK = 64 * 1024;
const noop = () => {};

/** Errors that mean "the path changed under us": skip it, as Docker's archiver skips what it cannot add. */
export function vanished(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}

/**
 * Exactly `size` bytes: what `read` delivers up to `size` (the rest is left unread), then zeros
 * if it ends early. `read` fills the buffer it is given and returns the byte count, 0 at the end.
 */
export async function* sizedChunks(
  read: (buf: Buffer) => Promise<number>,
  size: number,
  chunk = CHUNK,
): AsyncGenerator<Buffer> {
  let left = size;
  let ended = false;
  while (left > 0) {
    const n = Math.min(chunk, left);
    if (!ended) {
      const buf = Buffer.allocUnsafe(n);
      const got = await read(buf);
      if (got > 0) {
        left -= got;
        yield buf.subarray(0, got);
        continue;
      }
      ended = true;
    }
    left -= n;
    yield Buffer.alloc(n);
  }
}

/** A `read` over an async iterable of buffers (a Readable), for sizedChunks. */
export function readerOf(src: AsyncIterable<Buffer>): (buf: Buffer) => Promise<number> {
  const it = src[Symbol.asyncIterator]();
  let rest: Buffer = Buffer.alloc(0);
  let done = false;
  return async (buf) => {
    while (rest.length === 0 && !done) {
      const r = await it.next();
      if (r.done) done = true;
      else rest = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
    }
    const n = rest.copy(buf, 0, 0, Math.min(buf.length, rest.length));
    rest = rest.subarray(n);
    return n;
  };
}

/**
 * Adds one entry whose body is `chunks` (exactly header.size bytes, see sizedChunks; none for
 * non-files). Rejects when the pack was destroyed (the client went away) or failed.
 */
export async function addEntry(tar: Pack, header: EntryHeader, chunks?: AsyncIterable<Buffer>): Promise<void> {
  let sink: EntrySink | undefined;
  const done = new Promise<void>((resolve, reject) => {
    // throws once the pack was destroyed: that rejects `done`
    sink = tar.entry(header as Header, (e) => (e ? reject(e) : resolve())) as unknown as EntrySink;
  });
  if (!sink) return done;
  done.catch(noop); // awaited below; a failure while writing must not count as unhandled meanwhile
  sink.on('error', noop); // reported through the callback
  try {
    if (chunks) {
      for await (const c of chunks) {
        if (sink.destroyed) break;
        if (!sink.write(c)) await drainedOrClosed(sink);
      }
    }
  } catch (e) {
    sink.destroy(e as Error); // a half-written entry cannot be finished: fail the whole archive
    throw e;
  }
  if (!sink.destroyed) sink.end();
  await done;
}

/** A buffer as a whole entry (size taken from it). */
export function addBuffer(tar: Pack, header: EntryHeader, data: Buffer): Promise<void> {
  return addEntry(
    tar,
    { ...header, size: data.length },
    (async function* () {
      if (data.length) yield data;
    })(),
  );
}

/**
 * A regular file as an entry, its size taken when it is opened and honoured however the file
 * changes while it is read. Opened without following symlinks and checked to be a regular file,
 * so a path swapped for a link meanwhile is never read through. Returns false (nothing added)
 * when the file vanished or is no longer a regular file.
 */
export async function addFile(tar: Pack, header: Omit<EntryHeader, 'size' | 'type'>, abs: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if (vanished(e)) return false;
    throw e;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return false;
    const read = async (buf: Buffer) => (await fh.read(buf, 0, buf.length, null)).bytesRead;
    await addEntry(tar, { ...header, type: 'file', size: st.size }, sizedChunks(read, st.size));
    return true;
  } finally {
    await fh.close().catch(noop);
  }
}

/** A stream of known size (a blob) as an entry; the stream is destroyed once the entry ends either way. */
export async function addStream(tar: Pack, header: EntryHeader & { size: number }, src: Readable): Promise<void> {
  try {
    await addEntry(tar, header, sizedChunks(readerOf(src), header.size));
  } finally {
    src.destroy();
  }
}
