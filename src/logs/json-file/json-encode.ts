// Encodes json-file entries straight into a byte buffer, escaping the text like moby's
// ffjsonWriteJSONBytesAsString (", \, \n, \r as two-byte escapes; other controls, <, > and & as
// \u00XX; invalid UTF-8 as \ufffd; U+2028/9 escaped). Plain ASCII text, the common case, is one
// table scan and one memcpy: no string is made from the log line.
import { formatRFC3339Nano } from '../common/timestamps.js';

/** 1 for bytes that cannot be copied as they are (controls, ", \, <, >, &, non-ASCII). */
const SPECIAL = new Uint8Array(256);
for (let b = 0; b < 256; b++)
  SPECIAL[b] = b < 0x20 || b === 0x22 || b === 0x5c || b === 0x3c || b === 0x3e || b === 0x26 || b >= 0x80 ? 1 : 0;

const HEAD = Buffer.from('{"log":"');
const STREAM_OUT = Buffer.from('","stream":"stdout"');
const STREAM_ERR = Buffer.from('","stream":"stderr"');
const TIME = Buffer.from(',"time":"');

export interface EncodableEntry {
  stream: 'stdout' | 'stderr';
  time: bigint;
  line: Buffer;
}

/** An upper bound of an entry's encoded size (every byte escaped as \u00XX). */
export function maxEncodedLen(e: EncodableEntry, attrs: Buffer | null): number {
  return e.line.length * 6 + 80 + (attrs ? attrs.length : 0);
}

/** Docker's escaping of text that has special bytes, via JSON.stringify and a fix-up of its escapes. */
function escapeSlow(line: Buffer): string {
  const s = JSON.stringify(line.toString('utf8')); // invalid UTF-8 already became U+FFFD
  return s.slice(1, -1).replace(/\\(["\\/bfnrtu])|[<>&\u2028\u2029]/g, (all, esc: string | undefined) => {
    if (esc === undefined) return `\\u${all.charCodeAt(0).toString(16).padStart(4, '0')}`;
    if (esc === 'b') return '\\u0008';
    if (esc === 'f') return '\\u000c';
    if (esc === 't') return '\\u0009';
    return all;
  });
}

let lastTime = -1n;
let lastStamp = Buffer.alloc(0);

/** Writes one entry at out[at…] (room for maxEncodedLen is the caller's job); returns the new end. */
export function encodeJsonEntryInto(out: Buffer, at: number, e: EncodableEntry, attrs: Buffer | null): number {
  at += HEAD.copy(out, at);
  const line = e.line;
  let end = line.length;
  const nl = end > 0 && line[end - 1] === 10;
  if (nl) end--;
  let i = 0;
  while (i < end && SPECIAL[line[i]!] === 0) i++;
  if (i === end) {
    at += line.copy(out, at, 0, end);
    if (nl) {
      out[at++] = 0x5c;
      out[at++] = 0x6e;
    }
  } else at += out.write(escapeSlow(line), at, 'utf8');
  at += (e.stream === 'stderr' ? STREAM_ERR : STREAM_OUT).copy(out, at);
  if (attrs) {
    out[at++] = 0x2c; // ,"attrs":{…}
    at += attrs.copy(out, at);
  }
  at += TIME.copy(out, at);
  // conmon stamps all lines of one read alike: format each time once
  if (e.time !== lastTime) {
    lastTime = e.time;
    lastStamp = Buffer.from(formatRFC3339Nano(e.time), 'latin1');
  }
  at += lastStamp.copy(out, at);
  out[at++] = 0x22;
  out[at++] = 0x7d;
  out[at++] = 0x0a;
  return at;
}

/** The `"attrs":{…}` member for labels/env attributes, or null without any. */
export function attrsMember(attrs?: Record<string, string>): Buffer | null {
  if (!attrs || Object.keys(attrs).length === 0) return null;
  return Buffer.from(
    `"attrs":${JSON.stringify(attrs).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`,
  );
}
