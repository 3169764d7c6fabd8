// Go's time.ParseDuration and Duration.String(), exactly: Docker reads every duration a client or a
// Dockerfile gives (healthcheck intervals, `until` filters, --stop-timeout in compose) with them,
// and its error texts come from there. One copy for the daemon and the CLI.

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX = (1n << 63n) - 1n;

/** The error Go's time package returns; its message is Docker's text. */
export class DurationError extends Error {
  override name = 'DurationError';
}

/** Go's time.quote: ASCII printable as is (`"` and `\` escaped), every other byte as \xNN. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c >= 0x7f) {
      for (const b of Buffer.from(ch, 'utf8')) out += `\\x${b.toString(16).padStart(2, '0')}`;
    } else out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  }
  return out + '"';
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** time.ParseDuration → nanoseconds (a Number: exact up to 2^53 ns, about 104 days). */
export function parseGoDuration(orig: string): number {
  return Number(parseGoDurationNs(orig));
}

/** time.ParseDuration → nanoseconds as an exact bigint (int64 range, like Go). */
export function parseGoDurationNs(orig: string): bigint {
  const invalid = () => new DurationError(`time: invalid duration ${goQuote(orig)}`);
  let s = orig;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let d = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) throw invalid();
    let i = 0;
    let v = 0n;
    for (; isDigit(s[i]); i++) {
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > 1n << 63n) throw invalid(); // leadingInt's overflow
    }
    const pre = i > 0;
    s = s.slice(i);
    let post = false;
    let f = 0n;
    let scale = 1;
    if (s[0] === '.') {
      s = s.slice(1);
      let overflow = false;
      for (i = 0; isDigit(s[i]); i++) {
        if (overflow) continue;
        const y = f * 10n + BigInt(s.charCodeAt(i) - 48);
        if (f > MAX / 10n || y > 1n << 63n) {
          overflow = true; // leadingFraction ignores digits it cannot hold
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = i > 0;
      s = s.slice(i);
    }
    if (!pre && !post) throw invalid();
    for (i = 0; i < s.length && s[i] !== '.' && !isDigit(s[i]); i++);
    if (i === 0) throw new DurationError(`time: missing unit in duration ${goQuote(orig)}`);
    const u = s.slice(0, i);
    s = s.slice(i);
    const unit = UNITS[u];
    if (unit === undefined) throw new DurationError(`time: unknown unit ${goQuote(u)} in duration ${goQuote(orig)}`);
    if (v > (1n << 63n) / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // float64 arithmetic, truncated, as Go does it
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > 1n << 63n) throw invalid();
    }
    d += v;
    if (d > 1n << 63n) throw invalid();
  }
  if (neg) return -d;
  if (d > MAX) throw invalid();
  return d;
}

/** Go's Duration.String(): "1h2m3.5s", "1.5ms", "0s". */
export function formatGoDuration(ns: bigint | number): string {
  let d = BigInt(ns);
  const neg = d < 0n;
  if (neg) d = -d;
  let out: string;
  if (d < 1_000_000_000n) {
    // sub-second: the largest of ns, µs, ms that keeps an integer part
    if (d === 0n) return '0s';
    const [unit, name] = d < 1000n ? [1n, 'ns'] : d < 1_000_000n ? [1000n, 'µs'] : [1_000_000n, 'ms'];
    out = fixed(d, unit) + name;
  } else {
    const h = d / 3_600_000_000_000n;
    const m = (d / 60_000_000_000n) % 60n;
    const sec = fixed(d % 60_000_000_000n, 1_000_000_000n) + 's';
    out = h > 0n ? `${h}h${m}m${sec}` : m > 0n ? `${m}m${sec}` : sec;
  }
  return neg ? `-${out}` : out;
}

/** `n / unit` in decimal without trailing zeros ("1.5", "2"). */
function fixed(n: bigint, unit: bigint): string {
  const whole = n / unit;
  const frac = (n % unit)
    .toString()
    .padStart(unit.toString().length - 1, '0')
    .replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}
