// A container's log lines on the page: bounded, searchable, with Docker's RFC 3339 timestamps split off.

export interface LogLine {
  n: number;
  stream: string;
  time: string;
  text: string;
}

/** "2024-01-01T00:00:00.123456789Z text" → time and text (timestamps=1). */
export function splitTimestamp(line: string): { time: string; text: string } {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) ?(.*)$/s.exec(line);
  return m ? { time: m[1]!, text: m[2]! } : { time: '', text: line };
}

export function appendLines(buf: LogLine[], stream: string, lines: string[], max = 5000): LogLine[] {
  let n = buf.length ? buf[buf.length - 1]!.n : 0;
  const add = lines.map((l) => ({ n: ++n, stream, ...splitTimestamp(l) }));
  const next = buf.concat(add);
  return next.length > max ? next.slice(next.length - max) : next;
}

/** Lines matching a search: plain text, case-insensitive; /re/ is a regular expression (a bad one matches all). */
export function filterLines(lines: LogLine[], q: string): LogLine[] {
  if (!q) return lines;
  const re = /^\/(.+)\/([a-z]*)$/.exec(q);
  if (re) {
    try {
      const r = new RegExp(re[1]!, re[2]!.replace(/[gy]/g, ''));
      return lines.filter((l) => r.test(l.text));
    } catch {
      return lines;
    }
  }
  const low = q.toLowerCase();
  return lines.filter((l) => l.text.toLowerCase().includes(low));
}
