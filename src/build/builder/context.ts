// The build context: a plain or gzip tar (or a bare Dockerfile), indexed while it streams into a
// spool file on disk (never held whole in memory, whatever its size), hashing every regular file on
// the way (the COPY cache needs the sums), then filtered by .dockerignore. Files are written out
// only when a COPY/ADD or a bind mount needs them.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { invalid } from '../../errdefs.js';
import { entryParts } from '../../storage/layers/extract.js';
import { DockerIgnore } from '../dockerfile/dockerignore.js';
import { eachChunk } from './body-chunks.js';
import { writeContext } from './context-writeout.js';
import type { SpoolCopy, SpoolEntry } from './spool-copy.js';
import { SpoolWriter } from './spool-writer.js';
import { looksLikeTar, TarIndex, type ContextFile } from './tar-index.js';

export type { ContextFile } from './tar-index.js';

export interface CopyOutOptions {
  owner: { uid: number; gid: number };
  /** --chmod: for files and directories alike. */
  mode?: number;
}

const notFound = (rel: string) => Object.assign(new Error(`${rel}: not found`), { code: 'ENOENT' });

/** Whether a gzip stream holds a tar (ADD extracts only those); the stream is consumed. */
export async function gzipHoldsTar(src: Readable): Promise<boolean> {
  const gz = src.pipe(createGunzip());
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
    src.destroy();
  }
  return looksLikeTar(got);
}

/** An indexed context: the tar as it came, in the spool file, and its entries by path. */
export class BuildContext {
  size = 0;
  private done: Promise<void> | null = null;

  constructor(
    readonly dir: string,
    readonly spool: string,
    readonly files: Map<string, ContextFile>,
  ) {}

  /** Bytes [offset, offset+len) of the tar. */
  private async slice(offset: number, len: number): Promise<Buffer> {
    const b = Buffer.alloc(len);
    const fh = await open(this.spool, 'r');
    try {
      await fh.read(b, 0, len, offset);
      return b;
    } finally {
      await fh.close();
    }
  }

  async read(rel: string): Promise<Buffer> {
    const f = this.files.get(rel);
    if (f?.type !== 'file') throw notFound(rel);
    return this.slice(f.offset, f.size);
  }

  /** A file's content as a stream (ADD's archive extraction). */
  stream(rel: string): Readable {
    const f = this.files.get(rel);
    if (f?.type !== 'file') throw notFound(rel);
    if (f.size === 0) return Readable.from([]);
    return createReadStream(this.spool, { start: f.offset, end: f.offset + f.size - 1 });
  }

  /**
   * What COPY writes for `rel` (a file, symlink, or a directory's contents; '' is the context root)
   * at `to` (for a directory: an existing directory): a job for copyFromSpool.
   */
  copyPlan(rel: string, to: string, o: CopyOutOptions): SpoolCopy {
    const entry = (f: ContextFile): SpoolEntry | null => {
      if (f.type === 'link') {
        // a hard link whose target is not a regular file (those became copies when indexed)
        const t = this.files.get(f.linkname);
        return t?.type === 'symlink' ? entry(t) : null;
      }
      return { type: f.type, mode: f.mode, mtime: f.mtime, offset: f.offset, size: f.size, linkname: f.linkname };
    };
    const base = { spool: this.spool, to, owner: o.owner, ...(o.mode !== undefined ? { mode: o.mode } : {}) };
    const top = rel === '' ? null : this.files.get(rel);
    if (rel !== '' && !top) throw notFound(rel);
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
    if (f?.type !== 'file' || f.size < 2) return false;
    const head = await this.slice(f.offset, Math.min(f.size, 512));
    if (head[0] !== 0x1f || head[1] !== 0x8b) return looksLikeTar(head);
    return gzipHoldsTar(this.stream(rel));
  }

  /** Write the (filtered) context out under `dir`, once. */
  materialize(): Promise<void> {
    this.done ??= writeContext(this.dir, this.spool, this.files);
    return this.done;
  }
}

/** Index `body` (plain or gzip tar; anything else is the Dockerfile itself) into a spool under `dir`. */
export async function receiveContext(body: Readable, dir: string, dockerfileName: string): Promise<BuildContext> {
  // nothing awaited before the body's listeners are on: an early client error must reach them
  const spool = new SpoolWriter(join(dir, 'context.tar'));
  const index = new TarIndex();
  const whole = createHash('sha256');
  let pos = 0;
  let isTar: boolean | null = null; // decided by the first 262 bytes
  let pre: Buffer | null = Buffer.alloc(0);
  const take = (chunk: Buffer): Promise<void> | void => {
    if (isTar !== false) index.push(chunk, pos);
    else whole.update(chunk);
    const at = pos;
    pos += chunk.length;
    return spool.write(chunk, at);
  };
  const onChunk = (c: Buffer): Promise<void> | void => {
    if (pre) {
      pre = pre.length ? Buffer.concat([pre, c]) : c;
      if (pre.length < 262) return;
      [c, pre] = [pre, null];
      isTar = looksLikeTar(c);
    }
    return take(c);
  };
  try {
    await eachChunk(body, onChunk);
    if (pre?.length) {
      const c: Buffer = pre;
      pre = null;
      isTar = looksLikeTar(c);
      await take(c);
    }
    await spool.close();
  } catch (e) {
    await spool.close(false).catch(() => {});
    throw e;
  }
  const ctx = new BuildContext(join(dir, 'files'), spool.path, index.files);
  ctx.size = pos;
  if (isTar === false) {
    const rel = entryParts(dockerfileName || 'Dockerfile').join('/');
    // `-f /` names the context root: no file can be there (it replaced the context directory)
    if (rel === '') throw invalid(`Cannot locate specified Dockerfile: ${dockerfileName}`);
    ctx.files.set(rel, {
      type: 'file',
      mode: 0o644,
      sum: whole.digest('hex'),
      offset: 0,
      size: pos,
      mtime: Math.floor(Date.now() / 1000),
      linkname: '',
    });
  } else {
    index.end();
    index.addMissingParents(Math.floor(Date.now() / 1000));
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
