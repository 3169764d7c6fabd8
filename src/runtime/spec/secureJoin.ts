// Resolves a path inside a rootfs the way the container would see it: symlinks (absolute or
// relative, with "..") are followed but can never leave root (like Go's securejoin).
import { readlink } from 'node:fs/promises';
import path from 'node:path';

export async function secureJoin(root: string, unsafe: string): Promise<string> {
  const pending = unsafe.split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') { done.pop(); continue; }
    const full = path.join(root, ...done, part);
    let target: string;
    try {
      target = await readlink(full);
    } catch {
      done.push(part); // not a symlink, or missing: keep it as is
      continue;
    }
    if (++links > 255) throw Object.assign(new Error(`too many symlinks in ${unsafe}`), { code: 'ELOOP' });
    if (target.startsWith('/')) done.length = 0;
    pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
  }
  return path.join(root, ...done);
}
