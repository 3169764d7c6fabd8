// A streaming index of a build context tar: headers (ustar, PAX records, GNU long names) are parsed
// as the bytes pass, and each entry's content is recorded by its offset in the stream (the bytes
// themselves go to the spool file, never kept here). Every regular file is hashed as it passes.
// Tolerant as Go's archive/tar is: the docker CLI's `-f` outside the context sends a tar that ends
// right after the last file's data, with no padding and no end-of-archive blocks.
import { createHash, type Hash } from 'node:crypto';
import { invalid } from '../../errdefs.js';
import { entryParts } from '../../storage/layers/extract.js';

export interface ContextFile {
  type: 'file' | 'dir' | 'symlink' | 'link';
  mode: number;
  /** sha256 of the content (files), the link target (links); '' for directories. */
  sum: string;
  /** Where the content sits in the spooled tar, and its length. */
  offset: number;
  size: number;
  mtime: number;
  linkname: string;
}

const octal = (b: Buffer, s: number, n: number): number => {
  if (b[s] & 0x80) {
    // GNU base-256
    let v = 0;
    for (let i = s + 1; i < s + n; i++) v = v * 256 + b[i];
    return v;
  }
  // a byte loop: this runs three times per entry of a 1000-file context
  let v = 0;
  for (let i = s; i < s + n; i++) {
    const c = b[i];
    if (c === 0) break;
    if (c >= 0x30 && c <= 0x37) v = v * 8 + (c - 0x30);
    else if (c !== 0x20) break;
  }
  return v;
};

const cstr = (b: Buffer, s: number, n: number): string => {
  const z = b.indexOf(0, s);
  return b.toString('utf8', s, z >= 0 && z < s + n ? z : s + n);
};

function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(data.toString('latin1', i, sp));
    if (!len) break;
    const rec = data.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

const KINDS: Record<string, ContextFile['type']> = {
  '0': 'file',
  '7': 'file',
  '\0': 'file',
  '5': 'dir',
  '2': 'symlink',
  '1': 'link',
};

/** Whether the first 262+ bytes of a stream are a tar's (the ustar magic). */
export const looksLikeTar = (head: Buffer): boolean =>
  head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar';

/** Feeds on the tar's bytes in order; `files` is the index, in the tar's order (a later entry wins). */
export class TarIndex {
  readonly files = new Map<string, ContextFile>();
  private hdr = Buffer.alloc(0);
  private state: 'header' | 'data' | 'meta' | 'pad' | 'end' = 'header';
  private remaining = 0;
  private pad = 0;
  private padRead = false;
  private meta: Buffer[] = [];
  private metaType = '';
  private pax: Record<string, string> = {};
  private longName: string | null = null;
  private longLink: string | null = null;
  private cur: { rel: string | null; f: ContextFile; size: number; hash: Hash } | null = null;

  /** The next bytes of the tar, which start at `base` in the stream. */
  push(chunk: Buffer, base: number): void {
    let i = 0;
    while (i < chunk.length && this.state !== 'end') {
      if (this.state === 'header') i = this.takeHeader(chunk, i, base);
      else if (this.state === 'data' || this.state === 'meta') i = this.takeData(chunk, i);
      else {
        const take = Math.min(this.pad, chunk.length - i);
        i += take;
        this.pad -= take;
        this.padRead = true;
        if (this.pad === 0) this.state = 'header';
      }
    }
  }

  /** The stream ended: a tar cut inside a header or a file is refused (Go's io.ErrUnexpectedEOF). */
  end(): void {
    const s = this.state;
    const clean = s === 'end' || (s === 'header' && this.hdr.length === 0) || (s === 'pad' && !this.padRead);
    if (!clean) throw invalid('unexpected EOF in the build context tar');
  }

  /**
   * Directories that only appear as the parents of other entries get an entry of their own, as
   * extracting the tar would create them (the docker CLI leaves out a directory excluded by
   * .dockerignore when an exception keeps something inside it).
   */
  addMissingParents(mtime: number): void {
    for (const rel of [...this.files.keys()]) {
      for (let i = rel.lastIndexOf('/'); i > 0; i = rel.lastIndexOf('/', i - 1)) {
        const p = rel.slice(0, i);
        if (this.files.has(p)) break;
        this.files.set(p, { type: 'dir', mode: 0o755, sum: '', offset: 0, size: 0, mtime, linkname: '' });
      }
    }
  }

  private takeHeader(chunk: Buffer, i: number, base: number): number {
    const take = Math.min(512 - this.hdr.length, chunk.length - i);
    this.hdr = this.hdr.length
      ? Buffer.concat([this.hdr, chunk.subarray(i, i + take)])
      : Buffer.from(chunk.subarray(i, i + take));
    i += take;
    if (this.hdr.length === 512) {
      const h = this.hdr;
      this.hdr = Buffer.alloc(0);
      this.onHeader(h);
      if (this.cur && this.state === 'data') this.cur.f.offset = base + i;
    }
    return i;
  }

  private takeData(chunk: Buffer, i: number): number {
    const take = Math.min(this.remaining, chunk.length - i);
    const part = chunk.subarray(i, i + take);
    if (this.state === 'data') this.cur!.hash.update(part);
    else this.meta.push(Buffer.from(part));
    this.remaining -= take;
    if (this.remaining === 0) {
      if (this.state === 'data') this.finishEntry();
      else this.finishMeta();
    }
    return i + take;
  }

  private afterContent(size: number): void {
    this.pad = (512 - (size % 512)) % 512;
    this.padRead = false;
    this.state = this.pad ? 'pad' : 'header';
  }

  private onHeader(h: Buffer): void {
    if (h.every((x) => x === 0)) {
      this.state = 'end';
      return;
    }
    const type = String.fromCharCode(h[156] || 0x30);
    const size = octal(h, 124, 12);
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      this.metaType = type;
      this.meta = [];
      this.remaining = size;
      if (size) this.state = 'meta';
      else this.finishMeta();
      return;
    }
    const e = this.entryOf(h, type, size);
    // Every file is hashed: a tar header (path, size, whole-second mtime, mode) cannot tell two
    // contents apart (tools that pin mtimes make that common), and a wrong sum would reuse a stale
    // cached layer. (Hashing here, on the event loop, costs less CPU than reading the spool back on
    // a worker; the spool's writes overlap it on the thread pool.)
    this.cur = { ...e, hash: createHash('sha256') };
    this.remaining = e.size;
    if (this.remaining > 0) this.state = 'data';
    else this.finishEntry();
  }

  /** The entry a header names (`rel` null: skipped), and the length of its content in the tar. */
  private entryOf(h: Buffer, type: string, headerSize: number): { rel: string | null; f: ContextFile; size: number } {
    let name = cstr(h, 0, 100);
    // only POSIX ustar has a name prefix there (old GNU keeps atime/ctime in those bytes), as in Go
    const prefix = h.toString('latin1', 257, 263) === 'ustar\0' ? cstr(h, 345, 155) : '';
    if (prefix) name = prefix + '/' + name;
    const pax = this.pax;
    if (this.longName !== null) name = this.longName;
    if (pax.path) name = pax.path;
    let linkname = this.longLink ?? pax.linkpath ?? cstr(h, 157, 100);
    // PAX values are client text: a size or mtime that is not a number would reach fs calls
    // (a fractional read length aborts the process in Node's native assertion)
    let size = headerSize;
    if (pax.size !== undefined) {
      if (!/^\d{1,15}$/.test(pax.size)) throw invalid('archive/tar: invalid tar header');
      size = Number(pax.size);
    }
    const mtime = pax.mtime !== undefined ? Number(pax.mtime) : octal(h, 136, 12);
    if (!Number.isFinite(mtime) || Math.abs(mtime) > 1e11) throw invalid('archive/tar: invalid tar header');
    this.longName = this.longLink = null;
    this.pax = {};
    const parts = entryParts(name);
    const kind = KINDS[type] ?? null;
    if (kind === 'link') linkname = entryParts(linkname).join('/');
    const sum = kind === 'symlink' || kind === 'link' ? linkname : '';
    const f: ContextFile = {
      type: kind ?? 'file',
      mode: octal(h, 100, 8) & 0o7777,
      sum,
      offset: 0,
      size: kind === 'file' ? size : 0,
      mtime,
      linkname,
    };
    // an entry of another kind (device, fifo) is skipped, its content too
    return { rel: kind && parts.length ? parts.join('/') : null, f, size };
  }

  private finishMeta(): void {
    const data = Buffer.concat(this.meta);
    if (this.metaType === 'x') this.pax = paxRecords(data);
    else if (this.metaType === 'L') this.longName = cstr(data, 0, data.length);
    else if (this.metaType === 'K') this.longLink = cstr(data, 0, data.length);
    this.afterContent(data.length);
  }

  private finishEntry(): void {
    const c = this.cur!;
    if (c.rel !== null) {
      if (c.f.type === 'file') c.f.sum = c.hash.digest('hex');
      if (c.f.type === 'link') {
        const t = this.files.get(c.f.linkname);
        if (t?.type === 'file') c.f = { ...t, type: 'file', linkname: '' };
      }
      this.files.delete(c.rel); // a later entry replaces an earlier one, at the end of the order
      this.files.set(c.rel, c.f);
    }
    this.cur = null;
    this.afterContent(c.size);
  }
}
