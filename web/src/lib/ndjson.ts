// Newline-delimited JSON from a streaming response (events, stats, progress), split anywhere.
export class NdjsonSplitter<T> {
  private tail = '';
  private dec = new TextDecoder();

  push(chunk: Uint8Array): T[] {
    const text = this.tail + this.dec.decode(chunk, { stream: true });
    const lines = text.split('\n');
    this.tail = lines.pop()!;
    const out: T[] = [];
    for (const l of lines) {
      if (!l.trim()) continue;
      try {
        out.push(JSON.parse(l) as T);
      } catch {
        /* a torn or non-JSON line is skipped, the stream goes on */
      }
    }
    return out;
  }
}
