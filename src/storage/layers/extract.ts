// Tar extraction confined to a directory. Used for image layers (with whiteouts), `docker cp` and import.
//
// Whiteouts are applied as real deletions: layers with parents are extracted into the *mounted*
// overlay of a fresh snapshot, so the kernel records them in the upper dir with overlay's own
// conventions (0/0 char devices, opaque xattrs). This needs no setfattr and works on any
// filesystem; an opaque dir marker deletes what the directory held before this layer.
import { spawn } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { constants as C, type Stats } from 'node:fs';
import {
  chmod,
  lchown,
  link,
  lstat,
  lutimes,
  mkdir,
  open,
  readdir,
  rm,
  symlink,
  type FileHandle,
} from 'node:fs/promises';
import { basename, isAbsolute, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import type { Header } from 'tar-stream';
// loaded on first use: tar-stream costs ~4 MiB of RSS that an idle daemon should not pay
const tarStream = () => createRequire(import.meta.url)('tar-stream') as typeof import('tar-stream');
import { invalid, internal } from '../../errdefs.js';
import { secureJoin } from '../fsutil/securejoin.js';
import { chunks as chunksOf } from '../chunks.js';
import { maybeGunzip } from './decompress.js';
import { drainedOrClosed } from '../../util/drained.js';

export interface ExtractOptions {
  /** Interpret `.wh.` entries (image layers); off for `docker cp`. true: apply them as deletions
   *  (into a mounted overlay); 'overlay': write overlay whiteouts (0/0 char devices) into a
   *  standalone layer directory, which then needs no parent (see NeedsParent). */
  whiteouts: boolean | 'overlay';
  /** Compute the diffId (default on); `docker cp` has no use for it. */
  digest?: boolean;
  /** Keep the tar's uid/gid (root only). */
  sameOwner?: boolean;
  /** Own every entry by this uid/gid instead of the tar's (Docker's ChownOpts, `docker cp -a` with a User). */
  chown?: { uid: number; gid: number };
  /** Refuse replacing a directory by a non-directory and vice versa (Docker's NoOverwriteDirNonDir).
   *  `show` turns a host path into the one named in the message (the container's view). */
  noOverwriteDirNonDir?: { show: (abs: string) => string };
}

export interface ExtractResult {
  /** sha256 of the uncompressed tar stream ("" with `digest: false`). */
  diffId: string;
  /** Bytes of regular-file content written. */
  size: number;
  /** Overlay whiteouts written (whiteouts: 'overlay'). */
  whiteouts: number;
}

/** A standalone ('overlay') extraction met what only the parent's view can express: an opaque
 *  directory (needs an xattr) or a hard link to a file of a lower layer. Extract over the parent. */
export class NeedsParent extends Error {}

const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** Clean a tar entry name into path components; `..` escaping a relative name is rejected. */
export function entryParts(name: string): string[] {
  const abs = name.startsWith('/');
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0) {
        if (abs) continue; // "/../x" is "/x", as filepath.Clean does
        throw invalid(`invalid tar entry ${JSON.stringify(name)}: path is outside of the target directory`);
      }
      parts.pop();
    } else parts.push(p);
  }
  return parts;
}

function mknod(path: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('mknod', [path, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(internal(`mknod ${path}: ${err.trim()}`))));
  });
}

/** chmod of a directory that refuses to follow a symlink swapped in at `p` (chmod(2) would follow
 *  it). Device nodes and fifos are chmod-ed by name: opening them could have side effects. */
async function chmodNoFollow(p: string, mode: number, isDir: boolean): Promise<void> {
  if (!isDir) return chmod(p, mode);
  const fh = await open(p, C.O_RDONLY | C.O_NOFOLLOW | C.O_DIRECTORY).catch((e: NodeJS.ErrnoException) => {
    throw invalid(`${p}: not a directory any more (${e.code ?? e.message})`);
  });
  try {
    await fh.chmod(mode);
  } finally {
    await fh.close();
  }
}

const SMALL = 1 << 20; // files up to this size are written in the background
const MAX_JOBS = 8;
const MAX_BYTES = 32 << 20;

/** Background file writes of one extraction, bounded in number and buffered bytes. */
class Pending {
  private jobs = new Map<string, Promise<void>>();
  private bytes = 0;
  private error: unknown = null;

  add(path: string, job: Promise<void>, bytes: number): void {
    this.bytes += bytes;
    const p = job
      .then(
        () => {},
        (e: unknown) => void (this.error ??= e),
      )
      .finally(() => {
        this.bytes -= bytes;
        if (this.jobs.get(path) === p) this.jobs.delete(path);
      });
    this.jobs.set(path, p);
  }

  private check(): void {
    if (this.error) throw this.error;
  }

  async throttle(): Promise<void> {
    while (this.jobs.size >= MAX_JOBS || this.bytes > MAX_BYTES) await Promise.race(this.jobs.values());
    this.check();
  }

  async wait(path: string): Promise<void> {
    const p = this.jobs.get(path);
    if (p !== undefined) await p;
    this.check();
  }

  async all(): Promise<void> {
    while (this.jobs.size) await Promise.all(this.jobs.values());
    this.check();
  }
}

/** Open directories under `root` by their symlink-free paths (as secureJoin returns them), each
 *  component with O_DIRECTORY|O_NOFOLLOW relative to its parent's fd, creating missing ones.
 *  Returns `/proc/<pid>/fd/<n>`, a name usable by any path API (and by child processes). */
class DirFds {
  private fds = new Map<string, FileHandle>();
  constructor(private root: string) {}

  private name(fh: FileHandle): string {
    return `/proc/${process.pid}/fd/${fh.fd}`;
  }

  async get(abs: string): Promise<string> {
    const hit = this.fds.get(abs);
    if (hit) return this.name(hit);
    if (this.fds.size > 256) await this.clear(); // bound open fds
    const rel = relative(this.root, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) throw invalid(`${abs}: path is outside of the target directory`);
    let cur = this.root;
    let fh = this.fds.get(cur);
    if (!fh) {
      fh = await open(cur, C.O_RDONLY | C.O_DIRECTORY); // the root itself was resolved by the caller
      this.fds.set(cur, fh);
    }
    for (const c of rel ? rel.split('/') : []) {
      cur = join(cur, c);
      const known = this.fds.get(cur);
      if (known) {
        fh = known;
        continue;
      }
      const p = `${this.name(fh)}/${c}`;
      const flags = C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW;
      let next: FileHandle;
      try {
        next = await open(p, flags);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
          throw invalid(`${abs}: not a directory inside the target (${(e as NodeJS.ErrnoException).code ?? ''})`);
        await mkdir(p, 0o755).catch((e2: NodeJS.ErrnoException) => {
          if (e2.code !== 'EEXIST') throw e2;
        });
        next = await open(p, flags);
      }
      this.fds.set(cur, next);
      fh = next;
    }
    return this.name(fh);
  }

  async clear(): Promise<void> {
    const all = [...this.fds.values()];
    this.fds.clear();
    await Promise.all(all.map((f) => f.close().catch(() => {})));
  }
}

async function lstatOrNull(p: string) {
  try {
    return await lstat(p);
  } catch {
    return null;
  }
}

/** Feeds the (decompressed) input to the tar parser by hand (tar-stream is streamx, not a Node
 *  stream), hashing the uncompressed bytes. Rejects (and destroys the parser) on an input error. */
async function feed(
  input: Readable,
  ex: ReturnType<ReturnType<typeof tarStream>['extract']>,
  hash: Hash | null,
): Promise<void> {
  try {
    for await (const c of chunksOf(input)) {
      const chunk = c as Buffer;
      hash?.update(chunk);
      if (ex.destroyed) return;
      if (!ex.write(chunk)) await drainedOrClosed(ex);
    }
    ex.end(undefined as never);
  } catch (e) {
    ex.destroy(e as Error);
    throw e;
  }
}

export async function extractTar(dir: string, src: Readable, o: ExtractOptions): Promise<ExtractResult> {
  const hash = (o.digest ?? true) ? createHash('sha256') : null;
  const ex = tarStream().extract();
  const input = await maybeGunzip(src);
  const feeding = feed(input, ex, hash);
  feeding.catch(() => {}); // observed below
  const x = new Extraction(dir, o);
  try {
    for await (const entry of ex) {
      try {
        await x.apply(entry.header, entry as unknown as AsyncIterable<Buffer>);
      } finally {
        entry.resume();
      }
    }
    await feeding;
    await x.pending.all();
    await x.dirs.clear();
    await makeWhiteouts(dir, x.dirs, x.overlayWhiteouts);
  } catch (e) {
    await x.pending.all().catch(() => {});
    await x.dirs.clear();
    ex.destroy();
    input.destroy();
    await feeding.catch(() => {});
    throw e;
  }
  await x.dirs.clear();
  await x.setDirTimes();
  return { diffId: hash ? 'sha256:' + hash.digest('hex') : '', size: x.size, whiteouts: x.overlayWhiteouts.length };
}

/** One extraction's state: what was written, directory fds, background writes, whiteouts to make. */
class Extraction {
  readonly dirs: DirFds;
  readonly pending = new Pending();
  readonly overlayWhiteouts: [string[], string][] = [];
  size = 0;
  private readonly written = new Set<string>();
  private readonly dirTimes: [string, Date][] = [];
  private readonly sameOwner: boolean;

  constructor(
    private readonly dir: string,
    private readonly o: ExtractOptions,
  ) {
    this.dirs = new DirFds(dir);
    this.sameOwner = o.sameOwner ?? process.getuid?.() === 0;
  }

  async apply(h: Header, entry: AsyncIterable<Buffer>): Promise<void> {
    const parts = entryParts(h.name);
    if (parts.length === 0) return; // the root itself
    const base = parts[parts.length - 1];
    const parentAbs = await secureJoin(this.dir, parts.slice(0, -1));
    const rel = parts.join('/');
    if (base.startsWith(WH) && this.o.whiteouts) return this.whiteout(parts, parentAbs);
    // `at` names the entry through an fd of its parent opened component by component with
    // O_NOFOLLOW: a directory swapped for a symlink (by the running container) after the
    // resolution above cannot redirect any operation below outside `dir`.
    const first = `${await this.dirs.get(parentAbs)}/${base}`;
    const abs = join(parentAbs, base);
    await this.pending.wait(abs);
    const old = await lstatOrNull(first);
    const at = await this.clearOld(h, old, first, parentAbs, abs);
    const mode = (h.mode ?? 0o644) & 0o7777;
    switch (h.type) {
      case 'directory':
        if (!old?.isDirectory()) await mkdir(at, { mode: 0o700 });
        break;
      case 'file':
      case 'contiguous-file':
        if (await this.writeFile(h, entry, at, abs, mode)) {
          this.written.add(rel);
          return; // small: written in the background, metadata with it
        }
        break;
      case 'symlink':
        await symlink(h.linkname ?? '', at);
        break;
      case 'link':
        await this.hardLink(h, at);
        this.written.add(rel);
        return; // a hardlink shares the target's metadata
      case 'character-device':
      case 'block-device':
        await mknod(at, [h.type === 'character-device' ? 'c' : 'b', String(h.devmajor ?? 0), String(h.devminor ?? 0)]);
        break;
      case 'fifo':
        await mknod(at, ['p']);
        break;
      default:
        return; // unsupported types (sockets, GNU extensions) are skipped like Docker does
    }
    await this.setMeta(h, at, abs, mode);
    this.written.add(rel);
  }

  /** A `.wh.` entry: an overlay whiteout to make later, or a deletion now (into a mounted overlay). */
  private async whiteout(parts: string[], parentAbs: string): Promise<void> {
    const base = parts[parts.length - 1]!;
    if (this.o.whiteouts === 'overlay') {
      if (base === OPAQUE) throw new NeedsParent(`opaque directory ${parts.slice(0, -1).join('/')}`);
      if (base.startsWith(WH + WH)) return;
      const name = base.slice(WH.length);
      if (name === '' || name === '.' || name === '..') return;
      await this.pending.wait(join(parentAbs, name));
      await rm(join(parentAbs, name), { recursive: true, force: true }); // written earlier by this very layer
      this.overlayWhiteouts.push([parts.slice(0, -1), name]);
      return;
    }
    await this.dirs.clear(); // deletions may remove cached parents
    await this.pending.all();
    if (base === OPAQUE) {
      const prefix = parts.slice(0, -1).join('/');
      for (const n of await readdir(parentAbs).catch(() => [] as string[])) {
        if (!this.written.has(prefix ? `${prefix}/${n}` : n))
          await rm(join(parentAbs, n), { recursive: true, force: true });
      }
    } else if (!base.startsWith(WH + WH)) {
      await rm(join(parentAbs, base.slice(WH.length)), { recursive: true, force: true });
    }
  }

  /** Removes what the entry replaces (a directory stays for a directory); returns the entry's fd path anew. */
  private async clearOld(h: Header, old: Stats | null, at: string, parentAbs: string, abs: string): Promise<string> {
    if (old && this.o.noOverwriteDirNonDir) {
      // moby pkg/archive createTarFile: names the entry's path and the extraction directory
      const show = this.o.noOverwriteDirNonDir.show;
      if (old.isDirectory() && h.type !== 'directory')
        throw internal(
          `Error processing tar file(exit status 1): cannot overwrite directory ${JSON.stringify(show(abs))} with non-directory ${JSON.stringify(show(this.dir))}`,
        );
      if (!old.isDirectory() && h.type === 'directory')
        throw internal(
          `Error processing tar file(exit status 1): cannot overwrite non-directory ${JSON.stringify(show(abs))} with directory ${JSON.stringify(show(this.dir))}`,
        );
    }
    if (old && !(old.isDirectory() && h.type === 'directory')) {
      if (old.isDirectory()) await this.pending.all(); // it may hold files still being written
      await rm(at, { recursive: true, force: true });
      if (old.isDirectory()) {
        await this.dirs.clear(); // cached fds may name what was just removed
        return `${await this.dirs.get(parentAbs)}/${basename(at)}`;
      }
    }
    return at;
  }

  /**
   * A regular file. Small files are read into memory and written in the background, a few at a
   * time, so the disk sees several writes in flight while the tar is parsed on (cp into a container
   * was bound by one await per open/write/close); later entries touching a pending path wait.
   * Returns true for such a background write (its owner, mode and mtime are set with it).
   */
  private async writeFile(
    h: Header,
    entry: AsyncIterable<Buffer>,
    at: string,
    abs: string,
    mode: number,
  ): Promise<boolean> {
    const chunks: Buffer[] = [];
    const write = async (fh: FileHandle, more: AsyncIterable<Buffer> | null) => {
      let n = 0;
      for (const c of chunks) n += c.length;
      if (more) {
        for await (const chunk of more) {
          chunks.push(chunk);
          n += chunk.length;
          if (n >= 1 << 20 || chunks.length >= 512) {
            await fh.writev(chunks.splice(0));
            n = 0;
          }
        }
      }
      if (chunks.length) await fh.writev(chunks.splice(0));
      if (this.o.chown) await fh.chown(this.o.chown.uid, this.o.chown.gid);
      else if (this.sameOwner) await fh.chown(h.uid ?? 0, h.gid ?? 0);
      await fh.chmod(mode); // after chown, which clears setuid bits
    };
    // O_EXCL|O_NOFOLLOW: the name was just removed, so anything found here now (a symlink
    // swapped in by the container) makes the copy fail instead of writing through it.
    const create = () => open(at, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600);
    this.size += h.size ?? 0;
    if ((h.size ?? 0) > SMALL) {
      const fh = await create();
      try {
        await write(fh, entry);
      } finally {
        await fh.close();
      }
      return false;
    }
    const mtime = h.mtime ?? new Date(0);
    for await (const chunk of entry) chunks.push(chunk);
    const fh = await create(); // here, while `at`'s directory fd is surely open
    const job = (async () => {
      try {
        await write(fh, null);
        await fh.utimes(mtime, mtime);
      } finally {
        await fh.close();
      }
    })();
    this.pending.add(abs, job, h.size ?? 0);
    await this.pending.throttle();
    return true;
  }

  private async hardLink(h: Header, at: string): Promise<void> {
    const t = entryParts(h.linkname ?? '');
    const target = join(await secureJoin(this.dir, t.slice(0, -1)), t[t.length - 1] ?? '');
    await this.pending.wait(target);
    await link(target, at).catch((e: NodeJS.ErrnoException) => {
      // in a standalone layer, a link to a file of a lower layer cannot be made here
      throw this.o.whiteouts === 'overlay' && e.code === 'ENOENT'
        ? new NeedsParent(`hard link to ${h.linkname ?? ''}`)
        : e;
    });
  }

  /** Owner, mode and mtime of an entry written in the foreground (directories' mtimes come last). */
  private async setMeta(h: Header, at: string, abs: string, mode: number): Promise<void> {
    const isFile = h.type === 'file' || h.type === 'contiguous-file';
    if (!isFile) {
      if (this.o.chown) await lchown(at, this.o.chown.uid, this.o.chown.gid);
      else if (this.sameOwner) await lchown(at, h.uid ?? 0, h.gid ?? 0);
      if (h.type !== 'symlink') await chmodNoFollow(at, mode, h.type === 'directory'); // after chown, which clears setuid bits
    }
    const mtime = h.mtime ?? new Date(0);
    if (h.type === 'directory') this.dirTimes.push([abs, mtime]);
    else await lutimes(at, mtime, mtime);
  }

  /** Directory mtimes last (children changed them), deepest first. */
  async setDirTimes(): Promise<void> {
    this.dirTimes.sort((a, b) => b[0].length - a[0].length);
    for (const [p, t] of this.dirTimes) await lutimes(p, t, t);
  }
}

/** Overlay whiteouts (0/0 char devices; Node has no mknod) made by one shell per 16, each name
 *  through an O_NOFOLLOW fd of its parent resolved now, inside `dir`. Names that exist are kept. */
async function makeWhiteouts(dir: string, dirs: DirFds, list: [string[], string][]): Promise<void> {
  for (let i = 0; i < list.length; i += 16) {
    const paths: string[] = [];
    for (const [parent, name] of list.slice(i, i + 16))
      paths.push(`${await dirs.get(await secureJoin(dir, parent))}/${name}`);
    await new Promise<void>((resolve, reject) => {
      const script = 'for p do [ -e "$p" ] || [ -L "$p" ] || mknod "$p" c 0 0 || exit 1; done';
      const p = spawn('sh', ['-c', script, 'sh', ...paths], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve() : reject(internal(`whiteouts: ${err.trim()}`))));
    });
    await dirs.clear();
  }
}
