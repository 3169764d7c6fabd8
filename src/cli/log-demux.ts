// `berth logs`' stdcopy demux (issue 18): one write per run of same-stream frames in a chunk, not
// one per frame (a write per 100-byte line held `berth logs > /dev/null` near 30 MB/s), and the
// response is paused while stdout or stderr is backed up.
import type { Readable } from 'node:stream';
import { drainedOrClosed } from '../util/drained.js';

const HEADER_LEN = 8;

/** Where each stream's bytes go: 0 (stdin echo) and 1 to stdout; 2, and 3 (daemon errors) to stderr. */
export type Sink = (stream: 1 | 2, b: Buffer) => void;

/** Incremental demuxer: push chunks, get the payload bytes back in runs of one stream. */
export class CoalescingDemuxer {
  private readonly head = Buffer.alloc(HEADER_LEN);
  private headHave = 0;
  /** Payload bytes of the current frame still to come, and its stream. */
  private left = 0;
  private stream: 1 | 2 = 1;

  push(chunk: Buffer, sink: Sink): void {
    // payloads are copied together: one buffer per chunk, handed on as views of it
    const out = Buffer.allocUnsafe(chunk.length);
    let at = 0;
    let runStart = 0;
    let runStream: 1 | 2 = this.stream;
    let i = 0;
    const flush = () => {
      if (at > runStart) sink(runStream, out.subarray(runStart, at));
      runStart = at;
    };
    while (i < chunk.length) {
      if (this.left === 0) {
        // a header read where it lies (the common case), or gathered across chunks
        let h = chunk;
        let hi = i;
        if (this.headHave > 0 || i + HEADER_LEN > chunk.length) {
          const n = Math.min(HEADER_LEN - this.headHave, chunk.length - i);
          chunk.copy(this.head, this.headHave, i, i + n);
          this.headHave += n;
          i += n;
          if (this.headHave < HEADER_LEN) break;
          this.headHave = 0;
          h = this.head;
          hi = 0;
        } else i += HEADER_LEN;
        const s = h[hi]!;
        if (s > 3) throw new Error(`Unrecognized input header: ${s}`);
        this.stream = s <= 1 ? 1 : 2;
        this.left = h.readUInt32BE(hi + 4);
        if (this.stream !== runStream) {
          flush();
          runStream = this.stream;
        }
        continue;
      }
      const n = Math.min(this.left, chunk.length - i);
      at += chunk.copy(out, at, i, i + n);
      i += n;
      this.left -= n;
    }
    flush();
  }

  /** Bytes of an incomplete frame left when the stream ended. */
  get pending(): number {
    return this.left + this.headHave;
  }
}

/** Copies a logs response to stdout/stderr (demuxed unless `tty`), waiting for full sinks to drain. */
export async function copyLogs(
  res: Readable,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
  tty: boolean,
): Promise<void> {
  const blocked = new Set<NodeJS.WritableStream>();
  const d = tty ? null : new CoalescingDemuxer();
  const sink: Sink = (s, b) => {
    const w = s === 1 ? stdout : stderr;
    if (!w.write(b)) blocked.add(w);
  };
  for await (const chunk of res) {
    if (d) d.push(chunk as Buffer, sink);
    else sink(1, chunk as Buffer);
    // the sink's 'drain', or the response going away (an interrupt)
    for (const w of blocked) await drainedOrClosed(w, res);
    blocked.clear();
  }
}
