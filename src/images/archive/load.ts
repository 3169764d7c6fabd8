// `docker load`: reads a docker-archive (manifest.json, legacy `<id>/layer.tar` included) or an OCI
// image layout (index.json), gzip or not, in one streaming pass. Every file is hashed into the
// content store as it passes (nothing is written by its name), then images are assembled from
// the stored blobs: layers are verified against the config's diff_ids, extracted, registered, tagged.
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Header } from 'tar-stream';
import { createRequire } from 'node:module';
// loaded on first use: tar-stream costs ~4 MiB of RSS that an idle daemon should not pay
const tarStream = () => createRequire(import.meta.url)('tar-stream') as typeof import('tar-stream');
import { invalid } from '../../errdefs.js';
import { decompress, detectCompression, maybeGunzip } from '../../storage/layers/decompress.js';
import { peek } from '../distribution/remote.js';
import { familiarString, parseReference, withDefaultTag } from '../reference/reference.js';
import type { ProgressFn } from '../copy.js';
import type { ImageService, LayerRecord } from '../store.js';
import type { ImageConfigFile } from '../types.js';

interface ManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

interface OciIndex {
  manifests?: { mediaType?: string; digest: string; annotations?: Record<string, string> }[];
}

const SMALL = 1 << 20;

/** The first `n` bytes of a file (not the whole blob, as readAll would). */
async function readHead(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return Buffer.alloc(0);
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(n), 0, n, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function* prepend(head: Buffer, tail: AsyncIterable<Buffer>, tick?: (n: number) => void): AsyncGenerator<Buffer> {
  let n = head.length;
  if (head.length) yield head;
  for await (const c of tail) {
    n += c.length;
    tick?.(n);
    yield c;
  }
  tick?.(-1);
}

/** Docker's `<12 hex>: Loading layer [==>  ] 1.2MB/3.4MB`, at most every 100 ms, and at the end. */
function loadingLayer(progress: ProgressFn, name: string, total: number): (n: number) => void {
  const id = /^[a-f0-9]{64}$/.test(name) ? name.slice(0, 12) : name.split('/')[0].slice(0, 12);
  let last = 0;
  return (n) => {
    const now = Date.now();
    if (n >= 0 && now - last < 100) return;
    last = now;
    progress({ status: 'Loading layer', id, progressDetail: { current: n < 0 ? total : n, total } });
  };
}

function ended(s: { once(ev: string, f: () => void): unknown }): Promise<void> {
  return new Promise((r) => {
    s.once('end', r);
    s.once('close', r);
  });
}

/** The archive's JSON is client input: shapes are checked before use (a 5 where a list belongs
 *  was a TypeError, a 500). */
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function norm(name: string): string {
  return name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
}

export interface LoadOptions {
  /** Docker's "Loading layer" messages (not quiet): one bar per layer as it streams in. */
  progress?: ProgressFn;
}

/** Load every image in the archive; returns the lines Docker prints ("Loaded image: …"). */
export async function loadImages(images: ImageService, input: Readable, o: LoadOptions = {}): Promise<string[]> {
  const load = new ArchiveLoad(images, o);
  const ex = tarStream().extract();
  const src = await maybeGunzip(input);
  src.on('error', (e) => ex.destroy(e));
  src.pipe(ex as unknown as NodeJS.WritableStream);
  try {
    await load.readAll(ex);
  } catch (err) {
    // a truncated or bad archive: nothing it added stays (blobs, extracted snapshots)
    await Promise.allSettled(load.jobs);
    await images.prepared.release(load.fresh);
    for (const d of load.fresh) await images.content.delete(d).catch(() => {});
    throw err;
  }
  try {
    // building the plan reads blobs this load added: a malformed archive must reach the cleanup below
    return await load.assemble(await load.makePlan());
  } finally {
    await images.prepared.release(load.fresh);
    for (const d of load.fresh) if (!load.used.has(d)) await images.content.delete(d).catch(() => {});
  }
}

type TarEntry = Readable & { header: Header };
interface PlanEntry {
  config: Buffer;
  layers: string[];
  tags: string[];
}

/** One load's state: the archive's files by path (stored by digest), its links and small metadata files. */
class ArchiveLoad {
  readonly files = new Map<string, string>(); // archive path → content digest
  readonly links = new Map<string, string>(); // symlink/hardlink path → target path
  readonly small = new Map<string, Buffer>(); // top-level metadata files
  readonly fresh = new Set<string>(); // blobs this load added
  readonly used = new Set<string>(); // blobs the loaded images keep
  readonly jobs: Promise<void>[] = [];

  constructor(
    private readonly images: ImageService,
    private readonly o: LoadOptions,
  ) {}

  async readAll(ex: AsyncIterable<unknown>): Promise<void> {
    let entries = 0;
    for await (const x of ex) {
      const e = x as TarEntry;
      entries++;
      const name = norm(e.header.name);
      if (e.header.type === 'symlink' || e.header.type === 'link') {
        const t = e.header.linkname ?? '';
        this.links.set(
          name,
          e.header.type === 'link'
            ? norm(t)
            : norm(name.split('/').slice(0, -1).concat(t).join('/')).replace(/(^|\/)[^/]+\/\.\.\//g, '$1'),
        );
        e.resume();
        continue;
      }
      if (e.header.type !== 'file' && e.header.type !== 'contiguous-file') {
        e.resume();
        continue;
      }
      if (!name.includes('/') && (e.header.size ?? 0) <= SMALL) {
        const parts: Buffer[] = [];
        for await (const c of e) parts.push(c as Buffer);
        this.small.set(name, Buffer.concat(parts));
        continue;
      }
      await this.store(e, name);
    }
    await Promise.all(this.jobs);
    if (entries === 0) throw invalid('unexpected EOF');
  }

  /** A file into the content store by its digest (a tar, an uncompressed layer, extracted as it is stored). */
  private async store(e: TarEntry, name: string): Promise<void> {
    const { images, o } = this;
    const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
    if (m && (await images.content.has('sha256:' + m[1]))) {
      this.files.set(name, 'sha256:' + m[1]);
      e.resume();
      return;
    }
    // The next entry is parsed as soon as this one is read: its fsync and the tail of its
    // extraction overlap what follows.
    const { buf, rest: tail } = await peek(e, 512);
    const isTar = buf.length >= 512 && buf.subarray(257, 262).toString('latin1') === 'ustar';
    const tick = isTar && o.progress ? loadingLayer(o.progress, m ? m[1] : name, e.header.size ?? 0) : undefined;
    const rest = Readable.from(prepend(buf, tail, tick), { objectMode: false, highWaterMark: 1 << 20 });
    const expected = m ? 'sha256:' + m[1] : undefined;
    const job = (isTar ? images.ingestLayer(rest, expected) : images.content.ingest(rest, expected)).then((r) => {
      this.files.set(name, r.digest);
      if (r.created) this.fresh.add(r.digest);
    });
    job.catch(() => {});
    this.jobs.push(job);
    await Promise.race([job, ended(e)]);
  }

  private blobOf(path: string): string {
    let p = norm(path);
    for (let i = 0; i < 8 && this.links.has(p); i++) p = this.links.get(p)!;
    const d = this.files.get(p);
    if (!d) throw invalid(`invalid archive: ${path} is missing`);
    return d;
  }

  private async readJson<T>(path: string): Promise<T> {
    const p = norm(path);
    const buf = this.small.get(p) ?? (await this.images.content.readAll(this.blobOf(p)));
    try {
      return JSON.parse(buf.toString('utf8')) as T;
    } catch {
      throw invalid(`invalid archive: ${path} is not valid JSON`);
    }
  }

  /** The blob's digest as an uncompressed tar: gunzip into the store when it is compressed. */
  private async asDiff(d: string, want: string): Promise<string> {
    const { images } = this;
    if (d === want) return d;
    const compression = detectCompression(await readHead(images.content.path(d), 4));
    if (compression !== 'none') {
      if (await images.content.has(want)) return want;
      const r = await images.ingestLayer(decompress(await images.content.get(d), compression));
      if (r.created) this.fresh.add(r.digest);
      if (r.digest !== want) {
        await images.prepared.release([r.digest]);
        if (r.created) await images.content.delete(r.digest).catch(() => {});
        throw invalid(`invalid diffID for layer: expected ${want}, got ${r.digest}`);
      }
      return r.digest;
    }
    throw invalid(`invalid diffID for layer: expected ${want}, got ${d}`);
  }

  /** The images to assemble, from a docker-archive's manifest.json or an OCI layout's index.json. */
  async makePlan(): Promise<PlanEntry[]> {
    if (this.small.has('manifest.json')) return this.dockerPlan();
    if (this.small.has('index.json')) return this.ociPlan();
    throw invalid('invalid archive: neither manifest.json nor index.json was found');
  }

  private async dockerPlan(): Promise<PlanEntry[]> {
    const plan: PlanEntry[] = [];
    const man = await this.readJson<ManifestEntry[]>('manifest.json');
    if (!Array.isArray(man)) throw invalid('invalid archive: manifest.json is not a list');
    for (const m of man) {
      if (typeof m?.Config !== 'string' || !isStrings(m.Layers) || !(m.RepoTags == null || isStrings(m.RepoTags)))
        throw invalid('invalid archive: malformed manifest.json entry');
      // Docker ≤ 24 stores the config as a small top-level `<hex>.json`, never in the content store
      const config = this.small.get(norm(m.Config)) ?? (await this.images.content.readAll(this.blobOf(m.Config)));
      plan.push({ config, layers: m.Layers.map((l) => this.blobOf(l)), tags: m.RepoTags ?? [] });
    }
    return plan;
  }

  private async ociPlan(): Promise<PlanEntry[]> {
    const plan: PlanEntry[] = [];
    const idx = await this.readJson<OciIndex>('index.json');
    const malformed = () => invalid('invalid archive: malformed index.json');
    if (!isObject(idx) || !(idx.manifests == null || Array.isArray(idx.manifests))) throw malformed();
    const blob = (digest: string) => `blobs/sha256/${digest.replace(/^sha256:/, '')}`;
    for (const d of idx.manifests ?? []) {
      if (!isObject(d) || typeof d.digest !== 'string' || !(d.annotations == null || isObject(d.annotations)))
        throw malformed();
      const om = await this.readJson<{ config: { digest: string }; layers: { digest: string }[] }>(blob(d.digest));
      if (
        !isObject(om) ||
        !isObject(om.config) ||
        typeof om.config.digest !== 'string' ||
        !Array.isArray(om.layers) ||
        !om.layers.every((l) => isObject(l) && typeof l.digest === 'string')
      )
        throw invalid(`invalid archive: malformed manifest ${d.digest}`);
      const named = d.annotations?.['io.containerd.image.name'] ?? d.annotations?.['org.opencontainers.image.ref.name'];
      const name = typeof named === 'string' ? named : undefined;
      plan.push({
        config: await this.images.content.readAll(this.blobOf(blob(om.config.digest))),
        layers: om.layers.map((l) => this.blobOf(blob(l.digest))),
        tags: name?.includes(':') ? [name] : [],
      });
    }
    return plan;
  }

  /** Verifies, extracts and registers each planned image, then tags it; Docker's lines. */
  async assemble(plan: PlanEntry[]): Promise<string[]> {
    const { images } = this;
    const out: string[] = [];
    for (const p of plan) {
      let cfg: ImageConfigFile;
      try {
        cfg = JSON.parse(p.config.toString('utf8')) as ImageConfigFile;
      } catch {
        throw invalid('invalid archive: malformed image config');
      }
      if (
        !isObject(cfg) ||
        !(
          cfg.rootfs == null ||
          (isObject(cfg.rootfs) && (cfg.rootfs.diff_ids == null || isStrings(cfg.rootfs.diff_ids)))
        )
      )
        throw invalid('invalid archive: malformed image config');
      const diffIds = cfg.rootfs?.diff_ids ?? [];
      if (diffIds.length !== p.layers.length)
        throw invalid(`invalid manifest, layers length mismatch: expected ${diffIds.length}, got ${p.layers.length}`);
      const recs: LayerRecord[] = [];
      const mine: string[] = [];
      let parent: string | null = null;
      for (let i = 0; i < diffIds.length; i++) {
        const diff = await this.asDiff(p.layers[i], diffIds[i]);
        mine.push(diff); // an image keeps its config and uncompressed layers; compressed blobs and manifests go
        const rec: LayerRecord = await images.ensureLayer(parent, diff);
        recs.push(rec);
        parent = rec.chainId;
      }
      const id = await images.registerImage(p.config, recs);
      for (const d of [...mine, id]) this.used.add(d);
      if (p.tags.length === 0) out.push(`Loaded image ID: ${id}`);
      for (const t of p.tags) {
        const ref = withDefaultTag(parseReference(t));
        await images.setReference(ref, id);
        out.push(`Loaded image: ${familiarString(ref)}`);
      }
      await images.logEvent('load', id, id);
    }
    return out;
  }
}
