// Test helper: build a tar in memory from entry descriptions.
import { pack, type Header } from 'tar-stream';

export type TestEntry = Partial<Header> & { name: string; body?: string };

export async function makeTar(entries: TestEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p as unknown as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const { body, ...h } of entries) {
    const type = h.type ?? 'file';
    const data = Buffer.from(body ?? '');
    await new Promise<void>((res, rej) =>
      p.entry(
        {
          mode: type === 'directory' ? 0o755 : 0o644,
          mtime: new Date(1_000_000_000_000),
          ...h,
          type,
          size: type === 'file' ? data.length : 0,
        },
        type === 'file' ? data : Buffer.alloc(0),
        (e) => (e ? rej(e) : res()),
      ),
    );
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Entries from short specs: `dir/` a directory, `name=body` a file, a bare `name` an empty file (whiteouts). */
export function entriesOf(...specs: string[]): TestEntry[] {
  return specs.map((s): TestEntry => {
    if (s.endsWith('/')) return { name: s, type: 'directory' };
    const eq = s.indexOf('=');
    return eq < 0 ? { name: s, body: '' } : { name: s.slice(0, eq), body: s.slice(eq + 1) };
  });
}

/** makeTar over entriesOf(...specs). */
export const tarOf = (...specs: string[]): Promise<Buffer> => makeTar(entriesOf(...specs));
