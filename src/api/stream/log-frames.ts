// Encodes a batch of log lines for GET /containers/{id}/logs: stdcopy frames without a TTY,
// raw bytes with one; `timestamps=1` prefixes each line like moby's write_log_stream.go.
import { HEADER_LEN } from '../wire/stdcopy.js';

/** Structural twin of logs' LogMessage (api/ does not import logs/). */
export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  readonly timestamp: string;
  readonly line: Buffer;
}

export interface LogFrameOptions {
  /** The container has a TTY: no framing (the CLI prints the body as is). */
  tty: boolean;
  /** Prefix each line with its RFC 3339 timestamp and a space. */
  timestamps: boolean;
}

/** One Buffer for the whole batch, so the response sees one write per batch. */
export function encodeLogBatch(batch: readonly LogLine[], o: LogFrameOptions): Buffer {
  const head = o.tty ? 0 : HEADER_LEN;
  // Runs of lines share a timestamp (same string object from the reader): encode it once per run.
  const stamps: Buffer[] | null = o.timestamps ? new Array<Buffer>(batch.length) : null;
  let n = 0;
  let prevTs: string | null = null;
  let prevBuf = Buffer.alloc(0);
  for (let i = 0; i < batch.length; i++) {
    const m = batch[i]!;
    n += head + m.line.length;
    if (stamps !== null) {
      const ts = m.timestamp;
      if (ts !== prevTs) {
        prevTs = ts;
        prevBuf = Buffer.from(ts + ' ', 'latin1'); // timestamps are ASCII
      }
      stamps[i] = prevBuf;
      n += prevBuf.length;
    }
  }
  const b = Buffer.allocUnsafe(n);
  let at = 0;
  for (let i = 0; i < batch.length; i++) {
    const m = batch[i]!;
    const ts = stamps === null ? null : stamps[i]!;
    if (head > 0) {
      b[at] = m.stream === 'stdout' ? 1 : 2;
      b[at + 1] = b[at + 2] = b[at + 3] = 0;
      b.writeUInt32BE((ts === null ? 0 : ts.length) + m.line.length, at + 4);
      at += head;
    }
    if (ts !== null) at += ts.copy(b, at);
    at += m.line.copy(b, at);
  }
  return b;
}
