// Time values of the logs API: Docker's `since`/`until` query values in, RFC 3339 strings out.
// Everything is nanoseconds since the epoch as a bigint, so no precision is lost to doubles.
import { invalid } from '../../errdefs.js';

const NS = 1_000_000_000n;

/**
 * Parses a `since`/`until` query value as the docker CLI sends it: `1474765979` or
 * `1474765979.123456789` (the CLI already turned "10m" or RFC 3339 into this form).
 * Mirrors moby's `timetypes.ParseTimestamps`: a shorter fraction is scaled to nanoseconds.
 */
export function parseUnixTimestamp(value: string): bigint {
  const dot = value.indexOf('.');
  const secStr = dot < 0 ? value : value.slice(0, dot);
  if (!/^[+-]?\d+$/.test(secStr)) throw invalid(`strconv.ParseInt: parsing "${secStr}": invalid syntax`);
  const sec = BigInt(secStr);
  // int64 like Go's ParseInt: a 40-digit `since` must not become a time no Date can hold
  if (sec > 2n ** 63n - 1n || sec < -(2n ** 63n))
    throw invalid(`strconv.ParseInt: parsing "${secStr}": value out of range`);
  if (dot < 0) return sec * NS;
  const frac = value.slice(dot + 1);
  if (!/^\d+$/.test(frac)) throw invalid(`strconv.ParseInt: parsing "${frac}": invalid syntax`);
  // Keep 9 digits: "5" → 500000000 ns, extra digits beyond ns are dropped.
  const nsec = BigInt(frac.length >= 9 ? frac.slice(0, 9) : frac.padEnd(9, '0'));
  return sec * NS + nsec; // like Go's time.Unix(sec, nsec), also for negative seconds
}

// Formatting the date is the costly bit: cache the day's "YYYY-MM-DDT", do the clock by hand.
let cachedDay = Number.NaN;
let cachedDate = '';
const two = (n: number) => (n < 10 ? '0' + n : String(n));

function secondsPrefix(sec: number): string {
  const day = Math.floor(sec / 86400);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * 86400_000).toISOString().slice(0, 11);
  }
  const s = sec - day * 86400;
  return cachedDate + two(Math.floor(s / 3600)) + ':' + two(Math.floor(s / 60) % 60) + ':' + two(s % 60);
}

function split(ns: bigint): [number, number] {
  let sec = ns / NS;
  let frac = ns % NS;
  if (frac < 0n) {
    frac += NS;
    sec -= 1n;
  }
  return [Number(sec), Number(frac)];
}

/** Go's `time.RFC3339Nano` in UTC: `2016-09-25T01:12:59.12345Z` (trailing zeros trimmed, no dot for whole seconds). */
export function formatRFC3339Nano(ns: bigint): string {
  const [sec, frac] = split(ns);
  const p = secondsPrefix(sec);
  if (frac === 0) return p + 'Z';
  let f = String(frac).padStart(9, '0');
  let end = 9;
  while (f.charCodeAt(end - 1) === 48) end--;
  if (end < 9) f = f.slice(0, end);
  return p + '.' + f + 'Z';
}

/**
 * moby's `jsonmessage.RFC3339NanoFixed` in UTC: always 9 fraction digits. This is what
 * `docker logs --timestamps` prints (the daemon formats with it in write_log_stream.go).
 */
export function formatRFC3339NanoFixed(ns: bigint): string {
  const [sec, frac] = split(ns);
  return secondsPrefix(sec) + '.' + String(frac).padStart(9, '0') + 'Z';
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function digits(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = b[i]! - 48;
    if (c < 0 || c > 9) return Number.NaN;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Parses an RFC 3339 timestamp from bytes, as conmon writes it
 * (`2026-11-23T06:40:01.123456789+01:00`, local time with offset; `Z` also accepted),
 * without making a string. Returns ns since the epoch, or -1n when malformed.
 */
export function parseRFC3339Bytes(b: Uint8Array, start: number, end: number): bigint {
  if (end - start < 20 || b[start + 4] !== 45 || b[start + 7] !== 45 || b[start + 10] !== 84) return -1n;
  const y = digits(b, start, 4);
  const mo = digits(b, start + 5, 2);
  const d = digits(b, start + 8, 2);
  const h = digits(b, start + 11, 2);
  const mi = digits(b, start + 14, 2);
  const s = digits(b, start + 17, 2);
  if (Number.isNaN(y + mo + d + h + mi + s)) return -1n;
  let i = start + 19;
  let frac = 0;
  if (b[i] === 46) {
    i++;
    let n = 0;
    while (i < end && b[i]! >= 48 && b[i]! <= 57) {
      if (n < 9) frac = frac * 10 + (b[i]! - 48);
      n++;
      i++;
    }
    for (; n < 9; n++) frac *= 10;
  }
  let off = 0;
  const z = b[i];
  if (z === 43 || z === 45) {
    if (end - i < 6) return -1n;
    off = (digits(b, i + 1, 2) * 60 + digits(b, i + 4, 2)) * 60;
    if (Number.isNaN(off)) return -1n;
    if (z === 45) off = -off;
  } else if (z !== 90) return -1n;
  const sec = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - off;
  return BigInt(sec) * NS + BigInt(frac);
}
