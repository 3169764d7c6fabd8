// `mkdir -p` that always ends. Node's fs.mkdir({ recursive: true }) spins forever (a busy loop on
// a libuv thread, in the sync form too) when a parent refuses children with ENOENT, as /proc does:
// a bind source like /proc/nope/x from a client would pin a CPU and a threadpool thread for good.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { invalid } from '../errdefs.js';

/** Go's os.MkdirAll error text: `mkdir /proc/nope: no such file or directory`. */
const goText: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EEXIST: 'file exists',
  ENAMETOOLONG: 'file name too long',
};

/**
 * Creates `dir` and its missing parents, one mkdir per component. A failure is an `invalid`
 * EngineError with Go's text for the component that could not be made.
 */
export async function mkdirp(dir: string, mode = 0o755): Promise<void> {
  const abs = path.resolve(dir);
  const parts = abs.split('/').filter(Boolean);
  let cur = '';
  for (const p of parts) {
    cur += '/' + p;
    try {
      await fsp.mkdir(cur, { mode });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') {
        const st = await fsp.stat(cur).catch(() => null);
        if (st?.isDirectory()) continue;
        throw invalid(`mkdir ${cur}: not a directory`, e);
      }
      throw invalid(`mkdir ${cur}: ${goText[code] ?? code.toLowerCase()}`, e);
    }
  }
}
