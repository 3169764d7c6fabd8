// The build context: a plain or gzip tar (or a bare Dockerfile) unpacked into a private directory,
// confined to it, hashing every regular file while it is written (the COPY cache needs the sums),
// then filtered by .dockerignore.
import { createHash } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, rm, rmdir, symlink, link, utimes, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { invalid } from '../../errdefs.js';
import { secureJoin } from '../../storage/fsutil/securejoin.js';
import { entryParts } from '../../storage/layers/extract.js';
import { maybeGunzip } from '../../storage/layers/decompress.js';
import { DockerIgnore } from '../dockerfile/dockerignore.js';

export interface ContextFile {
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  /** sha256 of the content (files), the link target (symlinks); '' for directories. */
  sum: string;
}

export interface BuildContext {
  dir: string;
  /** Context-relative paths (no leading slash) → what they are. */
  files: Map<string, ContextFile>;
  /** Bytes received (tar stream, uncompressed). */
  size: number;
}

/** Unpack `body` into `dir`. A body that is not a tar is taken as the Dockerfile itself. */
export async function receiveContext(body: Readable, dir: string, dockerfileName: string): Promise<BuildContext> {
  await mkdir(dir, { recursive: true });
  const input = await maybeGunzip(body);
  const it = input[Symbol.asyncIterator]();
  // Peek at the first 512-byte header: "ustar" at offset 257 marks a tar.
  let head = Buffer.alloc(0);
  let ended = false;
  while (head.length < 512 && !ended) {
    const n = await it.next();
    if (n.done) ended = true;
    else head = Buffer.concat([head, n.value as Buffer]);
  }
  const files = new Map<string, ContextFile>();
  if (head.length === 0) return { dir, files, size: 0 };
  const isTar = head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
  if (!isTar) {
    let text = head;
    for (;;) {
      const n = await it.next();
      if (n.done) break;
      text = Buffer.concat([text, n.value as Buffer]);
    }
    const name = dockerfileName || 'Dockerfile';
    await writeRegular(dir, entryParts(name), text, 0o644);
    files.set(entryParts(name).join('/'), { type: 'file', mode: 0o644, sum: createHash('sha256').update(text).digest('hex') });
    return { dir, files, size: text.length };
  }
  const ex = extract();
  let size = 0;
  const feeding = (async () => {
    async function* chunks(): AsyncGenerator<Buffer> {
      yield head;
      if (ended) return;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value as Buffer;
      }
    }
    for await (const chunk of chunks()) {
      size += chunk.length;
      if (ex.destroyed) return;
      if (!ex.write(chunk)) await new Promise<void>((r) => (ex.once('drain', () => r()), ex.once('close', () => r())));
    }
    ex.end(undefined as never);
  })().catch((e: unknown) => {
    ex.destroy(e as Error);
    throw e;
  });
  feeding.catch(() => {});
  const dirTimes: [string, Date][] = [];
  try {
    for await (const entry of ex) {
      try {
        await unpackEntry(dir, entry.header, entry as unknown as AsyncIterable<Buffer>, files, dirTimes);
      } finally {
        entry.resume();
      }
    }
    await feeding;
  } catch (e) {
    ex.destroy();
    input.destroy();
    await feeding.catch(() => {});
    throw e;
  }
  for (const [p, t] of dirTimes.reverse()) await utimes(p, t, t).catch(() => {});
  return { dir, files, size };
}

async function writeRegular(dir: string, parts: string[], data: Buffer, mode: number): Promise<void> {
  const parent = await secureJoin(dir, parts.slice(0, -1));
  await mkdir(parent, { recursive: true });
  const fh = await open(join(parent, parts[parts.length - 1]), 'w', mode);
  try {
    await fh.write(data);
  } finally {
    await fh.close();
  }
}

async function unpackEntry(dir: string, h: Header, body: AsyncIterable<Buffer>, files: Map<string, ContextFile>, dirTimes: [string, Date][]): Promise<void> {
  const parts = entryParts(h.name);
  if (parts.length === 0) return;
  const rel = parts.join('/');
  const parent = await secureJoin(dir, parts.slice(0, -1));
  await mkdir(parent, { recursive: true });
  const abs = join(parent, parts[parts.length - 1]);
  const mode = (h.mode ?? 0o644) & 0o7777;
  const old = await lstat(abs).catch(() => null);
  if (old && !(old.isDirectory() && h.type === 'directory')) await rm(abs, { recursive: true, force: true });
  switch (h.type) {
    case 'directory':
      if (!old) await mkdir(abs, { mode: 0o755 });
      await chmod(abs, mode | 0o700);
      files.set(rel, { type: 'dir', mode, sum: '' });
      if (h.mtime) dirTimes.push([abs, h.mtime]);
      return;
    case 'file':
    case 'contiguous-file': {
      const hash = createHash('sha256');
      const fh = await open(abs, 'w', 0o600);
      try {
        for await (const c of body) {
          hash.update(c);
          await fh.write(c);
        }
      } finally {
        await fh.close();
      }
      await chmod(abs, mode);
      if (h.mtime) await utimes(abs, h.mtime, h.mtime);
      files.set(rel, { type: 'file', mode, sum: hash.digest('hex') });
      return;
    }
    case 'symlink':
      await symlink(h.linkname ?? '', abs);
      files.set(rel, { type: 'symlink', mode: 0o777, sum: h.linkname ?? '' });
      return;
    case 'link': {
      const t = entryParts(h.linkname ?? '');
      const target = join(await secureJoin(dir, t.slice(0, -1)), t[t.length - 1] ?? '');
      await link(target, abs);
      const f = files.get(t.join('/'));
      if (f) files.set(rel, { ...f });
      return;
    }
    default:
      return; // devices, fifos: not meaningful in a build context
  }
}

/** Apply .dockerignore (if present): remove excluded entries, never the Dockerfile itself. */
export async function applyDockerignore(ctx: BuildContext, keep: string[]): Promise<DockerIgnore | null> {
  let text: string;
  try {
    text = await readFile(join(ctx.dir, '.dockerignore'), 'utf8');
  } catch {
    return null;
  }
  const ig = DockerIgnore.parse(text);
  if (ig.patterns.length === 0) return ig;
  const keepSet = new Set(keep);
  // deepest first, so a directory is judged after its children
  const paths = [...ctx.files.keys()].sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? 1 : -1));
  for (const p of paths) {
    if (keepSet.has(p) || !ig.excludes(p)) continue;
    const f = ctx.files.get(p)!;
    const abs = join(ctx.dir, p);
    if (f.type === 'dir') {
      if ((await readdir(abs).catch(() => ['x'])).length === 0) {
        await rmdir(abs).catch(() => {});
        ctx.files.delete(p);
      }
    } else {
      await rm(abs, { force: true });
      ctx.files.delete(p);
    }
  }
  return ig;
}

export function contextPath(p: string): string {
  const parts = entryParts(p);
  if (parts.length === 0 && p !== '' && p !== '.' && p !== '/' && p !== './') throw invalid(`invalid path ${p}`);
  return parts.join('/');
}
