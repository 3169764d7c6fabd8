// The build context: a plain or gzip tar (or a bare Dockerfile) unpacked into a private directory,
// confined to it, hashing every regular file while it is written (the COPY cache needs the sums),
// then filtered by .dockerignore.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, link, lstat, mkdir, open, rm, symlink, utimes, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { invalid } from '../../errdefs.js';
import { secureJoin } from '../../storage/fsutil/securejoin.js';
import { entryParts } from '../../storage/layers/extract.js';
import { DockerIgnore } from '../dockerfile/dockerignore.js';
import type { SpoolCopy, SpoolEntry } from './spool-copy.js';

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

export interface CopyOutOptions {
  owner: { uid: number; gid: number };
  /** --chmod: for files and directories alike. */
  mode?: number;
}

/** Contexts up to this size stay in memory; bigger ones go to the spool file as they arrive. */
export const MEMORY_CONTEXT = 128 << 20;
/** …and all builds' in-memory contexts together stay under this. */
export const MEMORY_CONTEXTS = 256 << 20;
let memoryInUse = 0;
/** Bytes of build contexts held in memory right now (all builds). */
export const contextMemoryInUse = () => memoryInUse;

/**
 * The context (the uncompressed tar) is indexed while it streams in and kept as it came, in memory
 * (up to MEMORY_CONTEXT) or in a spool file. Files are written out only when a COPY/ADD or a bind
 * mount needs them; a fully cached rebuild never touches the disk for its context.
 */
export class BuildContext {
  readonly files = new Map<string, ContextFile>();
  size = 0;
  private done: Promise<void> | null = null;
  /** The tar's chunks while in memory, and where each starts; null once spooled. */
  private mem: Buffer[] | null = [];
  private starts: number[] = [];
  private spooling: Promise<string> | null = null;

  constructor(
    readonly dir: string,
    readonly spool: string,
  ) {}

  /** @internal receiveContext: keep a chunk in memory. */
  keep(c: Buffer, at: number): void {
    this.mem!.push(c);
    this.starts.push(at);
    this.held += c.length;
    memoryInUse += c.length;
  }

  private held = 0;

  /** Drop the in-memory tar (the build is over, or it was written to the spool). */
  release(): void {
    memoryInUse -= this.held;
    this.held = 0;
    this.mem = null;
    this.starts = [];
  }

  /** @internal receiveContext: the data went (or goes) to the spool file instead. */
  spooled(): void {
    this.release();
    this.spooling = Promise.resolve(this.spool);
  }

  /** The spool file's path, writing the in-memory tar out first if needed (once). */
  spoolFile(): Promise<string> {
    this.spooling ??= (async () => {
      await mkdir(dirname(this.spool), { recursive: true });
      const fh = await open(this.spool, 'w', 0o600);
      try {
        const mem = this.mem!;
        for (let i = 0, pos = 0; i < mem.length; i += 1024) {
          const part = mem.slice(i, i + 1024); // IOV_MAX
          await fh.writev(part, pos);
          for (const b of part) pos += b.length;
        }
      } finally {
        await fh.close();
      }
      this.release();
      return this.spool;
    })();
    return this.spooling;
  }

  /** Bytes [offset, offset+len) of the tar, from memory or the spool. */
  private async slice(offset: number, len: number): Promise<Buffer> {
    const b = Buffer.alloc(len);
    const mem = this.mem;
    if (mem) {
      // the last chunk starting at or before offset, then copy forward
      let lo = 0;
      let hi = this.starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.starts[mid] <= offset) lo = mid;
        else hi = mid - 1;
      }
      for (let i = lo, got = 0; got < len && i < mem.length; i++) {
        const from = Math.max(0, offset + got - this.starts[i]);
        got += mem[i].copy(b, got, from, Math.min(mem[i].length, from + len - got));
      }
      return b;
    }
    const fh = await open(await this.spoolFile(), 'r');
    try {
      await fh.read(b, 0, len, offset);
      return b;
    } finally {
      await fh.close();
    }
  }

  async read(rel: string): Promise<Buffer> {
    const f = this.files.get(rel);
    if (!f || f.type !== 'file') throw Object.assign(new Error(`${rel}: not found`), { code: 'ENOENT' });
    return this.slice(f.offset, f.size);
  }

  /** A file's content as a stream (ADD's archive extraction). */
  async stream(rel: string): Promise<Readable> {
    const f = this.files.get(rel);
    if (!f || f.type !== 'file') throw Object.assign(new Error(`${rel}: not found`), { code: 'ENOENT' });
    if (f.size === 0) return Readable.from([]);
    return createReadStream(await this.spoolFile(), { start: f.offset, end: f.offset + f.size - 1 });
  }

  /**
   * What COPY writes for `rel` (a file, symlink, or a directory's contents; '' is the context root)
   * at `to` (for a directory: an existing directory): a job for copyFromSpool.
   */
  async copyPlan(rel: string, to: string, o: CopyOutOptions): Promise<SpoolCopy> {
    const entry = (f: ContextFile): SpoolEntry | null => {
      if (f.type === 'link') {
        // a hard link whose target is not a regular file (those became copies when indexed)
        const t = this.files.get(f.linkname);
        return t?.type === 'symlink' ? entry(t) : null;
      }
      return { type: f.type, mode: f.mode, mtime: f.mtime, offset: f.offset, size: f.size, linkname: f.linkname };
    };
    const base = { spool: await this.spoolFile(), to, owner: o.owner, ...(o.mode !== undefined ? { mode: o.mode } : {}) };
    const top = rel === '' ? null : this.files.get(rel);
    if (rel !== '' && !top) throw Object.assign(new Error(`${rel}: not found`), { code: 'ENOENT' });
    if (top && top.type !== 'dir') {
      const e = entry(top);
      return e ? { ...base, single: e, entries: [] } : { ...base, entries: [] };
    }
    const prefix = rel ? rel + '/' : '';
    const entries: [string, SpoolEntry][] = [];
    for (const [k, f] of this.files) {
      if (!k.startsWith(prefix) || k === prefix) continue;
      const e = entry(f);
      if (e) entries.push([k.slice(prefix.length), e]);
    }
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { ...base, entries };
  }

  /** Whether a context file is a tar or a gzip'd tar (ADD extracts those). */
  async isTar(rel: string): Promise<boolean> {
    const f = this.files.get(rel);
    if (!f || f.type !== 'file' || f.size < 2) return false;
    const head = await this.slice(f.offset, Math.min(f.size, 512));
    if (head[0] !== 0x1f || head[1] !== 0x8b) return head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar';
    // a gzip file is extracted only when it holds a tar
    const gz = (await this.stream(rel)).pipe(createGunzip());
    let got = Buffer.alloc(0);
    try {
      for await (const c of gz) {
        got = Buffer.concat([got, c as Buffer]);
        if (got.length >= 262) break;
      }
    } catch {
      return false;
    } finally {
      gz.destroy();
    }
    return got.length >= 262 && got.toString('latin1', 257, 262) === 'ustar';
  }

  /** Write the (filtered) context out under `dir`, once. */
  materialize(): Promise<void> {
    this.done ??= this.writeOut();
    return this.done;
  }

  private async writeOut(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const fh = await open(await this.spoolFile(), 'r');
    const dirTimes: [string, number][] = [];
    const place = async (rel: string, f: ContextFile): Promise<string> => {
      const parts = rel.split('/');
      const parent = await secureJoin(this.dir, parts.slice(0, -1));
      await mkdir(parent, { recursive: true });
      const abs = join(parent, parts[parts.length - 1]);
      const old = await lstat(abs).catch(() => null);
      if (old && !(old.isDirectory() && f.type === 'dir')) await rm(abs, { recursive: true, force: true });
      if (f.type === 'dir' && !old?.isDirectory()) await mkdir(abs);
      return abs;
    };
    const writeFile = async (rel: string, f: ContextFile) => {
      const abs = await place(rel, f);
      const out = await open(abs, 'w', 0o600);
      try {
        const buf = Buffer.allocUnsafe(Math.min(f.size, 1 << 20));
        for (let done = 0; done < f.size; ) {
          const n = Math.min(buf.length, f.size - done);
          const { bytesRead } = await fh.read(buf, 0, n, f.offset + done);
          if (bytesRead <= 0) throw invalid('build context truncated');
          await out.write(buf, 0, bytesRead);
          done += bytesRead;
        }
      } finally {
        await out.close();
      }
      await chmod(abs, f.mode);
      await utimes(abs, f.mtime, f.mtime);
    };
    try {
      // directories and symlinks first, in order (paths below may go through them); then the
      // regular files, several at a time (one at a time is a long chain of syscalls for 1000
      // files); hard links last, once their targets exist
      const files: [string, ContextFile][] = [];
      const links: [string, ContextFile][] = [];
      for (const [rel, f] of this.files) {
        if (f.type === 'file') files.push([rel, f]);
        else if (f.type === 'link') links.push([rel, f]);
        else if (f.type === 'dir') {
          const abs = await place(rel, f);
          await chmod(abs, f.mode | 0o700);
          dirTimes.push([abs, f.mtime]);
        } else await symlink(f.linkname, await place(rel, f));
      }
      let next = 0;
      const worker = async () => {
        while (next < files.length) {
          const [rel, f] = files[next++];
          await writeFile(rel, f);
        }
      };
      await Promise.all(Array.from({ length: Math.min(8, files.length) }, worker));
      for (const [rel, f] of links) {
        const abs = await place(rel, f);
        const t = entryParts(f.linkname);
        await link(join(await secureJoin(this.dir, t.slice(0, -1)), t[t.length - 1] ?? ''), abs);
      }
    } finally {
      await fh.close();
    }
    for (const [p, t] of dirTimes.reverse()) await utimes(p, t, t).catch(() => {});
  }
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

/**
 * Calls `fn` with each chunk of `body`, gunzipped when it starts with gzip's magic; a plain tar
 * (what the CLI sends) is handled right in the request's 'data' events (no promise per chunk: a
 * 51 MB context comes in ~5,000 of them). When `fn` returns a promise the body pauses until it settles.
 */
function eachChunk(body: Readable, fn: (c: Buffer) => Promise<void> | void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let head: Buffer | null = Buffer.alloc(0);
    let sink: Writable | null = null; // the gunzip stream, for a gzip body
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      body.destroy();
      sink?.destroy();
      reject(e);
    };
    const deliver = (src: Readable, c: Buffer) => {
      try {
        const p = fn(c);
        if (p) {
          src.pause();
          p.then(() => src.resume(), fail);
        }
      } catch (e) {
        fail(e);
      }
    };
    const start = (c: Buffer) => {
      if (c[0] === 0x1f && c[1] === 0x8b) {
        const gz = createGunzip();
        sink = gz;
        gz.on('data', (d: Buffer) => deliver(gz, d));
        gz.on('error', fail);
        finished(gz, { writable: false }).then(() => !failed && resolve(), fail);
        if (!gz.write(c)) body.pause();
        gz.on('drain', () => body.resume());
      } else deliver(body, c);
    };
    body.on('data', (c: Buffer) => {
      if (failed) return;
      if (head) {
        head = head.length ? Buffer.concat([head, c]) : c;
        if (head.length < 2) return;
        const h = head;
        head = null;
        start(h);
      } else if (sink) {
        if (!sink.write(c)) body.pause();
      } else deliver(body, c);
    });
    finished(body, { writable: false }).then(() => {
      if (failed) return;
      if (head) {
        const h = head;
        head = null;
        if (h.length) start(h);
      }
      if (sink) sink.end();
      else resolve();
    }, fail);
  });
}

/** Index `body` (plain or gzip tar; anything else is the Dockerfile itself), keeping its bytes. */
export async function receiveContext(body: Readable, dir: string, dockerfileName: string, o: { maxMemory?: number } = {}): Promise<BuildContext> {
  // nothing awaited before the body's listeners are on: an early client error must reach them
  const ctx = new BuildContext(join(dir, 'files'), join(dir, 'context.tar'));
  const maxMemory = o.maxMemory ?? MEMORY_CONTEXT;
  let spool: FileHandle | null = null;
  let pos = 0;
  let first = true;
  let isTar = true;
  // parser state
  let hdr = Buffer.alloc(0);
  let state: 'header' | 'data' | 'meta' | 'pad' | 'end' = 'header';
  let remaining = 0;
  let pad = 0;
  let meta: Buffer[] = [];
  let metaType = '';
  let pax: Record<string, string> = {};
  let longName: string | null = null;
  let longLink: string | null = null;
  let cur: { rel: string | null; f: ContextFile; hash: ReturnType<typeof createHash> | null } | null = null;
  const whole = createHash('sha256');
  const pending: Promise<unknown>[] = [];
  // past maxMemory the chunks go to the spool file in 1 MiB vectored writes (the CLI's come in ~10 KiB)
  let batch: Buffer[] = [];
  let batchBytes = 0;
  let batchPos = 0;
  let held: Buffer[] = [];
  const flush = () => {
    if (!batchBytes) return;
    pending.push(spool!.writev(batch, batchPos));
    batch = [];
    batchBytes = 0;
  };
  const toSpool = async () => {
    await mkdir(dir, { recursive: true });
    spool = await open(ctx.spool, 'w', 0o600);
    ctx.spooled();
    for (let i = 0, at = 0; i < held.length; i += 1024) {
      const part = held.slice(i, i + 1024); // IOV_MAX
      await spool.writev(part, at);
      for (const b of part) at += b.length;
    }
    held = [];
  };

  const onHeader = (h: Buffer) => {
    if (h.every((x) => x === 0)) {
      state = 'end';
      return;
    }
    const type = String.fromCharCode(h[156] || 0x30);
    let size = octal(h, 124, 12);
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      metaType = type;
      meta = [];
      remaining = size;
      pad = (512 - (size % 512)) % 512;
      state = remaining ? 'meta' : 'header';
      if (!remaining) finishMeta();
      return;
    }
    let name = cstr(h, 0, 100);
    const prefix = h.toString('latin1', 257, 262) === 'ustar' ? cstr(h, 345, 155) : '';
    if (prefix) name = prefix + '/' + name;
    if (longName !== null) name = longName;
    if (pax.path) name = pax.path;
    let linkname = longLink ?? pax.linkpath ?? cstr(h, 157, 100);
    // PAX values are client text: a size or mtime that is not a number would reach fs calls
    // (a fractional read length aborts the process in Node's native assertion)
    if (pax.size !== undefined) {
      if (!/^\d{1,15}$/.test(pax.size)) throw invalid('archive/tar: invalid tar header');
      size = Number(pax.size);
    }
    const mtime = pax.mtime !== undefined ? Number(pax.mtime) : octal(h, 136, 12);
    if (!Number.isFinite(mtime) || Math.abs(mtime) > 1e11) throw invalid('archive/tar: invalid tar header');
    longName = longLink = null;
    pax = {};
    const parts = entryParts(name);
    const rel = parts.length ? parts.join('/') : null;
    const kind = type === '0' || type === '7' || type === '\0' ? 'file' : type === '5' ? 'dir' : type === '2' ? 'symlink' : type === '1' ? 'link' : null;
    if (kind === 'link') linkname = entryParts(linkname).join('/');
    const f: ContextFile = { type: kind ?? 'file', mode: octal(h, 100, 8) & 0o7777, sum: kind === 'symlink' || kind === 'link' ? linkname : '', offset: 0, size: kind === 'file' ? size : 0, mtime, linkname };
    // Every file is hashed: a tar header (path, size, whole-second mtime, mode) cannot tell two contents
    // apart (tools that pin mtimes make that common), and a wrong sum would reuse a stale cached layer.
    cur = { rel: kind ? rel : null, f, hash: createHash('sha256') };
    remaining = size;
    pad = (512 - (size % 512)) % 512;
    if (remaining > 0) state = 'data';
    else finishEntry();
  };
  const finishMeta = () => {
    const data = Buffer.concat(meta);
    if (metaType === 'x') pax = paxRecords(data);
    else if (metaType === 'L') longName = cstr(data, 0, data.length);
    else if (metaType === 'K') longLink = cstr(data, 0, data.length);
    state = pad ? 'pad' : 'header';
  };
  const finishEntry = () => {
    const c = cur!;
    if (c.rel !== null) {
      if (c.f.type === 'file' && c.hash) {
        c.f.sum = c.hash.digest('hex');
      }
      if (c.f.type === 'link') {
        const t = ctx.files.get(c.f.linkname);
        if (t?.type === 'file') c.f = { ...t, type: 'file', linkname: '' };
      }
      ctx.files.delete(c.rel); // a later entry replaces an earlier one, at the end of the order
      ctx.files.set(c.rel, c.f);
    }
    cur = null;
    state = pad ? 'pad' : 'header';
  };

  const parse = (chunk: Buffer, base: number) => {
    let i = 0;
    while (i < chunk.length && state !== 'end') {
      if (state === 'header') {
        const take = Math.min(512 - hdr.length, chunk.length - i);
        hdr = hdr.length ? Buffer.concat([hdr, chunk.subarray(i, i + take)]) : Buffer.from(chunk.subarray(i, i + take));
        i += take;
        if (hdr.length === 512) {
          const h = hdr;
          hdr = Buffer.alloc(0);
          onHeader(h);
          if (cur && (state as string) === 'data') (cur as { f: ContextFile }).f.offset = base + i;
        }
      } else if (state === 'data' || state === 'meta') {
        const take = Math.min(remaining, chunk.length - i);
        const part = chunk.subarray(i, i + take);
        if (state === 'data') cur!.hash?.update(part);
        else meta.push(Buffer.from(part));
        i += take;
        remaining -= take;
        if (remaining === 0) {
          if (state === 'data') finishEntry();
          else finishMeta();
        }
      } else {
        const take = Math.min(pad, chunk.length - i);
        i += take;
        pad -= take;
        if (pad === 0) state = 'header';
      }
    }
  };

  let pre: Buffer | null = Buffer.alloc(0); // until the first 262 bytes tell whether this is a tar
  const onChunk = (c: Buffer): Promise<void> | void => {
    if (pre) {
      pre = pre.length ? Buffer.concat([pre, c]) : c;
      if (pre.length < 262) return;
      c = pre;
      pre = null;
      decide(c);
    }
    return take(c);
  };
  const decide = (c: Buffer) => {
    first = false;
    isTar = c.length >= 262 && c.toString('latin1', 257, 262) === 'ustar';
  };
  const take = (chunk: Buffer): Promise<void> | void => {
    if (isTar) parse(chunk, pos);
    else whole.update(chunk);
    const at = pos;
    pos += chunk.length;
    if (!spool) {
      held.push(chunk);
      ctx.keep(chunk, at);
      if (pos > maxMemory || memoryInUse > MEMORY_CONTEXTS) return toSpool();
      return;
    }
    // positional writes overlap with parsing and hashing; a few in flight bound the memory
    if (!batchBytes) batchPos = at;
    batch.push(chunk);
    batchBytes += chunk.length;
    if (batchBytes >= 1 << 20 || batch.length >= 512) flush();
    if (pending.length >= 8) return Promise.all(pending.splice(0)).then(() => {});
  };
  try {
    await eachChunk(body, onChunk);
    if (pre?.length) {
      const c: Buffer = pre;
      pre = null;
      decide(c);
      await take(c);
    }
    if (spool) {
      flush();
      await Promise.all(pending.splice(0));
    }
    ctx.size = pos;
    if (!first && !isTar) {
      const rel = entryParts(dockerfileName || 'Dockerfile').join('/');
      // `-f /` names the context root: no file can be there (it replaced the context directory)
      if (rel === '') throw invalid(`Cannot locate specified Dockerfile: ${dockerfileName}`);
      ctx.files.set(rel, { type: 'file', mode: 0o644, sum: whole.digest('hex'), offset: 0, size: pos, mtime: Math.floor(Date.now() / 1000), linkname: '' });
    } else if (isTar && (state as string) !== 'end' && ((state as string) !== 'header' || hdr.length)) throw invalid('unexpected EOF in the build context tar');
  } catch (e) {
    ctx.release(); // a refused context gives its share of the in-memory budget back
    throw e;
  } finally {
    await Promise.allSettled(pending);
    await (spool as FileHandle | null)?.close();
  }
  return ctx;
}

/** Apply .dockerignore (if present) to the index: excluded entries are never written out. */
export async function applyDockerignore(ctx: BuildContext): Promise<DockerIgnore | null> {
  let text: string;
  try {
    text = (await ctx.read('.dockerignore')).toString('utf8');
  } catch {
    return null;
  }
  const ig = DockerIgnore.parse(text);
  if (ig.patterns.length === 0) return ig;
  const kept = new Set<string>();
  for (const [p, f] of ctx.files) {
    if (f.type === 'dir') continue;
    if (ig.excludes(p)) ctx.files.delete(p);
    else for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) kept.add(p.slice(0, i));
  }
  // an excluded directory stays only when something below it is kept (a `!` exception)
  for (const [p, f] of ctx.files) if (f.type === 'dir' && ig.excludes(p) && !kept.has(p)) ctx.files.delete(p);
  return ig;
}

export function contextPath(p: string): string {
  const parts = entryParts(p);
  if (parts.length === 0 && p !== '' && p !== '.' && p !== '/' && p !== './') throw invalid(`invalid path ${p}`);
  return parts.join('/');
}
