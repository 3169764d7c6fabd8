// Demultiplexes Docker's stdcopy framing: [stream, 0, 0, 0, size(uint32 BE)] + payload.
// stream 0 = stdin (echoed), 1 = stdout, 2 = stderr, 3 = systemerr (daemon error text).
import { Writable } from 'node:stream';

export interface DemuxSinks {
  stdout: (b: Buffer) => void;
  stderr: (b: Buffer) => void;
  /** Stream 3: the daemon reports an error in-band. */
  systemErr?: (text: string) => void;
}

export class StdDemuxer {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly sinks: DemuxSinks) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      const kind = this.buf[0];
      const payload = this.buf.subarray(8, 8 + size);
      this.buf = this.buf.subarray(8 + size);
      if (kind === 0 || kind === 1) this.sinks.stdout(payload);
      else if (kind === 2) this.sinks.stderr(payload);
      else if (kind === 3) {
        if (this.sinks.systemErr) this.sinks.systemErr(payload.toString());
        else this.sinks.stderr(payload);
      } else throw new Error(`Unrecognized input header: ${kind}`);
    }
  }

  /** Bytes of an incomplete frame left when the stream ended. */
  get pending(): number {
    return this.buf.length;
  }
}

/** A Writable that demuxes into two writables (e.g. process.stdout/stderr). */
export function demuxTo(stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Writable {
  const d = new StdDemuxer({ stdout: (b) => stdout.write(b), stderr: (b) => stderr.write(b) });
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      try {
        d.push(chunk);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}

/** Encode one frame (tests and fakes). */
export function frame(stream: 0 | 1 | 2 | 3, payload: Buffer | string): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(p.length, 4);
  return Buffer.concat([h, p]);
}
