// The tar of a build step's layer (an overlay upper dir), written to a file with plain synchronous
// syscalls into one big buffer, hashed on the way. It runs on the builder's fs worker thread
// (fs-worker.ts): on this kind of host one async fs call costs ~0.25 ms of thread-pool round trip,
// ten times the syscall, and a 1,000-file layer needs several thousand of them.
// Whiteouts as in storage/layers/diff.ts: overlay 0/0 char devices → `.wh.<name>`, opaque dirs
// (listed by the caller, who can read xattrs) → `<dir>/.wh..wh..opq`.
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants as C,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';

const BLOCK = 512;

export interface TarEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'link' | 'char' | 'block' | 'fifo';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

const TYPEFLAG: Record<TarEntry['type'], string> = {
  file: '0',
  link: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

function octal(b: Buffer, off: number, len: number, v: number): boolean {
  const s = Math.floor(v).toString(8);
  if (v < 0 || s.length > len - 1) return false;
  b.write(s.padStart(len - 1, '0'), off, len - 1, 'latin1');
  b[off + len - 1] = 0;
  return true;
}

function paxRecord(k: string, v: string): string {
  const body = ` ${k}=${v}\n`;
  const n = Buffer.byteLength(body);
  // the record's length counts its own digits
  let len = n + String(n).length;
  if (String(len).length !== String(n).length) len = n + String(len).length;
  return len + body;
}

function checksum(h: Buffer): void {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i];
  h.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8, 'latin1');
}

const padding = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;

/** One ustar header block, preceded by a PAX extended header when a field does not fit. */
export function tarHeader(e: TarEntry): Buffer {
  const pax: string[] = [];
  let name = Buffer.from(e.type === 'dir' && !e.name.endsWith('/') ? e.name + '/' : e.name);
  let prefix = Buffer.alloc(0);
  if (name.length > 100) {
    // ustar's prefix/name split at a slash, else a PAX path
    let cut = -1;
    for (let i = Math.min(155, name.length - 2); i > 0; i--) {
      if (name[i] === 0x2f && name.length - i - 1 <= 100) {
        cut = i;
        break;
      }
    }
    if (cut > 0) {
      prefix = name.subarray(0, cut);
      name = name.subarray(cut + 1);
    } else {
      pax.push(paxRecord('path', name.toString()));
      name = name.subarray(0, 100);
    }
  }
  const link = Buffer.from(e.linkname ?? '');
  if (link.length > 100) pax.push(paxRecord('linkpath', link.toString()));
  const h = Buffer.alloc(BLOCK);
  name.copy(h, 0);
  octal(h, 100, 8, e.mode & 0o7777);
  if (!octal(h, 108, 8, e.uid)) pax.push(paxRecord('uid', String(e.uid)));
  if (!octal(h, 116, 8, e.gid)) pax.push(paxRecord('gid', String(e.gid)));
  if (!octal(h, 124, 12, e.size)) pax.push(paxRecord('size', String(e.size)));
  if (!octal(h, 136, 12, e.mtime)) pax.push(paxRecord('mtime', String(e.mtime)));
  h.write(TYPEFLAG[e.type], 156, 1, 'latin1');
  link.copy(h, 157, 0, Math.min(100, link.length));
  h.write('ustar\u000000', 257, 8, 'latin1');
  octal(h, 329, 8, e.devmajor ?? 0);
  octal(h, 337, 8, e.devminor ?? 0);
  prefix.copy(h, 345);
  checksum(h);
  if (!pax.length) return h;
  const body = Buffer.from(pax.join(''));
  const ph = Buffer.alloc(BLOCK);
  ph.write('PaxHeader', 0, 100, 'latin1');
  octal(ph, 100, 8, 0o644);
  octal(ph, 108, 8, 0);
  octal(ph, 116, 8, 0);
  octal(ph, 124, 12, body.length);
  octal(ph, 136, 12, 0);
  ph.write('x', 156, 1, 'latin1');
  ph.write('ustar\u000000', 257, 8, 'latin1');
  checksum(ph);
  return Buffer.concat([ph, body, Buffer.alloc(padding(body.length)), h]);
}

const major = (d: number) => Number((BigInt(d) >> 8n) & 0xfffn) | Number((BigInt(d) >> 32n) & ~0xfffn);
const minor = (d: number) => Number(BigInt(d) & 0xffn) | Number((BigInt(d) >> 12n) & ~0xffn);

export interface LayerTarResult {
  /** sha256:<hex> of the tar (the layer's diffID). */
  digest: string;
  /** Bytes of tar. */
  tarSize: number;
  /** Sum of the regular files' sizes (what images report as a layer's size). */
  size: number;
}

/** The tar file being written: one big buffer, hashed and written out as it fills. */
class TarOut {
  private readonly hash = createHash('sha256');
  private readonly buf = Buffer.allocUnsafe(4 << 20);
  private pos = 0;
  tarSize = 0;

  constructor(private readonly fd: number) {}

  flush(): void {
    if (!this.pos) return;
    const b = this.buf.subarray(0, this.pos);
    this.hash.update(b);
    for (let w = 0; w < this.pos; ) w += writeSync(this.fd, b, w, this.pos - w);
    this.tarSize += this.pos;
    this.pos = 0;
  }

  put(b: Buffer): void {
    for (let i = 0; i < b.length; ) {
      if (this.pos === this.buf.length) this.flush();
      const n = b.copy(this.buf, this.pos, i);
      this.pos += n;
      i += n;
    }
  }

  zeros(n: number): void {
    while (n > 0) {
      if (this.pos === this.buf.length) this.flush();
      const k = Math.min(n, this.buf.length - this.pos);
      this.buf.fill(0, this.pos, this.pos + k);
      this.pos += k;
      n -= k;
    }
  }

  /** `len` bytes of a file, read straight into the buffer; a file that shrank meanwhile is padded with zeros. */
  copyFile(abs: string, len: number): void {
    const src = openSync(abs, C.O_RDONLY | C.O_NOFOLLOW);
    try {
      let done = 0;
      while (done < len) {
        if (this.pos === this.buf.length) this.flush();
        const n = readSync(src, this.buf, this.pos, Math.min(len - done, this.buf.length - this.pos), done);
        if (n === 0) break;
        this.pos += n;
        done += n;
      }
      this.zeros(len - done);
    } finally {
      closeSync(src);
    }
  }

  digest(): string {
    return 'sha256:' + this.hash.digest('hex');
  }
}

/**
 * Write the OCI layer tar of `upper` to `out` (created, fsynced), entries in sorted order with each
 * directory before its contents. `opaque` lists the absolute paths of overlay-opaque directories.
 */
export function writeLayerTar(upper: string, out: string, opaque: ReadonlySet<string>): LayerTarResult {
  const fd = openSync(out, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o644);
  const t = new TarOut(fd);
  let size = 0;
  const inodes = new Map<string, string>();
  const entry = (abs: string, name: string, st: Stats) => {
    const base = {
      name,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      size: 0,
      mtime: Math.floor(st.mtimeMs / 1000),
    };
    const slash = name.lastIndexOf('/');
    if (st.isCharacterDevice() && st.rdev === 0) {
      t.put(tarHeader({ ...base, type: 'file', name: `${name.slice(0, slash + 1)}.wh.${name.slice(slash + 1)}` }));
      return;
    }
    if (!st.isDirectory() && st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = inodes.get(key);
      if (first !== undefined) {
        t.put(tarHeader({ ...base, type: 'link', linkname: first }));
        return;
      }
      inodes.set(key, name);
    }
    if (st.isDirectory()) {
      t.put(tarHeader({ ...base, type: 'dir' }));
      if (opaque.has(abs)) t.put(tarHeader({ ...base, type: 'file', name: `${name}/.wh..wh..opq`, mode: 0o644 }));
      for (const n of readdirSync(abs).sort()) entry(join(abs, n), `${name}/${n}`, lstatSync(join(abs, n)));
    } else if (st.isSymbolicLink()) {
      t.put(tarHeader({ ...base, type: 'symlink', linkname: readlinkSync(abs) }));
    } else if (st.isFile()) {
      t.put(tarHeader({ ...base, type: 'file', size: st.size }));
      t.copyFile(abs, st.size);
      t.zeros(padding(st.size));
      size += st.size;
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      const type = st.isCharacterDevice() ? 'char' : 'block';
      t.put(tarHeader({ ...base, type, devmajor: major(st.rdev), devminor: minor(st.rdev) }));
    } else if (st.isFIFO()) {
      t.put(tarHeader({ ...base, type: 'fifo' }));
    } // sockets are not archived, like Docker
  };
  try {
    for (const n of readdirSync(upper).sort()) entry(join(upper, n), n, lstatSync(join(upper, n)));
    t.zeros(BLOCK * 2);
    t.flush();
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { digest: t.digest(), tarSize: t.tarSize, size };
}
