// jsonmessage.DisplayJSONMessagesStream, non-terminal form: one line per status, errors thrown.
import type { Readable } from 'node:stream';
import { jsonLines } from '../client/client.js';

export class StreamError extends Error {
  override name = 'StreamError';
}

export async function displayJSONMessages(res: Readable, out: NodeJS.WritableStream): Promise<string | undefined> {
  let last: string | undefined;
  for await (const m of jsonLines(res)) {
    if (m.errorDetail || m.error) throw new StreamError(m.errorDetail?.message ?? m.error ?? 'unknown error');
    if (m.stream !== undefined) out.write(m.stream);
    else if (m.status !== undefined) {
      last = m.status;
      const line = (m.id ? `${m.id}: ` : '') + m.status + (m.progress ? ` ${m.progress}` : '');
      out.write(line + '\n');
    }
  }
  return last;
}
