// `docker cp`: CONTAINER:SRC → local path or `-` (a tar on stdout), local path or `-` (a tar on
// stdin) → CONTAINER:DEST, over the /containers/{id}/archive endpoints.
import { lstat, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client } from '../../client/client.js';
import type { CliContext, Command } from '../command.js';
import { StatusError } from '../command.js';
import { flagTable } from '../flags/table.js';
import { get, type Parsed } from '../flags/parser.js';
import { humanSizeWithPrecision } from '../format/units.js';
import {
  byteCounter,
  copyTarget,
  extractInto,
  localDestination,
  splitDirEntry,
  tarLocal,
  type CopyInfo,
} from './cp-archive.js';

interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

const S_DIR = 0x80000000; // Go's os.ModeDir
const S_SYMLINK = 0x08000000; // os.ModeSymlink

/** splitCpArg: `ctr:path` unless the argument is absolute or starts with `.`. */
export function splitCpArg(arg: string): { ctr: string; path: string } {
  if (arg.startsWith('/')) return { ctr: '', path: arg };
  const i = arg.indexOf(':');
  if (i < 0 || arg.startsWith('.')) return { ctr: '', path: arg };
  return { ctr: arg.slice(0, i), path: arg.slice(i + 1) };
}

/** filepath.Abs keeping a trailing `/` or `/.` (PreserveTrailingDotOrSeparator). */
export function localPath(p: string): string {
  const abs = resolve(p);
  if (p.endsWith('/.') || p === '.') return abs === '/' ? '/.' : `${abs}/.`;
  if (p.endsWith('/') && abs !== '/') return `${abs}/`;
  return abs;
}

async function statPath(c: Client, ctr: string, path: string): Promise<PathStat | null> {
  try {
    const res = await c.stream('HEAD', `/containers/${encodeURIComponent(ctr)}/archive`, { query: { path } });
    res.resume();
    const h = res.headers['x-docker-container-path-stat'];
    return h ? (JSON.parse(Buffer.from(String(h), 'base64').toString()) as PathStat) : null;
  } catch {
    return null;
  }
}

function joinLink(path: string, target: string): string {
  return isAbsolute(target) ? target : resolve(splitDirEntry(path).dir, target);
}

async function fromContainer(ctx: CliContext, ctr: string, srcPath: string, dst: string, p: Parsed): Promise<void> {
  const c = ctx.client();
  let src = srcPath;
  let rename: string | undefined;
  if (get.bool(p, 'follow-link')) {
    const st = await statPath(c, ctr, src);
    if (st && (st.mode & S_SYMLINK) !== 0) {
      rename = splitDirEntry(src).base;
      src = joinLink(src, st.linkTarget);
    }
  }
  const res = await c.stream('GET', `/containers/${encodeURIComponent(ctr)}/archive`, { query: { path: src } });
  if (dst === '-') {
    await pipeline(res, ctx.io.stdout);
    return;
  }
  const header = res.headers['x-docker-container-path-stat'];
  const st = header ? (JSON.parse(Buffer.from(String(header), 'base64').toString()) as PathStat) : null;
  const srcInfo: CopyInfo = { path: src, exists: true, isDir: st ? (st.mode & S_DIR) !== 0 : false };
  const target = copyTarget(srcInfo, await localDestination(dst));
  const srcBase = splitDirEntry(src).base;
  const size = { n: 0 };
  await extractInto(res.pipe(byteCounter(size)), target.dir, srcBase, target.rename ?? rename);
  if (!quiet(ctx, p)) ctx.io.stderr.write(`Successfully copied ${humanSizeWithPrecision(size.n, 3)} to ${dst}\n`);
}

async function toContainer(ctx: CliContext, ctr: string, src: string, dstPath: string, p: Parsed): Promise<void> {
  const c = ctx.client();
  let dst: CopyInfo = { path: dstPath, exists: false, isDir: false };
  let st = await statPath(c, ctr, dstPath);
  if (st && (st.mode & S_SYMLINK) !== 0) {
    dst.path = joinLink(dstPath, st.linkTarget);
    st = await statPath(c, ctr, dst.path);
  }
  if (st) dst = { ...dst, exists: true, isDir: (st.mode & S_DIR) !== 0 };
  let body: Readable;
  let dir: string;
  if (src === '-') {
    if (!dst.isDir) throw new StatusError(1, `destination "${ctr}:${dstPath}" must be a directory`);
    body = ctx.io.stdin as Readable;
    dir = dst.path;
  } else {
    const follow = get.bool(p, 'follow-link');
    const lst = await localSource(src, follow);
    const target = copyTarget({ path: src, exists: true, isDir: lst.isDir }, dst);
    body = await tarLocal(src.replace(/\/$/, ''), target.rename ?? splitDirEntry(src).base, follow);
    dir = target.dir;
  }
  const size = { n: 0 };
  const res = await c.stream('PUT', `/containers/${encodeURIComponent(ctr)}/archive`, {
    query: { path: dir, noOverwriteDirNonDir: true, copyUIDGID: get.bool(p, 'archive') || undefined },
    body: body.pipe(byteCounter(size)),
    contentType: 'application/x-tar',
  });
  res.resume();
  if (!quiet(ctx, p))
    ctx.io.stderr.write(`Successfully copied ${humanSizeWithPrecision(size.n, 3)} to ${ctr}:${dst.path}\n`);
}

async function localSource(src: string, follow: boolean): Promise<{ isDir: boolean }> {
  try {
    const st = follow ? await stat(src) : await lstat(src);
    return { isDir: st.isDirectory() };
  } catch {
    throw new StatusError(1, `lstat ${src.replace(/\/\.?$/, '')}: no such file or directory`);
  }
}

/** Progress is shown only on a terminal unless -q says otherwise (docker's default). */
function quiet(ctx: CliContext, p: Parsed): boolean {
  return p.set.has('quiet') ? get.bool(p, 'quiet') : !ctx.io.stdout.isTTY;
}

export const cp: Command = {
  usage: 'container cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-',
  desc: 'Copy files/folders between a container and the local filesystem',
  flags: flagTable(`
  archive,a          bool            Archive mode (copy all uid/gid information)
  follow-link,L      bool            Always follow symbol link in SRC_PATH
  quiet,q            bool            Suppress progress output during copy
  `),
  args: { min: 2, max: 2 },
  async run(ctx, p) {
    const [a, b] = p.args;
    if (a === '') throw new StatusError(1, 'source can not be empty');
    if (b === '') throw new StatusError(1, 'destination can not be empty');
    const s = splitCpArg(a);
    const d = splitCpArg(b);
    if (s.ctr && d.ctr) throw new StatusError(1, 'copying between containers is not supported');
    if (!s.ctr && !d.ctr) throw new StatusError(1, 'must specify at least one container source');
    if (s.ctr) await fromContainer(ctx, s.ctr, s.path, d.path === '-' ? '-' : localPath(d.path), p);
    else await toContainer(ctx, d.ctr, s.path === '-' ? '-' : localPath(s.path), d.path, p);
    return 0;
  },
};
