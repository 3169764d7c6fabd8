// Demultiplexes Docker's stdcopy framing (parsed by api/wire/stdcopy.ts, the one implementation)
// into sinks: stream 0 = stdin (echoed) and 1 go to stdout, 2 to stderr, 3 = systemerr (daemon
// error text) to its own sink when given.
import { Writable } from 'node:stream';
import { FrameParser, type StdFrame } from '../api/wire/stdcopy.js';

export { frame } from '../api/wire/stdcopy.js';

export interface DemuxSinks {
  stdout: (b: Buffer) => void;
  stderr: (b: Buffer) => void;
  /** Stream 3: the daemon reports an error in-band. */
  systemErr?: (text: string) => void;
}

export class StdDemuxer {
  private readonly parser = new FrameParser();
  private readonly route: (f: StdFrame) => void;

  constructor(sinks: DemuxSinks) {
    this.route = (f) => {
      if (f.stream === 0 || f.stream === 1) sinks.stdout(f.payload);
      else if (f.stream === 2) sinks.stderr(f.payload);
      else if (sinks.systemErr) sinks.systemErr(f.payload.toString());
      else sinks.stderr(f.payload);
    };
  }

  push(chunk: Buffer): void {
    this.parser.push(chunk, this.route);
  }

  /** Bytes of an incomplete frame left when the stream ended. */
  get pending(): number {
    return this.parser.pending;
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
