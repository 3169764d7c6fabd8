// The host side of `docker cp` (moby's pkg/archive CopyInfo rules): where a copy lands given what
// exists at the destination, a tar of a local path with its first name rebased, and extraction
// confined to the destination directory (no `..`, absolute names or symlinked parents escape it).
import { createReadStream } from 'node:fs';
import {
  chmod,
  lchown,
  link,
  lstat,
  mkdir,
  readdir,
  readlink,
  realpath,
  rm,
  stat,
  symlink,
  utimes,
} from 'node:fs/promises';
import { basename, dirname, join, normalize, relative, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import tar from 'tar-stream';
import { StatusError } from '../command.js';

export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
}

/** "a/b/" and "a/b/." keep their meaning after path cleaning (PreserveTrailingDotOrSeparator). */
export function splitDirEntry(p: string): { dir: string; base: string } {
  const trimmed = p.endsWith('/.') ? p : p.replace(/\/+$/, '') || '/';
  if (trimmed.endsWith('/.')) return { dir: trimmed.slice(0, -2) || '/', base: '.' };
  return { dir: dirname(trimmed), base: basename(trimmed) };
}

const assertsDirectory = (p: string) => p.endsWith('/') || p.endsWith('/.');

/**
 * PrepareArchiveCopy: the directory the archive is extracted in and the name that replaces the
 * source's base name in its entries (undefined: keep them).
 */
export function copyTarget(src: CopyInfo, dst: CopyInfo): { dir: string; rename?: string } {
  const dstBase = splitDirEntry(dst.path).base;
  const dstDir = splitDirEntry(dst.path).dir;
  if (dst.exists && dst.isDir) return { dir: dst.path };
  if (dst.exists && src.isDir) throw new StatusError(1, 'cannot copy directory');
  if (dst.exists || src.isDir) return { dir: dstDir, rename: dstBase };
  if (assertsDirectory(dst.path)) throw new StatusError(1, 'no such directory');
  return { dir: dstDir, rename: dstBase };
}

/** Replaces the first path element `from` by `to` in a tar entry name. */
export function rebaseName(name: string, from: string, to: string | undefined): string {
  if (to === undefined || from === to) return name;
  const clean = name.replace(/^\.\//, '');
  const f = from === '.' ? '' : from;
  if (f === '') return clean === '' || clean === '.' || clean === './' ? to : `${to}/${clean}`;
  if (clean === f || clean === `${f}/`) return to + (clean.endsWith('/') ? '/' : '');
  if (clean.startsWith(`${f}/`)) return to + clean.slice(f.length);
  return name;
}

/** The local destination as CopyTo sees it: follows a symlink; a missing parent is an error. */
export async function localDestination(p: string): Promise<CopyInfo> {
  try {
    const st = await stat(p);
    return { path: p, exists: true, isDir: st.isDirectory() };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const parent = splitDirEntry(p).dir;
  try {
    if (!(await stat(parent)).isDirectory()) throw new StatusError(1, 'not a directory');
  } catch (e) {
    if (e instanceof StatusError) throw e;
    throw new StatusError(1, `invalid output path: directory "${parent}" does not exist`);
  }
  return { path: p, exists: false, isDir: false };
}

/** A tar of local `src` whose entries start with `name` (Tar of one resource, rebased). */
export async function tarLocal(src: string, name: string, followLink: boolean): Promise<Readable> {
  const pack = tar.pack();
  const add = async (path: string, entry: string, top: boolean): Promise<void> => {
    const st = top && followLink ? await stat(path) : await lstat(path);
    const base = { name: entry, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
    if (st.isDirectory()) {
      pack.entry({ ...base, type: 'directory' });
      for (const e of (await readdir(path)).sort())
        await add(join(path, e), entry === '.' ? e : `${entry}/${e}`, false);
    } else if (st.isSymbolicLink()) {
      pack.entry({ ...base, type: 'symlink', linkname: await readlink(path) });
    } else if (st.isFile()) {
      const w = pack.entry({ ...base, type: 'file', size: st.size });
      await pipeline(createReadStream(path), w);
    }
  };
  add(src, name, true).then(
    () => pack.finalize(),
    (e: Error) => pack.destroy(e),
  );
  return pack as unknown as Readable;
}

/** The path `name` lands on under `root`, or undefined when it would leave `root`. */
async function confined(root: string, name: string): Promise<string | undefined> {
  const n = normalize(name).replace(/^(\.\/)+/, '');
  if (n.startsWith('/') || n === '..' || n.startsWith(`..${sep}`)) return undefined;
  const target = resolve(root, n);
  const parent = await realpath(dirname(target)).catch(() => dirname(target));
  const rel = relative(root, parent);
  return rel.startsWith('..') ? undefined : target;
}

/** Untar `s` into `dir` (which exists), renaming the first element `from` → `rename`. */
export async function extractInto(s: Readable, dir: string, from: string, rename: string | undefined): Promise<void> {
  const root = await realpath(dir);
  const ex = tar.extract();
  const asRoot = process.getuid?.() === 0;
  const dirTimes: Array<[string, Date]> = [];
  ex.on('entry', (h, body, next) => {
    const done = (e?: unknown) => (e ? ex.destroy(e as Error) : next());
    (async () => {
      const target = await confined(root, rebaseName(h.name, from, rename));
      if (!target) return body.resume();
      await mkdir(dirname(target), { recursive: true });
      const mode = (h.mode ?? 0o644) & 0o7777;
      // an existing entry is replaced, never written through (a symlink there could point outside)
      const old = await lstat(target).catch(() => null);
      if (old && !(old.isDirectory() && h.type === 'directory')) await rm(target, { recursive: true });
      if (h.type === 'directory') {
        await mkdir(target, { recursive: true });
        await chmod(target, mode);
        if (h.mtime) dirTimes.push([target, h.mtime]);
      } else if (h.type === 'symlink') await symlink(h.linkname ?? '', target);
      else if (h.type === 'link') {
        const src = await confined(root, rebaseName(h.linkname ?? '', from, rename));
        if (src) await link(src, target);
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        await pipeline(body, createWriteStream(target, { mode }));
        await chmod(target, mode);
        if (h.mtime) await utimes(target, h.mtime, h.mtime);
      }
      if (asRoot) await lchown(target, h.uid ?? 0, h.gid ?? 0).catch(() => undefined);
      body.resume();
    })().then(() => done(), done);
  });
  await pipeline(s, ex);
  for (const [p, t] of dirTimes.reverse()) await utimes(p, t, t).catch(() => undefined);
}

/** A pass-through that adds the bytes it carries to `total.n` (progress; never drops data). */
export function byteCounter(total: { n: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total.n += chunk.length;
      cb(null, chunk);
    },
  });
}
