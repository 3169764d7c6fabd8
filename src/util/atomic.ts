// Atomic file replacement: write temp → fsync → rename → fsync dir. No reader ever sees half a file.
import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * Node's errors from a file handle name no file ("ENOSPC: no space left on device, write"): this
 * gives Go's form, "write /path: no space left on device", keeping the errno code for callers.
 */
export function withPath(e: unknown, op: string, file: string): unknown {
  const x = e as NodeJS.ErrnoException | null;
  if (!x || typeof x.code !== 'string' || x.path) return e;
  const text = x.code === 'ENOSPC' ? 'no space left on device' : x.message;
  return Object.assign(new Error(`${op} ${file}: ${text}`, { cause: e }), { code: x.code });
}

export async function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fh = await fsp.open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    // a full disk (ENOSPC) must not leave half a temp file behind
    await fh.close().catch(() => {});
    await fsp.rm(tmp, { force: true });
    throw withPath(e, 'write', file);
  }
  await fh.close();
  try {
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  const dh = await fsp.open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
