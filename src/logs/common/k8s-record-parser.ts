// Parses conmon's k8s-file records: `<RFC3339 local time> <stdout|stderr> <F|P> <content>\n`.
// `P` records are pieces of a line that conmon got without its newline yet; the next record of
// the same stream continues it. Parsing works on Buffers with indexOf and hands out subarrays,
// so a full line costs one message object and one Buffer view, no copies.
import type { LogMessage, LogStream } from './log-reader.js';
import { formatRFC3339NanoFixed, parseRFC3339Bytes } from './timestamps.js';

const NL = 10;
const SP = 32;
const F = 70;
const P = 80;

// conmon stamps every line of one read(2) with the same time, so runs of lines share it:
// remember the last raw timestamp and its parsed and formatted forms.
let lastBuf: Buffer | null = null;
let lastStart = 0;
let lastLen = -1;
let lastParsed = -1n;
let lastTime = -1n;
let lastStamp = '';

function parseCached(b: Buffer, start: number, end: number): bigint {
  const len = end - start;
  if (len === lastLen && lastBuf !== null) {
    // From the end: the nanoseconds differ first. A JS loop beats Buffer.compare's native call here.
    let i = len - 1;
    while (i >= 0 && b[start + i] === lastBuf[lastStart + i]) i--;
    if (i < 0) return lastParsed;
  }
  lastParsed = parseRFC3339Bytes(b, start, end);
  lastBuf = b; // a view that messages hold anyway; no copy
  lastStart = start;
  lastLen = len;
  return lastParsed;
}

/** A message whose time and timestamp are parsed only when asked for (most reads never do). */
export class K8sLogMessage implements LogMessage {
  #time = -1n;
  constructor(
    readonly stream: LogStream,
    readonly line: Buffer,
    private readonly tsBuf: Buffer,
    private readonly tsStart: number,
    private readonly tsEnd: number,
  ) {}
  get time(): bigint {
    if (this.#time < 0n) this.#time = parseCached(this.tsBuf, this.tsStart, this.tsEnd);
    return this.#time;
  }
  get timestamp(): string {
    const t = this.time;
    if (t !== lastTime) {
      lastTime = t;
      lastStamp = formatRFC3339NanoFixed(t);
    }
    return lastStamp;
  }
}

interface Pending {
  parts: Buffer[];
  tsBuf: Buffer;
  tsStart: number;
  tsEnd: number;
}

export class K8sRecordParser {
  // Index 0 stdout, 1 stderr: partial pieces waiting for their F record.
  private readonly pending: [Pending | null, Pending | null] = [null, null];

  /**
   * Parses the complete records in buf[start, end) into `out`. Returns the offset of the first
   * byte not consumed (the start of an incomplete trailing record, or `end`).
   */
  parse(buf: Buffer, start: number, end: number, out: LogMessage[]): number {
    let pos = start;
    for (;;) {
      const nl = buf.indexOf(NL, pos);
      if (nl < 0 || nl >= end) return pos;
      const s1 = buf.indexOf(SP, pos);
      // s1+7 and s1+9 are the spaces around the tag; anything else is not a record (skip it).
      if (s1 < 0 || s1 + 10 > nl + 1 || buf[s1 + 7] !== SP || buf[s1 + 9] !== SP || buf[s1 + 3] !== 100) {
        pos = nl + 1;
        continue;
      }
      const c = buf[s1 + 4];
      const tag = buf[s1 + 8];
      // std(o)ut / std(e)rr; stdin is never logged
      if ((c !== 111 && c !== 101) || (tag !== F && tag !== P)) {
        pos = nl + 1;
        continue;
      }
      const idx = c === 111 ? 0 : 1;
      const stream: LogStream = idx === 0 ? 'stdout' : 'stderr';
      const pend = this.pending[idx];
      if (tag === F) {
        const content = buf.subarray(s1 + 10, nl + 1);
        if (pend === null) out.push(new K8sLogMessage(stream, content, buf, pos, s1));
        else {
          pend.parts.push(content);
          out.push(new K8sLogMessage(stream, Buffer.concat(pend.parts), pend.tsBuf, pend.tsStart, pend.tsEnd));
          this.pending[idx] = null;
        }
      } else {
        // conmon appended a "\n" that is not part of the output.
        const content = buf.subarray(s1 + 10, nl);
        if (pend === null) this.pending[idx] = { parts: [content], tsBuf: buf, tsStart: pos, tsEnd: s1 };
        else pend.parts.push(content);
      }
      pos = nl + 1;
    }
  }

  /** Emits lines left unterminated (the output ended without a newline). */
  flush(out: LogMessage[]): void {
    for (const idx of [0, 1] as const) {
      const pend = this.pending[idx];
      if (pend === null) continue;
      const line = pend.parts.length === 1 ? pend.parts[0]! : Buffer.concat(pend.parts);
      out.push(new K8sLogMessage(idx === 0 ? 'stdout' : 'stderr', line, pend.tsBuf, pend.tsStart, pend.tsEnd));
      this.pending[idx] = null;
    }
  }

  /** Whether an unterminated line is waiting for its continuation. */
  get hasPending(): boolean {
    return this.pending[0] !== null || this.pending[1] !== null;
  }
}
