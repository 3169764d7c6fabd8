// The CLI's times (timeAgo, Go's Time.String(), RFC 3339) beside go-units' sizes, which are
// util/go-units' (one copy for daemon and CLI) re-exported for the formatters.
import { humanDuration } from '../../util/time.js';

export { bytesSize, goG, humanSize, humanSizeWithPrecision, ramInBytes } from '../../util/go-units.js';

/** "<duration> ago" from a unix-seconds timestamp, as in CREATED columns. */
export function timeAgo(unixSeconds: number, now = Date.now()): string {
  return `${humanDuration(now - unixSeconds * 1000)} ago`;
}

/** Go's time.Time.String() for a unix timestamp in UTC: `2024-01-02 15:04:05 +0000 UTC`. */
export function goTimeString(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 UTC`;
}

/** RFC 3339 (seconds) for a unix timestamp, UTC. */
export function rfc3339(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
