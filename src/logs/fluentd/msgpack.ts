// The little MessagePack the fluentd forward protocol needs: nil, booleans, integers, strings,
// arrays, string-keyed maps and fluentd's EventTime (ext type 0); unpack reads that subset back.

export class EventTime {
  constructor(
    readonly sec: number,
    readonly nsec: number,
  ) {}
}

export type Packable = null | boolean | number | string | Buffer | EventTime | Packable[] | { [k: string]: Packable };

export function pack(v: Packable): Buffer {
  const parts: Buffer[] = [];
  put(v, parts);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

function head(b: number[]): Buffer {
  return Buffer.from(b);
}

function putStr(s: string | Buffer, parts: Buffer[]): void {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  const n = b.length;
  if (n < 32) parts.push(head([0xa0 | n]));
  else if (n < 0x100) parts.push(head([0xd9, n]));
  else if (n < 0x10000) parts.push(head([0xda, n >> 8, n & 0xff]));
  else {
    const h = Buffer.alloc(5);
    h[0] = 0xdb;
    h.writeUInt32BE(n, 1);
    parts.push(h);
  }
  parts.push(b);
}

function putInt(n: number, parts: Buffer[]): void {
  if (n >= 0 && n < 128) return void parts.push(head([n]));
  if (n < 0 && n >= -32) return void parts.push(head([n & 0xff]));
  const h = Buffer.alloc(9);
  if (n >= 0 && n <= 0xffffffff) {
    h[0] = 0xce;
    h.writeUInt32BE(n, 1);
    return void parts.push(h.subarray(0, 5));
  }
  if (n >= 0) {
    h[0] = 0xcf;
    h.writeBigUInt64BE(BigInt(n), 1);
  } else {
    h[0] = 0xd3;
    h.writeBigInt64BE(BigInt(n), 1);
  }
  parts.push(h);
}

function putLen(n: number, fix: number, b16: number, parts: Buffer[]): void {
  if (n < 16) parts.push(head([fix | n]));
  else if (n < 0x10000) parts.push(head([b16, n >> 8, n & 0xff]));
  else {
    const h = Buffer.alloc(5);
    h[0] = b16 + 1;
    h.writeUInt32BE(n, 1);
    parts.push(h);
  }
}

function put(v: Packable, parts: Buffer[]): void {
  if (v === null) parts.push(head([0xc0]));
  else if (v === true) parts.push(head([0xc3]));
  else if (v === false) parts.push(head([0xc2]));
  else if (typeof v === 'number') {
    if (!Number.isInteger(v)) {
      const h = Buffer.alloc(9);
      h[0] = 0xcb;
      h.writeDoubleBE(v, 1);
      parts.push(h);
    } else putInt(v, parts);
  } else if (typeof v === 'string' || Buffer.isBuffer(v)) putStr(v, parts);
  else if (v instanceof EventTime) {
    // fixext8, type 0: seconds and nanoseconds as big-endian uint32
    const h = Buffer.alloc(10);
    h[0] = 0xd7;
    h[1] = 0;
    h.writeUInt32BE(v.sec >>> 0, 2);
    h.writeUInt32BE(v.nsec >>> 0, 6);
    parts.push(h);
  } else if (Array.isArray(v)) {
    putLen(v.length, 0x90, 0xdc, parts);
    for (const x of v) put(x, parts);
  } else {
    const keys = Object.keys(v);
    putLen(keys.length, 0x80, 0xde, parts);
    for (const k of keys) {
      putStr(k, parts);
      put(v[k]!, parts);
    }
  }
}

/** Reads one value at b[at] (the subset pack writes, plus uint32); returns it and the next offset. Throws when b is short. */
export function unpack(b: Buffer, at = 0): [unknown, number] {
  if (at >= b.length) throw new RangeError('short buffer');
  const t = b[at]!;
  const str = (n: number, s: number): [string, number] => {
    if (s + n > b.length) throw new RangeError('short buffer');
    return [b.toString('utf8', s, s + n), s + n];
  };
  const seq = (n: number, s: number, map: boolean): [unknown, number] => {
    const out: unknown[] = [];
    const obj: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const [k, a] = unpack(b, s);
      s = a;
      if (map) {
        const [v, a2] = unpack(b, s);
        obj[k as string] = v;
        s = a2;
      } else out.push(k);
    }
    return [map ? obj : out, s];
  };
  if (t < 0x80) return [t, at + 1];
  if (t >= 0x80 && t <= 0x8f) return seq(t & 15, at + 1, true);
  if (t >= 0x90 && t <= 0x9f) return seq(t & 15, at + 1, false);
  if (t >= 0xa0 && t <= 0xbf) return str(t & 31, at + 1);
  if (t === 0xc0) return [null, at + 1];
  if (t === 0xce) return [b.readUInt32BE(at + 1), at + 5];
  if (t === 0xd9) return str(b[at + 1]!, at + 2);
  if (t === 0xda) return str(b.readUInt16BE(at + 1), at + 3);
  if (t === 0xd7 && b[at + 1] === 0) return [new EventTime(b.readUInt32BE(at + 2), b.readUInt32BE(at + 6)), at + 10];
  throw new Error(`unexpected msgpack type 0x${t.toString(16)}`);
}
