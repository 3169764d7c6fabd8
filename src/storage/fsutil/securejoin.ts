// Resolve a path inside `root` as if `root` were `/`: `..` stops at root and symlinks (absolute or
// relative) are followed within root, so the result can never name anything outside it.
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid } from '../../errdefs.js';

export async function secureJoin(root: string, unsafe: string | string[]): Promise<string> {
  const pending = (typeof unsafe === 'string' ? unsafe.split('/') : [...unsafe]).filter((c) => c !== '');
  let parts: string[] = [];
  let links = 0;
  while (pending.length) {
    const c = pending.shift()!;
    if (c === '.') continue;
    if (c === '..') {
      parts.pop();
      continue;
    }
    const cand = join(root, ...parts, c);
    let isLink = false;
    try {
      isLink = (await lstat(cand)).isSymbolicLink();
    } catch {
      isLink = false; // missing: later components cannot be links either
    }
    if (!isLink) {
      parts.push(c);
      continue;
    }
    if (++links > 255) throw invalid(`${unsafe}: too many levels of symbolic links`);
    const t = await readlink(cand);
    if (t.startsWith('/')) parts = [];
    pending.unshift(...t.split('/').filter((x) => x !== ''));
  }
  return join(root, ...parts);
}
