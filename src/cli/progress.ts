// jsonmessage.DisplayJSONMessagesStream, as the docker CLI renders pull/push/load progress. On a
// terminal each layer id owns a line that is rewritten in place (cursor up, clear, write, cursor
// down) with Docker's bar `[=====>    ]  12.3MB/45.6MB 3s`; elsewhere, one line per status and
// the lines that only carry a byte count are left out. Errors are thrown.
import type { Readable } from 'node:stream';
import { jsonLines } from '../client/client.js';
import type { JSONMessage } from '../client/types.js';
import { formatGoDuration } from '../util/go-duration.js';
import { humanSize } from './format/units.js';

export class StreamError extends Error {
  override name = 'StreamError';
}

export interface Progress {
  current?: number;
  total?: number;
  start?: number;
}

/** Go's time.Duration.String() for whole seconds (the time left, truncated like docker's). */
export const goDuration = (seconds: number): string => formatGoDuration(Math.max(0, Math.floor(seconds)) * 1e9);

/** JSONProgress.String() for a terminal `width` columns wide. */
export function progressString(p: Progress, width: number, now = Date.now()): string {
  const current = p.current ?? 0;
  const total = p.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return humanSize(current).padStart(8);
  let pct = Math.floor(Math.floor((current / total) * 100) / 2);
  if (pct > 50) pct = 50;
  let bar = '';
  if (width > 110) bar = `[${'='.repeat(pct)}>${' '.repeat(Math.max(0, 50 - pct))}] `;
  let numbers = `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  if (current > total) numbers = humanSize(current).padStart(8);
  let left = '';
  if (current > 0 && p.start && p.start > 0 && pct < 50) {
    const fromStart = now - p.start * 1000;
    const remaining = ((total - current) * fromStart) / current / 1000;
    if (width > 50) left = ` ${goDuration(remaining)}`;
  }
  return bar + numbers + left;
}

const hasProgress = (m: JSONMessage) => m.progressDetail !== undefined;

export interface DisplayOptions {
  /** Terminal mode (default: out.isTTY). */
  terminal?: boolean;
  /** Columns for the bar (default: the terminal's, else 200 like docker). */
  width?: number;
}

export async function displayJSONMessages(
  res: Readable,
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  o: DisplayOptions = {},
): Promise<string | undefined> {
  const tty = o.terminal ?? out.isTTY === true;
  // docker takes the terminal's width as it is (0 without a size: no bar, no time left), 200 elsewhere
  const width = o.width ?? (tty ? (out.columns ?? 200) : 200);
  let ids = new Map<string, number>();
  let last: string | undefined;
  for await (const m of jsonLines(res)) {
    if (m.errorDetail || m.error) throw new StreamError(m.errorDetail?.message ?? m.error ?? 'unknown error');
    if (m.aux !== undefined) continue;
    if (m.status !== undefined) last = m.status;
    const progress = hasProgress(m) ? progressString(m.progressDetail as Progress, width) : '';
    let diff = 0;
    if (m.id && (hasProgress(m) || m.progress)) {
      let line = ids.get(m.id);
      if (line === undefined) {
        line = ids.size;
        ids.set(m.id, line);
        if (tty) out.write('\n');
      }
      diff = ids.size - line;
      if (tty && diff > 0) out.write(`\x1b[${diff}A`);
    } else ids = new Map(); // output that is not progress starts a new block of lines
    let text = '';
    let endl = '';
    if (tty && m.stream === undefined && hasProgress(m)) {
      endl = '\r';
      text += '\x1b[2K\r';
    } else if (hasProgress(m) && progress !== '') continue; // no byte counts in a log
    if (m.id) text += `${m.id}: `;
    if (hasProgress(m) && tty) text += `${m.status ?? ''} ${progress}${endl}`;
    else if (m.progress) text += `${m.status ?? ''} ${m.progress}${endl}`;
    else if (m.stream !== undefined) text += `${m.stream}${endl}`;
    else text += `${m.status ?? ''}${endl}\n`;
    out.write(text);
    if (m.id && tty && diff > 0) out.write(`\x1b[${diff}B`);
  }
  return last;
}
