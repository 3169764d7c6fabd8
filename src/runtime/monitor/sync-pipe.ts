// conmon reports over its sync pipe as lines of `{"data": N, "message": "..."}`.
import type { Readable } from 'node:stream';

export interface SyncMsg {
  data: number;
  message?: string;
}

/** Yields each sync message; ends when conmon closes the pipe. */
export async function* syncMessages(r: Readable): AsyncGenerator<SyncMsg> {
  let buf = '';
  for await (const chunk of r) {
    buf += (chunk as Buffer).toString('utf8');
    let i: number;
    // conmon writes one JSON object per write; tolerate both newline-separated and back-to-back objects
    while ((i = findObjectEnd(buf)) > 0) {
      const text = buf.slice(0, i);
      buf = buf.slice(i).replace(/^\s+/, '');
      try {
        yield JSON.parse(text) as SyncMsg;
      } catch {
        /* ignore garbage */
      }
    }
  }
}

function findObjectEnd(s: string): number {
  let depth = 0;
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
