// Just enough DNS wire format for the embedded resolver: read the question, write A/AAAA answers or an error.

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
export const RCODE_OK = 0;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;

export interface Question {
  id: number;
  flags: number;
  name: string; // lower-case, no trailing dot
  type: number;
  cls: number;
  /** Byte offset just past the question section. */
  end: number;
}

export function parseQuery(b: Buffer): Question | null {
  if (b.length < 12) return null;
  const qd = b.readUInt16BE(4);
  if (qd < 1) return null;
  let o = 12;
  const labels: string[] = [];
  for (;;) {
    if (o >= b.length) return null;
    const n = b[o]!;
    if (n === 0) {
      o++;
      break;
    }
    if (n & 0xc0) return null; // no compression in questions
    if (o + 1 + n > b.length) return null;
    labels.push(b.toString('latin1', o + 1, o + 1 + n));
    o += 1 + n;
  }
  if (o + 4 > b.length) return null;
  return {
    id: b.readUInt16BE(0),
    flags: b.readUInt16BE(2),
    name: labels.join('.').toLowerCase(),
    type: b.readUInt16BE(o),
    cls: b.readUInt16BE(o + 2),
    end: o + 4,
  };
}

function encodeName(name: string): Buffer {
  const parts = name ? name.split('.') : [];
  const bufs = parts.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]));
  return Buffer.concat([...bufs, Buffer.from([0])]);
}

export function encodeQuery(id: number, name: string, type: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(0x0100, 2); // RD
  h.writeUInt16BE(1, 4);
  const q = Buffer.alloc(4);
  q.writeUInt16BE(type, 0);
  q.writeUInt16BE(1, 2);
  return Buffer.concat([h, encodeName(name), q]);
}

/** A response echoing the query's question with `rdata` answers (4 bytes for A, 16 for AAAA). */
export function encodeResponse(query: Buffer, q: Question, rcode: number, answers: Buffer[], ttl = 600): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(q.id, 0);
  // QR, opcode copied, AA, RD copied, RA
  h.writeUInt16BE(0x8000 | (q.flags & 0x7800) | 0x0400 | (q.flags & 0x0100) | 0x0080 | (rcode & 0xf), 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(answers.length, 6);
  const rrs = answers.map((rd) => {
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
    rr.writeUInt16BE(rd.length === 16 ? TYPE_AAAA : TYPE_A, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(rd.length, 10);
    return Buffer.concat([rr, rd]);
  });
  return Buffer.concat([h, query.subarray(12, q.end), ...rrs]);
}

export function parseAnswers(b: Buffer): { rcode: number; a: string[] } {
  const rcode = b.readUInt16BE(2) & 0xf;
  const an = b.readUInt16BE(6);
  const q = parseQuery(b);
  let o = q ? q.end : 12;
  const a: string[] = [];
  for (let i = 0; i < an && o < b.length; i++) {
    // skip the owner name (pointer or labels)
    while (o < b.length) {
      const n = b[o]!;
      if (n === 0) {
        o++;
        break;
      }
      if ((n & 0xc0) === 0xc0) {
        o += 2;
        break;
      }
      o += 1 + n;
    }
    const type = b.readUInt16BE(o);
    const len = b.readUInt16BE(o + 8);
    const rd = b.subarray(o + 10, o + 10 + len);
    if (type === TYPE_A && len === 4) a.push([...rd].join('.'));
    o += 10 + len;
  }
  return { rcode, a };
}
