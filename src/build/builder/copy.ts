// COPY/ADD mechanics: source matching (wildcards), checksums for the cache, Docker's destination
// rules, ownership (--chown names resolved in the image's /etc/passwd) and --chmod.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  chmod,
  copyFile,
  lchown,
  lstat,
  lutimes,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
} from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { invalid } from '../../errdefs.js';
import { secureJoin } from '../../storage/fsutil/securejoin.js';
import { globRegExp } from '../dockerfile/dockerignore.js';
import type { ContextFile } from './context.js';

export interface Owner {
  uid: number;
  gid: number;
}

const GLOB = /[*?[]/;

export function hasWildcard(p: string): boolean {
  return GLOB.test(p);
}

/** Clean a source path to a root-relative one ("" is the root itself); `..` cannot leave the root. */
export function cleanRel(p: string): string {
  return posix
    .normalize('/' + p)
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');
}

async function walk(root: string, rel: string, out: string[]): Promise<void> {
  let names: string[];
  try {
    names = await readdir(rel ? join(root, rel) : root);
  } catch {
    return;
  }
  for (const n of names) {
    const r = rel ? `${rel}/${n}` : n;
    out.push(r);
    const st = await lstat(join(root, r)).catch(() => null);
    if (st?.isDirectory()) await walk(root, r, out);
  }
}

/** The root-relative paths a source pattern names (exact path or wildcard matches, sorted). */
export async function matchSources(root: string, pattern: string, files?: Map<string, ContextFile>): Promise<string[]> {
  const rel = cleanRel(pattern);
  if (!hasWildcard(rel)) {
    if (rel === '') return [''];
    if (files) return files.has(rel) ? [rel] : [];
    return (await lstat(await secureJoin(root, rel)).catch(() => null)) ? [rel] : [];
  }
  const re = globRegExp(rel);
  let all: string[];
  if (files) all = [...files.keys()];
  else {
    // walk only below the longest literal prefix
    const fixed = rel.split('/');
    const i = fixed.findIndex((c) => hasWildcard(c));
    const base = fixed.slice(0, i).join('/');
    all = [];
    await walk(root, base, all);
  }
  return all.filter((p) => re.test(p)).sort();
}

/** Checksum of a source for the cache: paths, modes and contents (context sums are precomputed). */
export async function sumSources(root: string, rels: string[], files?: Map<string, ContextFile>): Promise<string> {
  const h = createHash('sha256');
  for (const rel of rels) {
    const list = [rel];
    const isDir = files
      ? rel === '' || files.get(rel)?.type === 'dir'
      : (await lstat(rel ? join(root, rel) : root)).isDirectory();
    if (isDir) {
      if (files) {
        const pre = rel ? rel + '/' : '';
        for (const k of files.keys()) if (k.startsWith(pre)) list.push(k);
      } else await walk(root, rel, list);
    }
    list.sort();
    for (const p of list) {
      if (files && p === '') continue; // the context root itself
      const f = files?.get(p);
      if (f) {
        h.update(`${p}\0${f.type}\0${f.mode.toString(8)}\0${f.sum}\n`);
        continue;
      }
      const abs = p ? join(root, p) : root;
      const s = await lstat(abs);
      let sum = '';
      if (s.isFile()) sum = await fileSum(abs);
      else if (s.isSymbolicLink()) sum = await readlink(abs);
      h.update(
        `${p}\0${s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other'}\0${(s.mode & 0o7777).toString(8)}\0${sum}\n`,
      );
    }
  }
  return h.digest('hex');
}

export function fileSum(abs: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(abs)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

/** `--chown=user:group` with names looked up in the image's /etc/passwd and /etc/group. */
export async function resolveOwner(rootfs: string, spec: string | undefined): Promise<Owner> {
  if (!spec) return { uid: 0, gid: 0 };
  const [u, g] = spec.split(':', 2) as [string, string | undefined];
  const lookup = async (file: string, name: string, what: string): Promise<{ id: number; gid?: number }> => {
    if (/^\d+$/.test(name)) return { id: Number(name) };
    const text = await readFile(await secureJoin(rootfs, file), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f.length >= 3)
        return { id: Number(f[2]), gid: f[3] !== undefined ? Number(f[3]) : undefined };
    }
    throw invalid(
      `unable to convert uid/gid chown string to host mapping: can't find ${what} for ${what === 'uid' ? 'user' : 'group'} ${name}: no such ${what === 'uid' ? 'user' : 'group'}: ${name}`,
    );
  };
  const user = await lookup('etc/passwd', u, 'uid');
  if (g === undefined || g === '') return { uid: user.id, gid: /^\d+$/.test(u) ? user.id : (user.gid ?? user.id) };
  return { uid: user.id, gid: (await lookup('etc/group', g, 'gid')).id };
}

export interface CopyOptions {
  owner: Owner;
  /** --chmod as a number (applies to files and directories copied). */
  mode?: number;
  /** Whether ownership was given explicitly (otherwise 0:0 as Docker does). */
}

/** Create `dir` (rootfs-absolute, already confined) and missing parents as root 0755. */
export async function mkdirAllIn(rootfs: string, dest: string, owner?: Owner): Promise<string> {
  const parts = cleanRel(dest).split('/').filter(Boolean);
  let cur = rootfs;
  for (let i = 0; i < parts.length; i++) {
    const next = await secureJoin(rootfs, parts.slice(0, i + 1));
    const st = await stat(next).catch(() => null);
    if (!st) {
      await mkdir(next, { mode: 0o755 });
      if (owner) await lchown(next, owner.uid, owner.gid);
    } else if (!st.isDirectory()) throw invalid(`mkdir ${'/' + parts.slice(0, i + 1).join('/')}: not a directory`);
    cur = next;
  }
  return cur;
}

/** Copy one filesystem object (recursively) to `to`, setting ownership and optional mode. */
export async function copyTree(from: string, to: string, o: CopyOptions): Promise<void> {
  const st = await lstat(from);
  const old = await lstat(to).catch(() => null);
  if (st.isDirectory()) {
    if (old && !old.isDirectory()) await rm(to, { recursive: true, force: true });
    if (!old?.isDirectory()) await mkdir(to);
    for (const n of await readdir(from)) await copyTree(join(from, n), join(to, n), o);
  } else {
    if (old) await rm(to, { recursive: true, force: true });
    if (st.isSymbolicLink()) await symlink(await readlink(from), to);
    else if (st.isFile()) await copyFile(from, to);
    else return; // devices, sockets, fifos are skipped
  }
  await lchown(to, o.owner.uid, o.owner.gid);
  if (!st.isSymbolicLink()) await chmod(to, o.mode ?? st.mode & 0o7777);
  await lutimes(to, st.atime, st.mtime);
}

/** Copy the contents of a directory into `to` (Docker copies a directory's contents, not itself). */
export async function copyDirContents(from: string, to: string, o: CopyOptions): Promise<void> {
  for (const n of await readdir(from)) await copyTree(join(from, n), join(to, n), o);
}

export function urlFileName(u: string): string {
  const p = new URL(u).pathname;
  const b = basename(p);
  return b || '__unnamed__';
}

/** Whether a local file looks like an archive ADD extracts (tar, optionally gzip/bzip2/xz). */
export async function archiveKind(abs: string): Promise<'tar' | 'gzip' | 'bzip2' | 'xz' | null> {
  const fh = await import('node:fs/promises').then((m) => m.open(abs, 'r'));
  try {
    const b = Buffer.alloc(512);
    const { bytesRead } = await fh.read(b, 0, 512, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (bytesRead >= 3 && b.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
    if (bytesRead >= 6 && b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
    if (bytesRead >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
    return null;
  } finally {
    await fh.close();
  }
}
