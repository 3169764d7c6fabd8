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

export interface AtomicWriteOptions {
  /** The file's mode (default 0600). */
  mode?: number;
  /**
   * Create missing parent directories first. Off by default: a record whose directory was removed
   * (a container deleted meanwhile) must fail to save, not bring the directory back.
   */
  mkdir?: boolean;
}

export async function writeFileAtomic(file: string, data: string | Buffer, o: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  if (o.mkdir) await fsp.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fh = await fsp.open(tmp, 'w', o.mode ?? 0o600);
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
  await fsyncDir(dir);
}

export async function writeJsonAtomic(file: string, value: unknown, o: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value), o);
}

/** Makes a rename or a new entry in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const dh = await fsp.open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
