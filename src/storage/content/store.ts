// Content-addressed blob store: <root>/content/blobs/sha256/<hex>, staged under <root>/content/ingest/.
// A blob becomes visible only by rename after its digest was verified and its data fsynced.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { invalid, notFound } from '../../errdefs.js';
import { chunks } from '../chunks.js';
import { fsyncDir } from '../../util/atomic.js';

const DIGEST_RE = /^sha256:([a-f0-9]{64})$/;
const WRITE_BATCH = 1 << 20;

/** writev until every byte is written (a vectored write may be partial). */
async function writeAll(fh: FileHandle, bufs: Buffer[]): Promise<void> {
  let rest = bufs;
  let total = rest.reduce((n, b) => n + b.length, 0);
  while (total > 0) {
    const { bytesWritten } = await fh.writev(rest);
    total -= bytesWritten;
    if (total === 0) return;
    let skip = bytesWritten;
    const next: Buffer[] = [];
    for (const b of rest) {
      if (skip >= b.length) skip -= b.length;
      else {
        next.push(skip ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    rest = next;
  }
}

export function isDigest(d: string): boolean {
  return DIGEST_RE.test(d);
}

export function sha256Digest(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export class ContentStore {
  readonly blobsDir: string;
  readonly ingestDir: string;

  constructor(root: string) {
    this.blobsDir = join(root, 'content', 'blobs', 'sha256');
    this.ingestDir = join(root, 'content', 'ingest');
  }

  async init(): Promise<void> {
    await mkdir(this.blobsDir, { recursive: true });
    await mkdir(this.ingestDir, { recursive: true });
    // Leftover ingests are from a crash: they were never visible, drop them.
    for (const f of await readdir(this.ingestDir)) await rm(join(this.ingestDir, f), { force: true });
  }

  path(digest: string): string {
    const m = DIGEST_RE.exec(digest);
    if (!m) throw invalid(`invalid digest: ${digest}`);
    return join(this.blobsDir, m[1]);
  }

  /**
   * Stream into the store, hashing as we go. With expectedDigest, a mismatch leaves nothing behind.
   * `created` is false when the store already held the blob (the caller must not delete it on failure).
   */
  async ingest(src: Readable, expectedDigest?: string): Promise<{ digest: string; size: number; created: boolean }> {
    if (expectedDigest !== undefined) this.path(expectedDigest); // validates format
    await mkdir(this.ingestDir, { recursive: true });
    const tmp = join(this.ingestDir, randomBytes(12).toString('hex'));
    const hash = createHash('sha256');
    let size = 0;
    try {
      const fh = await open(tmp, 'w', 0o644);
      try {
        // gather chunks into ~1 MiB vectored writes: one await per MiB, not per (often 16-64 KiB) chunk
        let batch: Buffer[] = [];
        let batched = 0;
        for await (const c of chunks(src)) {
          const chunk = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
          hash.update(chunk);
          size += chunk.length;
          batch.push(chunk);
          batched += chunk.length;
          if (batched >= WRITE_BATCH) {
            await writeAll(fh, batch);
            batch = [];
            batched = 0;
          }
        }
        if (batch.length) await writeAll(fh, batch);
        await fh.sync();
      } finally {
        await fh.close();
      }
      const digest = 'sha256:' + hash.digest('hex');
      if (expectedDigest !== undefined && digest !== expectedDigest) {
        throw invalid(`digest mismatch: expected ${expectedDigest}, got ${digest}`);
      }
      await mkdir(this.blobsDir, { recursive: true });
      const created = !(await this.has(digest));
      await rename(tmp, this.path(digest));
      await fsyncDir(this.blobsDir);
      return { digest, size, created };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * Move a finished file into the store under `digest`. The caller verified the digest and fsynced
   * the data; the file must be on the store's filesystem so the rename is atomic.
   */
  async adopt(file: string, digest: string): Promise<void> {
    const dest = this.path(digest);
    await mkdir(this.blobsDir, { recursive: true });
    await rename(file, dest);
    await fsyncDir(this.blobsDir);
  }

  async put(buf: Buffer | string): Promise<string> {
    const data = typeof buf === 'string' ? Buffer.from(buf) : buf;
    const d = sha256Digest(data);
    if (await this.has(d)) return d;
    const r = await this.ingest(Readable.from([data]), d);
    return r.digest;
  }

  async has(digest: string): Promise<boolean> {
    try {
      await stat(this.path(digest));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  async size(digest: string): Promise<number> {
    try {
      return (await stat(this.path(digest))).size;
    } catch (e) {
      throw this.wrap(e, digest);
    }
  }

  async get(digest: string): Promise<Readable> {
    const p = this.path(digest);
    if (!(await this.has(digest))) throw notFound(`content ${digest}: not found`);
    return createReadStream(p, { highWaterMark: 1 << 20 }); // 1 MiB: 16× fewer reads for big layers
  }

  async readAll(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.path(digest));
    } catch (e) {
      throw this.wrap(e, digest);
    }
  }

  async delete(digest: string): Promise<void> {
    try {
      await rm(this.path(digest));
    } catch (e) {
      throw this.wrap(e, digest);
    }
  }

  async list(): Promise<string[]> {
    try {
      return (await readdir(this.blobsDir)).filter((h) => /^[a-f0-9]{64}$/.test(h)).map((h) => 'sha256:' + h);
    } catch {
      return [];
    }
  }

  private wrap(e: unknown, digest: string): unknown {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return notFound(`content ${digest}: not found`, e);
    return e;
  }
}
