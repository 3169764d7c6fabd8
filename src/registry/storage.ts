// Registry storage on berth's content store. Blobs and manifests are content-addressed in
// <root>/content/blobs/sha256/ (visible only after verify → fsync → rename). Per repository:
//   repositories/<name>/_layers/<hex>                 blob linked into the repo (content: digest)
//   repositories/<name>/_manifests/revisions/<hex>    manifest in the repo (content: {"mediaType"})
//   repositories/<name>/_manifests/tags/<tag>         tag (content: digest)
//   repositories/<name>/_referrers/<subject>/<hex>    referrer descriptor (JSON)
// Every link is written atomically, so a kill -9 leaves either the old or the new state.
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { ContentStore } from '../storage/content/store.js';
import { fsyncDir, writeFileAtomic } from '../util/atomic.js';
import { regErr } from './errors.js';
import { parseManifest, type Descriptor, type ParsedManifest } from './manifest.js';

const hex = (digest: string) => digest.slice('sha256:'.length);

export interface UploadInfo {
  uuid: string;
  repo: string;
  size: number;
  startedAt: string;
}

interface HashState {
  hash: Hash;
  size: number;
}

export interface StoredManifest {
  digest: string;
  mediaType: string;
  body: Buffer;
}

export class RegistryStorage {
  readonly content: ContentStore;
  readonly reposDir: string;
  readonly uploadsDir: string;
  /** Running sha256 of each open upload so finishing it need not re-read the data. */
  private readonly hashes = new Map<string, HashState>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    readonly root: string,
    readonly o: { maxBlobSize?: number } = {},
  ) {
    this.content = new ContentStore(root);
    this.reposDir = join(root, 'repositories');
    this.uploadsDir = join(root, 'uploads');
  }

  async init(): Promise<void> {
    await mkdir(this.content.blobsDir, { recursive: true });
    await mkdir(this.reposDir, { recursive: true });
    await mkdir(this.uploadsDir, { recursive: true });
  }

  private repoDir(name: string): string {
    return join(this.reposDir, name);
  }

  /** Serialise work on one key (an upload, a tag). */
  private async locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  async repoExists(name: string): Promise<boolean> {
    for (const d of ['_manifests', '_layers']) {
      if (await exists(join(this.repoDir(name), d))) return true;
    }
    return false;
  }

  // ---- blobs

  async linkBlob(name: string, digest: string): Promise<void> {
    const p = join(this.repoDir(name), '_layers', hex(digest));
    if (await exists(p)) return;
    await writeFileAtomic(p, digest, { mkdir: true });
  }

  /** Size of a blob readable from `name`, or null when the repo does not hold it. */
  async statBlob(name: string, digest: string): Promise<number | null> {
    const dir = this.repoDir(name);
    const linked =
      (await exists(join(dir, '_layers', hex(digest)))) ||
      (await exists(join(dir, '_manifests', 'revisions', hex(digest))));
    if (!linked) return null;
    try {
      return await this.content.size(digest);
    } catch {
      return null;
    }
  }

  blobStream(digest: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.content.path(digest), { ...range, highWaterMark: 1 << 20 });
  }

  async unlinkBlob(name: string, digest: string): Promise<boolean> {
    const p = join(this.repoDir(name), '_layers', hex(digest));
    if (!(await exists(p))) return false;
    await rm(p);
    return true;
  }

  // ---- uploads

  private uploadDir(uuid: string): string {
    if (!/^[a-f0-9-]{36}$/.test(uuid)) throw regErr('BLOB_UPLOAD_UNKNOWN', { uuid });
    return join(this.uploadsDir, uuid);
  }

  async startUpload(name: string): Promise<UploadInfo> {
    const uuid = randomUUID();
    const dir = this.uploadDir(uuid);
    await mkdir(dir, { recursive: true });
    const startedAt = new Date().toISOString();
    await (await open(join(dir, 'data'), 'w', 0o644)).close();
    await writeFileAtomic(join(dir, 'info.json'), JSON.stringify({ repo: name, startedAt }), { mkdir: true });
    this.hashes.set(uuid, { hash: createHash('sha256'), size: 0 });
    return { uuid, repo: name, size: 0, startedAt };
  }

  async getUpload(name: string, uuid: string): Promise<UploadInfo> {
    const dir = this.uploadDir(uuid);
    let info: { repo: string; startedAt: string };
    try {
      info = JSON.parse(await readFile(join(dir, 'info.json'), 'utf8'));
    } catch {
      throw regErr('BLOB_UPLOAD_UNKNOWN', { uuid });
    }
    if (info.repo !== name) throw regErr('BLOB_UPLOAD_UNKNOWN', { uuid });
    const size = (await stat(join(dir, 'data'))).size;
    return { uuid, repo: name, size, startedAt: info.startedAt };
  }

  /**
   * Append a chunk. `start` (from Content-Range) must equal the current size. A chunk that does
   * not arrive whole (client gone, too large) is cut off again: each PATCH is all or nothing.
   */
  async appendUpload(name: string, uuid: string, body: Readable, start?: number): Promise<UploadInfo> {
    return this.locked(`upload:${uuid}`, async () => {
      const info = await this.getUpload(name, uuid);
      if (start !== undefined && start !== info.size) {
        throw regErr('RANGE_INVALID', { expected: info.size, got: start }, { status: 416 });
      }
      const file = join(this.uploadDir(uuid), 'data');
      let state = this.hashes.get(uuid);
      if (state && state.size !== info.size) state = undefined;
      const saved = state ? { hash: state.hash.copy(), size: state.size } : undefined;
      const max = this.o.maxBlobSize ?? 0;
      let size = info.size;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          size += chunk.length;
          if (max > 0 && size > max)
            return cb(regErr('SIZE_INVALID', { max }, { status: 413, message: 'blob too large' }));
          state?.hash.update(chunk);
          cb(null, chunk);
        },
      });
      try {
        await pipeline(body, meter, createWriteStream(file, { flags: 'a', highWaterMark: 1 << 20 }));
      } catch (e) {
        await truncate(file, info.size).catch(() => undefined);
        if (saved) this.hashes.set(uuid, saved);
        else this.hashes.delete(uuid);
        throw e;
      }
      if (state) state.size = size;
      return { ...info, size };
    });
  }

  /** Verify the upload against `digest`, then commit it atomically and link it into the repo. */
  async finishUpload(name: string, uuid: string, digest: string, body?: Readable): Promise<{ size: number }> {
    let info: UploadInfo;
    if (body) info = await this.appendUpload(name, uuid, body);
    else info = await this.getUpload(name, uuid);
    return this.locked(`upload:${uuid}`, async () => {
      const dir = this.uploadDir(uuid);
      const file = join(dir, 'data');
      const state = this.hashes.get(uuid);
      const actual = state && state.size === info.size ? 'sha256:' + state.hash.digest('hex') : await hashFile(file);
      this.hashes.delete(uuid);
      if (actual !== digest) {
        await rm(dir, { recursive: true, force: true });
        throw regErr('DIGEST_INVALID', { Digest: digest });
      }
      const fh = await open(file, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      if (await this.content.has(digest)) await rm(file);
      else await this.content.adopt(file, digest);
      await this.linkBlob(name, digest);
      await rm(dir, { recursive: true, force: true });
      return { size: info.size };
    });
  }

  async cancelUpload(name: string, uuid: string): Promise<void> {
    await this.getUpload(name, uuid);
    this.hashes.delete(uuid);
    await rm(this.uploadDir(uuid), { recursive: true, force: true });
  }

  async listUploads(): Promise<{ uuid: string; startedAt: string }[]> {
    const out = [];
    for (const uuid of await readdir(this.uploadsDir).catch(() => [] as string[])) {
      try {
        const info = JSON.parse(await readFile(join(this.uploadsDir, uuid, 'info.json'), 'utf8'));
        out.push({ uuid, startedAt: String(info.startedAt) });
      } catch {
        out.push({ uuid, startedAt: new Date(0).toISOString() });
      }
    }
    return out;
  }

  async removeUpload(uuid: string): Promise<void> {
    await rm(join(this.uploadsDir, uuid), { recursive: true, force: true });
  }

  // ---- manifests

  /** Resolve a tag or digest to the manifest stored in `name`, or null. */
  async resolve(name: string, ref: string): Promise<{ digest: string; mediaType: string } | null> {
    let digest = ref;
    if (!ref.includes(':')) {
      try {
        digest = (await readFile(join(this.repoDir(name), '_manifests', 'tags', ref), 'utf8')).trim();
      } catch {
        return null;
      }
    }
    try {
      const rev = JSON.parse(await readFile(join(this.repoDir(name), '_manifests', 'revisions', hex(digest)), 'utf8'));
      return { digest, mediaType: String(rev.mediaType) };
    } catch {
      return null;
    }
  }

  async getManifest(name: string, ref: string): Promise<StoredManifest | null> {
    const r = await this.resolve(name, ref);
    if (!r) return null;
    try {
      return { ...r, body: await this.content.readAll(r.digest) };
    } catch {
      return null;
    }
  }

  /**
   * Store a manifest after checking that everything it references is in the repository.
   * Order: content → revision link → referrer link → tag, so a crash never leaves a tag
   * pointing at something missing.
   */
  async putManifest(
    name: string,
    body: Buffer,
    contentType: string | undefined,
    tag?: string,
  ): Promise<{ digest: string; parsed: ParsedManifest }> {
    const parsed = parseManifest(body, contentType);
    for (const b of parsed.blobs) {
      if ((await this.statBlob(name, b.digest)) === null) throw regErr('MANIFEST_BLOB_UNKNOWN', { digest: b.digest });
    }
    for (const m of parsed.manifests) {
      if (!(await this.resolve(name, m.digest))) throw regErr('MANIFEST_BLOB_UNKNOWN', { digest: m.digest });
    }
    const digest = await this.content.put(body);
    const dir = this.repoDir(name);
    await writeFileAtomic(
      join(dir, '_manifests', 'revisions', hex(digest)),
      JSON.stringify({ mediaType: parsed.mediaType }),
      { mkdir: true },
    );
    if (parsed.subject) {
      const d: Descriptor = { mediaType: parsed.mediaType, digest, size: body.length };
      if (parsed.artifactType) d.artifactType = parsed.artifactType;
      if (parsed.annotations) d.annotations = parsed.annotations;
      await writeFileAtomic(join(dir, '_referrers', hex(parsed.subject.digest), hex(digest)), JSON.stringify(d), {
        mkdir: true,
      });
    }
    if (tag)
      await this.locked(`tag:${name}:${tag}`, () =>
        writeFileAtomic(join(dir, '_manifests', 'tags', tag), digest, { mkdir: true }),
      );
    return { digest, parsed };
  }

  async tags(name: string): Promise<string[] | null> {
    if (!(await this.repoExists(name))) return null;
    const t = await readdir(join(this.repoDir(name), '_manifests', 'tags')).catch(() => [] as string[]);
    return t.filter((x) => !x.startsWith('.')).sort();
  }

  async deleteTag(name: string, tag: string): Promise<boolean> {
    const p = join(this.repoDir(name), '_manifests', 'tags', tag);
    if (!(await exists(p))) return false;
    await rm(p);
    await fsyncDir(join(this.repoDir(name), '_manifests', 'tags'));
    return true;
  }

  /** Remove a manifest revision, the tags that point at it and its referrer entry. */
  async deleteManifest(name: string, digest: string): Promise<boolean> {
    const m = await this.getManifest(name, digest);
    if (!m) return false;
    for (const t of (await this.tags(name)) ?? []) {
      const r = await this.resolve(name, t);
      if (r?.digest === digest) await this.deleteTag(name, t);
    }
    try {
      const p = parseManifest(m.body, m.mediaType);
      if (p.subject)
        await rm(join(this.repoDir(name), '_referrers', hex(p.subject.digest), hex(digest)), { force: true });
    } catch {
      // unparsable manifests have no referrer entry
    }
    await rm(join(this.repoDir(name), '_manifests', 'revisions', hex(digest)), { force: true });
    return true;
  }

  async revisions(name: string): Promise<string[]> {
    const r = await readdir(join(this.repoDir(name), '_manifests', 'revisions')).catch(() => [] as string[]);
    return r.filter((h) => /^[a-f0-9]{64}$/.test(h)).map((h) => 'sha256:' + h);
  }

  async layerLinks(name: string): Promise<string[]> {
    const r = await readdir(join(this.repoDir(name), '_layers')).catch(() => [] as string[]);
    return r.filter((h) => /^[a-f0-9]{64}$/.test(h)).map((h) => 'sha256:' + h);
  }

  async referrers(name: string, subject: string): Promise<Descriptor[]> {
    const dir = join(this.repoDir(name), '_referrers', hex(subject));
    const out: Descriptor[] = [];
    for (const f of (await readdir(dir).catch(() => [] as string[])).sort()) {
      if (!/^[a-f0-9]{64}$/.test(f)) continue;
      // A referrer whose manifest was deleted is not listed.
      if (!(await exists(join(this.repoDir(name), '_manifests', 'revisions', f)))) continue;
      try {
        out.push(JSON.parse(await readFile(join(dir, f), 'utf8')));
      } catch {
        // half-written entries cannot exist (atomic writes); skip anything foreign
      }
    }
    return out;
  }

  /** All repository names, sorted. */
  async repositories(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      const ents = await readdir(join(this.reposDir, rel), { withFileTypes: true }).catch(() => []);
      if (ents.some((e) => e.name === '_manifests' || e.name === '_layers')) out.push(rel);
      for (const e of ents) {
        if (e.isDirectory() && !e.name.startsWith('_') && !e.name.startsWith('.'))
          await walk(rel ? `${rel}/${e.name}` : e.name);
      }
    };
    await walk('');
    return out.sort();
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

export async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), h);
  return 'sha256:' + h.digest('hex');
}
