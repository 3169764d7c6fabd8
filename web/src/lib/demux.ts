// Docker's stdcopy framing (logs and attach of a container without a tty): 8-byte headers
// [stream, 0, 0, 0, size(BE32)] then the payload. Chunks from fetch split frames anywhere.

export type StreamName = 'stdin' | 'stdout' | 'stderr' | 'system';
export interface Chunk {
  stream: StreamName;
  data: Uint8Array;
}
const NAMES: StreamName[] = ['stdin', 'stdout', 'stderr', 'system'];

export class StdDemux {
  private buf = new Uint8Array(0);

  /** The whole frames completed by this chunk. */
  push(chunk: Uint8Array): Chunk[] {
    const b = new Uint8Array(this.buf.length + chunk.length);
    b.set(this.buf);
    b.set(chunk, this.buf.length);
    const out: Chunk[] = [];
    let off = 0;
    while (b.length - off >= 8) {
      const size = ((b[off + 4]! << 24) >>> 0) + (b[off + 5]! << 16) + (b[off + 6]! << 8) + b[off + 7]!;
      if (b.length - off - 8 < size) break;
      out.push({ stream: NAMES[b[off]!] ?? 'stdout', data: b.slice(off + 8, off + 8 + size) });
      off += 8 + size;
    }
    this.buf = b.slice(off);
    return out;
  }
}

/** Splits text into complete lines per stream, keeping each stream's unfinished tail. */
export class LineSplitter {
  private tails = new Map<string, string>();
  private decoders = new Map<string, TextDecoder>();

  push(stream: string, data: Uint8Array): string[] {
    let dec = this.decoders.get(stream);
    if (!dec) this.decoders.set(stream, (dec = new TextDecoder()));
    const text = (this.tails.get(stream) ?? '') + dec.decode(data, { stream: true });
    const parts = text.split('\n');
    this.tails.set(stream, parts.pop()!);
    return parts.map((l) => l.replace(/\r$/, ''));
  }
}
