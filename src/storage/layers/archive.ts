// `docker cp` support: stat, pack and extract paths inside a container root, confined to it.
import { lstat, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { invalid, notFound } from '../../errdefs.js';
import { packStream, packTree } from './diff.js';
import { extractTar } from './extract.js';
import { secureJoin } from '../fsutil/securejoin.js';

/** Docker's X-Docker-Container-Path-Stat object. `mode` uses Go's os.FileMode bits. */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

// Go os.FileMode type bits
const ModeDir = 2 ** 31;
const ModeSymlink = 2 ** 27;
const ModeDevice = 2 ** 26;
const ModeNamedPipe = 2 ** 25;
const ModeSocket = 2 ** 24;
const ModeSetuid = 2 ** 23;
const ModeSetgid = 2 ** 22;
const ModeCharDevice = 2 ** 21;
const ModeSticky = 2 ** 20;

export function goFileMode(st: {
  mode: number;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isBlockDevice(): boolean;
  isCharacterDevice(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}): number {
  let m = st.mode & 0o777;
  if (st.isDirectory()) m += ModeDir;
  if (st.isSymbolicLink()) m += ModeSymlink;
  if (st.isBlockDevice()) m += ModeDevice;
  if (st.isCharacterDevice()) m += ModeDevice + ModeCharDevice;
  if (st.isFIFO()) m += ModeNamedPipe;
  if (st.isSocket()) m += ModeSocket;
  if (st.mode & 0o4000) m += ModeSetuid;
  if (st.mode & 0o2000) m += ModeSetgid;
  if (st.mode & 0o1000) m += ModeSticky;
  return m;
}

interface Resolved {
  abs: string; // the path as given, absolute in the container
  host: string; // host path: parents resolved in scope, last component not followed
  name: string;
}

/** Like moby's ResolvePath: resolve the directory in the container's scope, keep the base as is
 *  (unless the path ends in "/" or "/.", which means the directory itself). */
async function resolve(root: string, ctrPath: string): Promise<Resolved> {
  const abs = posix.join('/', ctrPath);
  const follow = ctrPath.endsWith('/') || ctrPath.endsWith('/.') || abs === '/';
  if (follow)
    return { abs, host: await secureJoin(root, abs), name: ctrPath.endsWith('/.') ? '.' : posix.basename(abs) || '/' };
  const dir = await secureJoin(root, posix.dirname(abs));
  return { abs, host: posix.join(dir, posix.basename(abs)), name: posix.basename(abs) };
}

const fileNotFound = (p: string, ctr: string) => notFound(`Could not find the file ${p} in container ${ctr}`);

export async function statPath(root: string, ctrPath: string, ctrName = ''): Promise<PathStat> {
  const r = await resolve(root, ctrPath);
  let st;
  try {
    st = await lstat(r.host);
  } catch {
    throw fileNotFound(ctrPath, ctrName);
  }
  let linkTarget = '';
  if (st.isSymbolicLink()) {
    const full = await secureJoin(root, r.abs);
    linkTarget = '/' + posix.relative(root, full);
  }
  return { name: r.name, size: st.size, mode: goFileMode(st), mtime: st.mtime.toISOString(), linkTarget };
}

/** A tar of ctrPath whose top entry is its basename (like `docker cp c:/etc/hostname -`). */
export async function packPath(root: string, ctrPath: string, ctrName = ''): Promise<Readable> {
  const r = await resolve(root, ctrPath);
  try {
    await lstat(r.host);
  } catch {
    throw fileNotFound(ctrPath, ctrName);
  }
  return packStream((tar) => packTree(tar, r.host, r.name === '/' ? '.' : r.name));
}

export interface PutOptions {
  /** Refuse to replace a directory with a non-directory and vice versa (the CLI always asks). */
  noOverwriteDirNonDir?: boolean;
  /** Own every extracted entry by this uid/gid (`docker cp -a` into a container with a User). */
  chown?: { uid: number; gid: number };
}

/** Extract a tar into directory ctrPath of the container (resolved fully, in scope). Without
 *  `chown` entries keep the tar's uid/gid, as Docker does. */
export async function extractInto(
  root: string,
  ctrPath: string,
  tar: Readable,
  ctrName = '',
  o: PutOptions = {},
): Promise<void> {
  const dest = await secureJoin(root, posix.join('/', ctrPath));
  let st;
  try {
    st = await stat(dest);
  } catch {
    throw fileNotFound(ctrPath, ctrName);
  }
  if (!st.isDirectory()) throw invalid('extraction point is not a directory');
  const show = (abs: string) => '/' + posix.relative(root, abs);
  await extractTar(dest, tar, {
    whiteouts: false,
    digest: false,
    ...(o.chown ? { chown: o.chown } : {}),
    ...(o.noOverwriteDirNonDir ? { noOverwriteDirNonDir: { show } } : {}),
  });
}
