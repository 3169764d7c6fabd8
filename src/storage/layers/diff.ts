// Tar of a layer directory (an overlay upper dir, or a plain first layer), converting overlay
// whiteouts to OCI ones: 0/0 char devices → `.wh.<name>`, opaque dirs → `<dir>/.wh..wh..opq`.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import type { Header, Pack } from 'tar-stream';
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
  const dump = await runOut('getfattr', ['-R', '--absolute-names', '-P', '-d', '-m', '^trusted\\.overlay\\.opaque$', dir]);
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
}

type Add = (h: Partial<Header> & { name: string }, body?: Buffer) => Promise<void>;

/** Add `abs` to the tar as `name` (recursing into directories). Also used by `docker cp`. */
export async function packTree(tar: Pack, abs: string, name: string, o: TreeOptions = {}, inodes = new Map<string, string>()): Promise<void> {
  const add: Add = (h, body) => new Promise<void>((res, rej) => tar.entry(h, body ?? Buffer.alloc(0), (e) => (e ? rej(e) : res())));
  const st = await lstat(abs);
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
    inodes.set(key, name);
  }
  if (st.isDirectory()) {
    await add({ ...base, name: name + '/', type: 'directory' });
    if (o.overlay?.opaque.has(abs)) await add({ ...base, name: `${name}/.wh..wh..opq`, type: 'file', size: 0, mode: 0o644 });
    for (const n of (await readdir(abs)).sort()) await packTree(tar, join(abs, n), `${name}/${n}`, o, inodes);
  } else if (st.isSymbolicLink()) {
    await add({ ...base, type: 'symlink', linkname: await readlink(abs) });
  } else if (st.isFile()) {
    await new Promise<void>((res, rej) => {
      const w = tar.entry({ ...base, type: 'file', size: st.size }, (e) => (e ? rej(e) : res()));
      const rs = createReadStream(abs);
      rs.on('error', rej);
      rs.on('data', (c) => {
        if (!w.write(c as Buffer)) {
          rs.pause();
          w.once('drain', () => rs.resume());
        }
      });
      rs.on('end', () => w.end(undefined as never));
    });
  } else if (st.isCharacterDevice() || st.isBlockDevice()) {
    const type = st.isCharacterDevice() ? 'character-device' : 'block-device';
    await add({ ...base, type, devmajor: major(st.rdev), devminor: minor(st.rdev) });
  } else if (st.isFIFO()) {
    await add({ ...base, type: 'fifo' });
  } // sockets are not archived, like Docker
}

/** A Node Readable over a tar-stream pack filled by `fill` (errors destroy the stream). */
export function packStream(fill: (tar: Pack) => Promise<void>): Readable {
  const tar = tarStream().pack();
  fill(tar).then(
    () => tar.finalize(),
    (e: Error) => tar.destroy(e),
  );
  return Readable.from(tar as unknown as AsyncIterable<Buffer>);
}

export function diffLayer(upperDir: string): Readable {
  return packStream(async (tar) => {
    const o = { overlay: { opaque: await opaqueDirs(upperDir) } };
    const inodes = new Map<string, string>();
    for (const n of (await readdir(upperDir)).sort()) await packTree(tar, join(upperDir, n), n, o, inodes);
  });
}
