// Docker's `local` log driver format: each entry is a protobuf LogEntry framed by its size as a
// 4-byte big-endian number before and after it, so the file can be walked both ways:
//   [u32 size][LogEntry][u32 size]
//   LogEntry { string source = 1; int64 time_nano = 2; bytes line = 3; bool partial = 4;
//              PartialLogEntryMetadata partial_log_metadata = 5 { bool last = 1; string id = 2; int32 ordinal = 3 } }
// The line is stored without its newline (the reader adds it back unless a partial piece
// follows). A tiny hand-written varint codec is all protobuf needs here.

export interface LocalEntry {
  stream: 'stdout' | 'stderr';
  time: bigint;
  /** Without the trailing newline. */
  line: Buffer;
  partial?: { last: boolean; id: string; ordinal: number } | null;
}

function varintLen(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function putVarint(out: Buffer, at: number, v: number): number {
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[at++] = v;
  return at;
}

// conmon stamps runs of lines with one time: its varint is encoded once per run
let lastTime = -1n;
let lastTimeBytes = Buffer.alloc(0);

function timeVarint(t: bigint): Buffer {
  if (t === lastTime) return lastTimeBytes;
  let v = BigInt.asUintN(64, t); // int64 as protobuf sends it (negative: 10 bytes)
  const b: number[] = [];
  while (v >= 0x80n) {
    b.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  b.push(Number(v));
  lastTime = t;
  lastTimeBytes = Buffer.from(b);
  return lastTimeBytes;
}

const SOURCE_OUT = Buffer.from([0x0a, 6, ...Buffer.from('stdout')]);
const SOURCE_ERR = Buffer.from([0x0a, 6, ...Buffer.from('stderr')]);

/** An upper bound of the framed size of an entry. */
export function maxLocalLen(line: number, idLen = 64): number {
  return 8 + 8 + 11 + 1 + 5 + line + 2 + 2 + 2 + 5 + idLen + 6;
}

/** Writes one framed entry at out[at…] (room for maxLocalLen is the caller's job); returns the new end. */
export function encodeLocalInto(out: Buffer, at: number, e: LocalEntry): number {
  const start = at;
  at += 4;
  at += (e.stream === 'stderr' ? SOURCE_ERR : SOURCE_OUT).copy(out, at);
  if (e.time !== 0n) {
    out[at++] = 0x10;
    at += timeVarint(e.time).copy(out, at);
  }
  if (e.line.length > 0) {
    out[at++] = 0x1a;
    at = putVarint(out, at, e.line.length);
    at += e.line.copy(out, at);
  }
  const p = e.partial;
  if (p) {
    out[at++] = 0x20;
    out[at++] = 1;
    const idLen = Buffer.byteLength(p.id);
    const metaLen =
      (p.last ? 2 : 0) + (idLen ? 1 + varintLen(idLen) + idLen : 0) + (p.ordinal ? 1 + varintLen(p.ordinal) : 0);
    out[at++] = 0x2a;
    at = putVarint(out, at, metaLen);
    if (p.last) {
      out[at++] = 0x08;
      out[at++] = 1;
    }
    if (idLen) {
      out[at++] = 0x12;
      at = putVarint(out, at, idLen);
      at += out.write(p.id, at, 'utf8');
    }
    if (p.ordinal) {
      out[at++] = 0x18;
      at = putVarint(out, at, p.ordinal);
    }
  }
  const size = at - start - 4;
  out.writeUInt32BE(size, start);
  out.writeUInt32BE(size, at);
  return at + 4;
}

export function encodeLocal(e: LocalEntry): Buffer {
  const out = Buffer.allocUnsafe(maxLocalLen(e.line.length, e.partial ? Buffer.byteLength(e.partial.id) : 0));
  return out.subarray(0, encodeLocalInto(out, 0, e));
}

/** What decodeLocal found; line is a view into the buffer. */
export interface DecodedLocal {
  stream: 'stdout' | 'stderr';
  /** Offset and end of the time_nano varint in the buffer (decoded on demand), or -1. */
  timeAt: number;
  line: Buffer;
  lineEnd: number;
  partial: boolean;
  last: boolean;
}

/** Reads a varint as a bigint (times need all 64 bits). */
export function readVarintBig(b: Buffer, at: number): bigint {
  let lo = 0;
  let shift = 0;
  let i = at;
  // the first 4 bytes (28 bits) as a number, the rest as a bigint
  for (; i < at + 4; i++) {
    lo += (b[i]! & 0x7f) * 2 ** shift;
    shift += 7;
    if (b[i]! < 0x80) return BigInt.asIntN(64, BigInt(lo));
  }
  let hi = 0n;
  let hs = 0n;
  for (; i < at + 10; i++) {
    hi |= BigInt(b[i]! & 0x7f) << hs;
    hs += 7n;
    if (b[i]! < 0x80) break;
  }
  return BigInt.asIntN(64, (hi << 28n) | BigInt(lo));
}

function readVarint(b: Buffer, at: number, end: number): [number, number] {
  let v = 0;
  let mult = 1;
  while (at < end) {
    const c = b[at++]!;
    v += (c & 0x7f) * mult;
    if (c < 0x80) return [v, at];
    mult *= 128;
  }
  return [-1, at];
}

/** Decodes the LogEntry in b[s, e) (the size frames excluded); null when malformed. */
export function decodeLocal(b: Buffer, s: number, e: number): DecodedLocal | null {
  let at = s;
  let stream: 'stdout' | 'stderr' = 'stdout';
  let timeAt = -1;
  let ls = at;
  let le = at;
  let partial = false;
  let last = false;
  while (at < e) {
    const tag = b[at++]!;
    const field = tag >> 3;
    const wire = tag & 7;
    if (wire === 0) {
      const vs = at;
      while (at < e && b[at]! >= 0x80) at++;
      at++;
      if (field === 2) timeAt = vs;
      else if (field === 4) partial = b[vs] !== 0;
    } else if (wire === 2) {
      const [len, next] = readVarint(b, at, e);
      if (len < 0 || next + len > e) return null;
      at = next + len;
      if (field === 1)
        stream = b[next + 3] === 0x65 ? 'stderr' : 'stdout'; // std(e)rr
      else if (field === 3) {
        ls = next;
        le = at;
      } else if (field === 5) {
        for (let m = next; m < at; ) {
          const t = b[m++]!;
          if (t === 0x08) last = b[m++] !== 0;
          else if ((t & 7) === 2) {
            const [l, n2] = readVarint(b, m, at);
            m = n2 + Math.max(0, l);
          } else if ((t & 7) === 0) {
            while (m < at && b[m]! >= 0x80) m++;
            m++;
          } else break;
        }
      }
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else return null;
  }
  if (at !== e) return null;
  return { stream, timeAt, line: b.subarray(ls, le), lineEnd: le, partial, last };
}
