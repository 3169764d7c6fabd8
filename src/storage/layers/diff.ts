// Tar of a layer directory (an overlay upper dir, or a plain first layer), converting overlay
// whiteouts to OCI ones: 0/0 char devices → `.wh.<name>`, opaque dirs → `<dir>/.wh..wh..opq`.
import { execFile } from 'node:child_process';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { addEntry, addFile, type EntryHeader, vanished } from './tar-entries.js';
import type { Pack } from 'tar-stream';
// loaded on first use: tar-stream costs ~4 MiB of RSS that an idle daemon should not pay
const tarStream = () => createRequire(import.meta.url)('tar-stream') as typeof import('tar-stream');

const major = (d: number) => Number((BigInt(d) >> 8n) & 0xfffn) | Number((BigInt(d) >> 32n) & ~0xfffn);
const minor = (d: number) => Number(BigInt(d) & 0xffn) | Number((BigInt(d) >> 12n) & ~0xffn);

function runOut(cmd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(cmd, args, { maxBuffer: 64 << 20 }, (err, stdout) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') resolve(null);
      else resolve(stdout);
    });
  });
}

/** Directories carrying trusted.overlay.opaque=y (getfattr, else python3; none if neither exists). */
export async function opaqueDirs(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  const dump = await runOut('getfattr', [
    '-R',
    '--absolute-names',
    '-P',
    '-d',
    '-m',
    '^trusted\\.overlay\\.opaque$',
    dir,
  ]);
  if (dump !== null) {
    let cur = '';
    for (const line of dump.split('\n')) {
      if (line.startsWith('# file: ')) cur = line.slice(8);
      else if (line === 'trusted.overlay.opaque="y"') out.add(cur);
    }
    return out;
  }
  const py =
    'import os,sys\nfor d,ds,fs in os.walk(sys.argv[1]):\n  try:\n    v=os.getxattr(d,"trusted.overlay.opaque",follow_symlinks=False)\n  except OSError:\n    continue\n  if v==b"y": print(d)';
  const p = await runOut('python3', ['-c', py, dir]);
  for (const l of (p ?? '').split('\n')) if (l) out.add(l);
  return out;
}

export interface TreeOptions {
  /** Convert overlay whiteouts (0/0 char devices, opaque dirs listed here) to OCI whiteouts. */
  overlay?: { opaque: Set<string> };
  /** Entry names (as in the tar, no trailing slash) left out with all below them. */
  skip?: ReadonlySet<string>;
}

/** Add `abs` to the tar as `name` (recursing into directories). Also used by `docker cp`. Paths
 *  that vanish or change type while the tree is walked are skipped, like Docker's archiver does. */
export async function packTree(
  tar: Pack,
  abs: string,
  name: string,
  o: TreeOptions = {},
  inodes = new Map<string, string>(),
): Promise<void> {
  const add = (h: EntryHeader) => addEntry(tar, h);
  if (o.skip?.has(name)) return;
  let st;
  try {
    st = await lstat(abs);
  } catch (e) {
    if (vanished(e)) return;
    throw e;
  }
  const base = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
  const slash = name.lastIndexOf('/');
  if (o.overlay && st.isCharacterDevice() && st.rdev === 0) {
    await add({ ...base, name: `${name.slice(0, slash + 1)}.wh.${name.slice(slash + 1)}`, type: 'file', size: 0 });
    return;
  }
  const key = `${st.dev}:${st.ino}`;
  if (!st.isDirectory() && st.nlink > 1) {
    const first = inodes.get(key);
    if (first) return add({ ...base, type: 'link', linkname: first, size: 0 });
  }
  // a hard link may only point at an entry that made it into the archive
  const added = () => {
    if (!st.isDirectory() && st.nlink > 1) inodes.set(key, name);
  };
  if (st.isDirectory()) {
    await add({ ...base, name: name + '/', type: 'directory' });
    if (o.overlay?.opaque.has(abs))
      await add({ ...base, name: `${name}/.wh..wh..opq`, type: 'file', size: 0, mode: 0o644 });
    let names: string[] = [];
    try {
      names = (await readdir(abs)).sort();
    } catch (e) {
      if (!vanished(e)) throw e;
    }
    for (const n of names) await packTree(tar, join(abs, n), `${name}/${n}`, o, inodes);
  } else if (st.isSymbolicLink()) {
    let linkname;
    try {
      linkname = await readlink(abs);
    } catch (e) {
      if (vanished(e) || (e as NodeJS.ErrnoException).code === 'EINVAL') return; // gone, or no longer a link
      throw e;
    }
    await add({ ...base, type: 'symlink', linkname });
    added();
  } else if (st.isFile()) {
    if (await addFile(tar, base, abs)) added();
  } else if (st.isCharacterDevice() || st.isBlockDevice()) {
    const type = st.isCharacterDevice() ? 'character-device' : 'block-device';
    await add({ ...base, type, devmajor: major(st.rdev), devminor: minor(st.rdev) });
    added();
  } else if (st.isFIFO()) {
    await add({ ...base, type: 'fifo' });
    added();
  } // sockets are not archived, like Docker
}

/** A Node Readable over a tar-stream pack filled by `fill`. Errors destroy the stream; destroying
 *  the stream (the client went away) destroys the pack, which makes `fill` stop and release its files. */
export function packStream(fill: (tar: Pack) => Promise<void>): Readable {
  const tar = tarStream().pack();
  tar.on('error', () => {}); // reaches the consumer through the Readable below
  const filled = fill(tar).then(
    () => tar.finalize(),
    (e: Error) => tar.destroy(e),
  );
  const r = Readable.from(tar as unknown as AsyncIterable<Buffer>);
  // 'close' only once the packer let go of its files: a caller may unmount the tree right after
  const destroy = r._destroy.bind(r);
  r._destroy = (err, cb) => destroy(err, (e) => void filled.then(() => cb(e)));
  return r;
}

export function diffLayer(upperDir: string, skip?: ReadonlySet<string>): Readable {
  return packStream(async (tar) => {
    const o = { overlay: { opaque: await opaqueDirs(upperDir) }, skip };
    const inodes = new Map<string, string>();
    for (const n of (await readdir(upperDir)).sort()) await packTree(tar, join(upperDir, n), n, o, inodes);
  });
}
