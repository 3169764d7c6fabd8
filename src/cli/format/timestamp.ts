// docker's api/types/time.GetTimestamp: --since/--until values → the daemon's "sec.nanos" form.
import { parseGoDuration } from '../../util/go-duration.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Parse "2006-01-02[T15[:04[:05[.nnn]]]][Z|±07:00]"; `local` = no zone in the text. */
function parseDate(value: string, localOffsetMin: number): { sec: number; nanos: number } | null {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|z|[-+]\d{2}:\d{2})?$/.exec(
      value,
    );
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', se = '0', frac = '', zone] = m;
  let offMin: number;
  if (!zone) offMin = localOffsetMin;
  else if (zone === 'Z' || zone === 'z') offMin = 0;
  else offMin = (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > 31 || +h > 23 || +mi > 59 || +se > 59) return null;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  if (Number.isNaN(ms)) return null;
  return { sec: Math.floor(ms / 1000) - offMin * 60, nanos: Number(frac.padEnd(9, '0') || '0') };
}

/**
 * Durations are relative to `now` (seconds, integer); RFC 3339-like dates become `sec.nanos`;
 * a bare unix timestamp passes through.
 */
export function getTimestamp(value: string, now: Date = new Date()): string {
  if (value !== '0') {
    try {
      const ms = parseGoDuration(value) / 1e6;
      return String(Math.floor((now.getTime() - ms) / 1000));
    } catch {
      /* not a duration */
    }
  }
  const hasZone = /[zZ+]/.test(value) || (value.match(/-/g) ?? []).length === 3;
  const t = parseDate(value, hasZone ? 0 : -now.getTimezoneOffset());
  if (t) return `${t.sec}.${pad(t.nanos, 9)}`;
  if (value.includes('-')) throw new Error(`parsing time "${value}": cannot parse`);
  if (!/^\d+(\.\d{1,9})?$/.test(value)) throw new Error(`failed to parse value as time or duration: "${value}"`);
  return value;
}
