// Docker's multiplexed stdio framing (moby pkg/stdcopy), written by attach, exec and logs when
// there is no TTY and read by the client: an 8-byte header [stream, 0, 0, 0, uint32 big-endian length] per payload.
import { Transform, type TransformCallback } from 'node:stream';

/** 0 stdin, 1 stdout, 2 stderr, 3 systemerr (an error from the daemon, ends the stream). */
export type StdStream = 0 | 1 | 2 | 3;

export interface StdFrame {
  stream: StdStream;
  payload: Buffer;
}

export const HEADER_LEN = 8;
const MAX_LEN = 0xffff_ffff;

/** The 8-byte header for a payload of `length` bytes. */
export function header(stream: StdStream, length: number): Buffer {
  const h = Buffer.alloc(HEADER_LEN);
  h[0] = stream;
  h.writeUInt32BE(length, 4);
  return h;
}

/** One frame: header and payload in a single Buffer (one write, one syscall). */
export function frame(stream: StdStream, data: Buffer | string): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  if (payload.length > MAX_LEN) throw new RangeError(`stdcopy: payload of ${payload.length} bytes is too large`);
  const b = Buffer.allocUnsafe(HEADER_LEN + payload.length);
  b[0] = stream;
  b[1] = b[2] = b[3] = 0;
  b.writeUInt32BE(payload.length, 4);
  payload.copy(b, HEADER_LEN);
  return b;
}

/**
 * Frames many payloads into one Buffer, e.g. a batch of log lines, so the socket sees one
 * write per batch instead of one per line.
 */
export function frameAll(frames: readonly StdFrame[]): Buffer {
  let n = 0;
  for (const f of frames) n += HEADER_LEN + f.payload.length;
  const b = Buffer.allocUnsafe(n);
  let at = 0;
  for (const f of frames) {
    b[at] = f.stream;
    b[at + 1] = b[at + 2] = b[at + 3] = 0;
    b.writeUInt32BE(f.payload.length, at + 4);
    f.payload.copy(b, at + HEADER_LEN);
    at += HEADER_LEN + f.payload.length;
  }
  return b;
}

/**
 * Incremental frame parser: push chunks as they come, get whole frames back, whatever the
 * chunking. A stream id above 3 is an error with moby's text. Pieces are joined only once a whole
 * frame is here, so a big frame arriving in many chunks costs one copy.
 */
export class FrameParser {
  private chunks: Buffer[] = [];
  private size = 0;
  // Length of the frame being collected (header included), or -1 when the header is not read yet.
  private need = -1;

  push(chunk: Buffer, onFrame: (f: StdFrame) => void): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    for (;;) {
      if (this.need < 0) {
        if (this.size < HEADER_LEN) return;
        const h = this.first(HEADER_LEN);
        const s = h[0]!;
        if (s > 3) throw new Error(`Unrecognized input header: ${s}`);
        this.need = HEADER_LEN + h.readUInt32BE(4);
      }
      if (this.size < this.need) return;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
      const f: StdFrame = { stream: all[0] as StdStream, payload: all.subarray(HEADER_LEN, this.need) };
      const rest = all.subarray(this.need);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
      this.need = -1;
      onFrame(f);
    }
  }

  /** Bytes of an incomplete frame held (at the end of a stream: a truncated frame, dropped like moby's StdCopy). */
  get pending(): number {
    return this.size;
  }

  // The first n bytes, without consuming them (n is small: a header).
  private first(n: number): Buffer {
    const head = this.chunks[0]!;
    if (head.length >= n) return head;
    const b = Buffer.concat(this.chunks, this.size);
    this.chunks = [b];
    return b;
  }
}

/** FrameParser as a Transform: framed bytes in, `{stream, payload}` objects out. */
export class Demuxer extends Transform {
  private readonly parser = new FrameParser();

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.parser.push(chunk, (f) => this.push(f));
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}

/** Demuxes a whole framed Buffer (tests, small responses). */
export function demuxAll(b: Buffer): StdFrame[] {
  const out: StdFrame[] = [];
  let at = 0;
  while (b.length - at >= HEADER_LEN) {
    const s = b[at]!;
    if (s > 3) throw new Error(`Unrecognized input header: ${s}`);
    const end = at + HEADER_LEN + b.readUInt32BE(at + 4);
    if (end > b.length) break;
    out.push({ stream: s as StdStream, payload: b.subarray(at + HEADER_LEN, end) });
    at = end;
  }
  return out;
}
