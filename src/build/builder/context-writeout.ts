// Writes an indexed build context out of its spool file into a directory (for RUN --mount=type=bind
// of the context and ADD/COPY paths that need real files), confined to that directory.
import { chmod, link, lstat, mkdir, open, rm, symlink, utimes, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid } from '../../errdefs.js';
import { secureJoin } from '../../storage/fsutil/securejoin.js';
import { entryParts } from '../../storage/layers/extract.js';
import type { ContextFile } from './tar-index.js';

/** Where `rel` goes under `dir`, with whatever is in the way removed (a directory stays one). */
async function place(dir: string, rel: string, f: ContextFile): Promise<string> {
  const parts = rel.split('/');
  const parent = await secureJoin(dir, parts.slice(0, -1));
  await mkdir(parent, { recursive: true });
  const abs = join(parent, parts[parts.length - 1]);
  const old = await lstat(abs).catch(() => null);
  if (old && !(old.isDirectory() && f.type === 'dir')) await rm(abs, { recursive: true, force: true });
  if (f.type === 'dir' && !old?.isDirectory()) await mkdir(abs);
  return abs;
}

async function writeFile(spool: FileHandle, dir: string, rel: string, f: ContextFile): Promise<void> {
  const abs = await place(dir, rel, f);
  const out = await open(abs, 'w', 0o600);
  try {
    const buf = Buffer.allocUnsafe(Math.min(f.size, 1 << 20));
    for (let done = 0; done < f.size; ) {
      const n = Math.min(buf.length, f.size - done);
      const { bytesRead } = await spool.read(buf, 0, n, f.offset + done);
      if (bytesRead <= 0) throw invalid('build context truncated');
      await out.write(buf, 0, bytesRead);
      done += bytesRead;
    }
  } finally {
    await out.close();
  }
  await chmod(abs, f.mode);
  await utimes(abs, f.mtime, f.mtime);
}

/** Every entry of `files` (content in the tar at `spoolPath`) written under `dir`. */
export async function writeContext(dir: string, spoolPath: string, files: Map<string, ContextFile>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const fh = await open(spoolPath, 'r');
  const dirTimes: [string, number][] = [];
  try {
    // directories and symlinks first, in order (paths below may go through them); then the
    // regular files, several at a time (one at a time is a long chain of syscalls for 1000
    // files); hard links last, once their targets exist
    const regular: [string, ContextFile][] = [];
    const links: [string, ContextFile][] = [];
    for (const [rel, f] of files) {
      if (f.type === 'file') regular.push([rel, f]);
      else if (f.type === 'link') links.push([rel, f]);
      else if (f.type === 'dir') {
        const abs = await place(dir, rel, f);
        await chmod(abs, f.mode | 0o700);
        dirTimes.push([abs, f.mtime]);
      } else await symlink(f.linkname, await place(dir, rel, f));
    }
    let next = 0;
    const worker = async () => {
      while (next < regular.length) {
        const [rel, f] = regular[next++];
        await writeFile(fh, dir, rel, f);
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, regular.length) }, worker));
    for (const [rel, f] of links) {
      const abs = await place(dir, rel, f);
      const t = entryParts(f.linkname);
      await link(join(await secureJoin(dir, t.slice(0, -1)), t[t.length - 1] ?? ''), abs);
    }
  } finally {
    await fh.close();
  }
  for (const [p, t] of dirTimes.reverse()) await utimes(p, t, t).catch(() => {});
}
