// Exactly-once resumption of a json-file shipper after berthd was killed. The shipper writes a
// batch to the log, then saves where it is in conmon's file; a kill between the two leaves the
// saved position one batch behind, and resuming from it would write that batch twice. So on resume
// the log's own tail says what is already there: records older than its newest entry, and those of
// the same timestamp that it holds (conmon stamps every line of one read alike), are dropped.
import fsp from 'node:fs/promises';
import type { K8sRecord } from '../common/k8s-follower.js';
import { parseRFC3339Bytes } from '../common/timestamps.js';

/** The newest timestamp in a log and the entries (stream + text) it holds at that timestamp. */
export interface ShippedTail {
  time: bigint;
  entries: string[];
}

const WINDOW = 256 * 1024;
const key = (stream: string, text: string) => `${stream}\0${text}`;

/** Reads the last entries of a json-file log; null when it is empty, missing or unreadable. */
export async function jsonFileTail(file: string): Promise<ShippedTail | null> {
  const fh = await fsp.open(file, 'r').catch(() => null);
  if (!fh) return null;
  try {
    const { size } = await fh.stat();
    const n = Math.min(size, WINDOW);
    if (n === 0) return null;
    const buf = Buffer.alloc(n);
    await fh.read(buf, 0, n, size - n);
    const lines = buf.toString('utf8').split('\n');
    lines.pop(); // after the last "\n" (or a piece cut short by a crash): not an entry
    if (n < size) lines.shift(); // the window may start inside an entry
    let tail: ShippedTail | null = null;
    for (let i = lines.length - 1; i >= 0; i--) {
      let e: { log?: unknown; stream?: unknown; time?: unknown };
      try {
        e = JSON.parse(lines[i]!) as typeof e;
      } catch {
        continue;
      }
      if (typeof e.log !== 'string' || typeof e.stream !== 'string' || typeof e.time !== 'string') continue;
      const t = Buffer.from(e.time, 'latin1');
      const time = parseRFC3339Bytes(t, 0, t.length);
      if (time < 0n) continue;
      if (tail === null) tail = { time, entries: [] };
      else if (time !== tail.time) break;
      tail.entries.push(key(e.stream, e.log));
    }
    return tail;
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}

/**
 * Drops the leading records of a resumed batch that the log already holds. `pending` is true while
 * every record so far was a repeat (the next batch must be checked too).
 */
export function dropShipped(records: K8sRecord[], tail: ShippedTail): { rest: K8sRecord[]; pending: boolean } {
  let i = 0;
  for (; i < records.length; i++) {
    const r = records[i]!;
    if (r.time < tail.time) continue;
    if (r.time === tail.time) {
      const j = tail.entries.indexOf(key(r.stream, r.line.toString('utf8')));
      if (j >= 0) {
        tail.entries.splice(j, 1);
        continue;
      }
    }
    break;
  }
  return { rest: i === 0 ? records : records.slice(i), pending: i === records.length };
}
