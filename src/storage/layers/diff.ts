// Tar of a layer directory (an overlay upper dir, or a plain first layer), converting overlay
// whiteouts to OCI ones: 0/0 char devices → `.wh.<name>`, opaque dirs → `<dir>/.wh..wh..opq`.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack, type Header } from 'tar-stream';

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

export function diffLayer(upperDir: string): Readable {
  const tar = pack();
  const run = async () => {
    const opaque = await opaqueDirs(upperDir);
    const inodes = new Map<string, string>();
    const add = (h: Header | (Partial<Header> & { name: string }), body?: Buffer) =>
      new Promise<void>((res, rej) => tar.entry(h, body ?? Buffer.alloc(0), (e) => (e ? rej(e) : res())));
    const walk = async (abs: string, rel: string): Promise<void> => {
      for (const n of (await readdir(abs)).sort()) {
        const p = join(abs, n);
        const r = rel ? `${rel}/${n}` : n;
        const st = await lstat(p);
        const base = { name: r, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
        if (st.isCharacterDevice() && st.rdev === 0) {
          await add({ ...base, name: rel ? `${rel}/.wh.${n}` : `.wh.${n}`, type: 'file', size: 0 });
          continue;
        }
        const key = `${st.dev}:${st.ino}`;
        if (!st.isDirectory() && st.nlink > 1) {
          const first = inodes.get(key);
          if (first) {
            await add({ ...base, type: 'link', linkname: first, size: 0 });
            continue;
          }
          inodes.set(key, r);
        }
        if (st.isDirectory()) {
          await add({ ...base, name: r + '/', type: 'directory' });
          if (opaque.has(p)) await add({ ...base, name: `${r}/.wh..wh..opq`, type: 'file', size: 0, mode: 0o644 });
          await walk(p, r);
        } else if (st.isSymbolicLink()) {
          await add({ ...base, type: 'symlink', linkname: await readlink(p) });
        } else if (st.isFile()) {
          await new Promise<void>((res, rej) => {
            const w = tar.entry({ ...base, type: 'file', size: st.size }, (e) => (e ? rej(e) : res()));
            const rs = createReadStream(p);
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
    };
    await walk(upperDir, '');
    tar.finalize();
  };
  run().catch((e: Error) => tar.destroy(e));
  return Readable.from(tar as unknown as AsyncIterable<Buffer>);
}
