// COPY from the build context: entries written straight from the spooled context tar into the
// step's root, with synchronous syscalls (run on the builder's fs worker thread, see fs-worker.ts).
// Docker's rules: owner from --chown (else 0:0), mode from --chmod (else the tar's), mtimes kept;
// whatever is in the way of a name (a file where a directory goes, a symlink) is replaced, never
// followed. Only the build's private snapshot is written, so nothing changes the tree meanwhile.
import {
  chmodSync,
  closeSync,
  constants as C,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/** One context entry to write (hard links already resolved to what they point at). */
export interface SpoolEntry {
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  mtime: number;
  /** file: where its bytes are in the spool */
  offset: number;
  size: number;
  /** symlink: its target */
  linkname: string;
}

export interface SpoolCopy {
  spool: string;
  /** The destination: the path itself for `single`, else an existing directory. */
  to: string;
  /** A file or symlink written at `to`. */
  single?: SpoolEntry;
  /** Otherwise: entries relative to `to`, sorted (parents before children). */
  entries: [string, SpoolEntry][];
  owner: { uid: number; gid: number };
  /** --chmod, for files and directories. */
  mode?: number;
}

const isEexist = (e: unknown) => (e as NodeJS.ErrnoException).code === 'EEXIST';

export function copyFromSpool(p: SpoolCopy): void {
  const spool = openSync(p.spool, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  const chown = p.owner.uid !== 0 || p.owner.gid !== 0;
  // write one non-directory; `fresh`: its directory was made by this copy, so nothing is in the way
  const place = (abs: string, f: SpoolEntry, fresh: boolean) => {
    const make = <T>(fn: () => T): T => {
      try {
        return fn();
      } catch (e) {
        if (fresh || !isEexist(e)) throw e;
        rmSync(abs, { recursive: true, force: true });
        return fn();
      }
    };
    if (f.type === 'symlink') {
      make(() => symlinkSync(f.linkname, abs));
      if (chown) lchownSync(abs, p.owner.uid, p.owner.gid);
      lutimesSync(abs, f.mtime, f.mtime);
      return;
    }
    // O_EXCL|O_NOFOLLOW: an existing name (even a symlink) is removed first, never written through
    const fd = make(() => openSync(abs, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600));
    try {
      for (let done = 0; done < f.size; ) {
        const n = readSync(spool, buf, 0, Math.min(buf.length, f.size - done), f.offset + done);
        if (n <= 0) throw new Error('build context truncated');
        for (let w = 0; w < n; ) w += writeSync(fd, buf, w, n - w);
        done += n;
      }
      if (chown) fchownSync(fd, p.owner.uid, p.owner.gid);
      fchmodSync(fd, p.mode ?? f.mode); // after chown, which clears setuid bits
      futimesSync(fd, f.mtime, f.mtime);
    } finally {
      closeSync(fd);
    }
  };
  try {
    if (p.single) {
      place(p.to, p.single, false);
      return;
    }
    // 1. directories (named ones and implied parents), parents first
    const dirs = new Map<string, SpoolEntry | null>();
    for (const [r, f] of p.entries) {
      for (let i = r.indexOf('/'); i > 0; i = r.indexOf('/', i + 1))
        if (!dirs.has(r.slice(0, i))) dirs.set(r.slice(0, i), null);
      if (f.type === 'dir') dirs.set(r, f);
    }
    const order = [...dirs.keys()].sort();
    const made = new Set<string>();
    const parentOf = (r: string) => r.slice(0, Math.max(0, r.lastIndexOf('/')));
    for (const d of order) {
      const abs = join(p.to, d);
      if (!made.has(parentOf(d))) {
        const old = lstatOrNull(abs);
        if (old?.isDirectory()) continue;
        if (old) rmSync(abs, { recursive: true, force: true });
      }
      mkdirSync(abs, { mode: 0o700 });
      made.add(d);
    }
    // 2. files and symlinks
    for (const [r, f] of p.entries) if (f.type !== 'dir') place(join(p.to, r), f, made.has(parentOf(r)));
    // 3. directories' owner, mode and times, deepest first (writing into them moved their mtimes)
    for (const d of order.reverse()) {
      const abs = join(p.to, d);
      const f = dirs.get(d);
      if (chown || !made.has(d)) lchownSync(abs, p.owner.uid, p.owner.gid);
      chmodSync(abs, p.mode ?? f?.mode ?? 0o755);
      if (f) utimesSync(abs, f.mtime, f.mtime);
    }
  } finally {
    closeSync(spool);
  }
}

function lstatOrNull(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}
