// The one copy pipeline (DESIGN.md: ImageSource → ImageDestination). Pull and push are
// copy(registry → local) and copy(local → registry): layers move in parallel (3 down / 5 up by
// default), every blob's digest is verified while it streams, concurrent copies of the same blob
// share one transfer, and progress comes out as Docker's JSON messages.
import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { invalid } from '../errdefs.js';
import type { Descriptor } from './distribution/manifest.js';

export type { Descriptor };

export interface LayerRef {
  desc: Descriptor;
  /** sha256 of the uncompressed layer tar (config rootfs.diff_ids). */
  diffId: string;
}

export interface SourceImage {
  config: Buffer;
  configDigest: string;
  layers: LayerRef[];
  /** The registry manifest digest, when the source is a registry. */
  manifestDigest?: string;
}

export interface ImageSource {
  image(): Promise<SourceImage>;
  blob(d: Descriptor): Promise<Readable>;
}

export interface LayerPresence {
  desc: Descriptor;
  /** Set when the blob was mounted from another repository of the same registry. */
  mountedFrom?: string;
}

export interface ImageDestination {
  /** Is the layer already there (or could it be mounted)? Then the copy skips it. */
  hasLayer(l: LayerRef): Promise<LayerPresence | null>;
  /** Store a layer from its (already digest-verified) stream; returns what was stored. */
  putLayer(l: LayerRef, s: Readable, progress: (bytes: number) => void): Promise<Descriptor>;
  /** True when putLayer itself verifies `l.desc.digest` (then copy does not hash the stream twice). */
  verifies?(l: LayerRef): boolean;
  /** Called once with the source image before any layer moves. */
  begin?(img: SourceImage): void;
  /** Called as each layer finishes, in any order (lets a local store extract while others download). */
  layerDone?(index: number): void;
  commit(img: SourceImage, layers: Descriptor[]): Promise<CopyResult>;
}

export interface CopyResult {
  id?: string;
  digest?: string;
  size?: number;
}

/** Docker's JSON progress message (api/stream/json-progress.ts encodes it). */
export interface ProgressMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number; start?: number };
  aux?: unknown;
}
export type ProgressFn = (m: ProgressMessage) => void;

export interface CopyOptions {
  mode: 'pull' | 'push';
  concurrency: number;
  progress: ProgressFn;
  transfers?: Transfers;
  signal?: AbortSignal;
}

const canceled = (e: unknown) => e instanceof Error && (e.message === 'context canceled' || e.name === 'AbortError');

/** Shares in-flight transfers by key: a second pull of the same blob waits for the first. */
export class Transfers {
  private running = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): { promise: Promise<T>; shared: boolean } {
    const cur = this.running.get(key) as Promise<T> | undefined;
    if (cur !== undefined) return { promise: cur, shared: true };
    const p = fn().finally(() => this.running.delete(key));
    this.running.set(key, p);
    return { promise: p, shared: false };
  }
}

/** A pass-through that counts bytes and fails at the end when the sha256 is not `expected`. */
export class VerifyingStream extends Transform {
  private hash = createHash('sha256');
  bytes = 0;

  constructor(
    /** null: count only (the consumer verifies). */
    private readonly expected: string | null,
    private readonly onBytes?: (n: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.expected) this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (!this.expected) {
      cb();
      return;
    }
    const got = 'sha256:' + this.hash.digest('hex');
    if (got !== this.expected) cb(invalid(`filesystem layer verification failed for digest ${this.expected}`));
    else cb();
  }
}

export const shortId = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

/** Runs fns with at most `n` at a time, in order of submission. */
export function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return <T>(fn: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const go = () => {
        active++;
        fn()
          .then(resolve, reject)
          .finally(() => {
            active--;
            queue.shift()?.();
          });
      };
      if (active < n) go();
      else queue.push(go);
    });
}

export async function copy(src: ImageSource, dst: ImageDestination, o: CopyOptions): Promise<CopyResult> {
  const img = await src.image();
  dst.begin?.(img);
  const pull = o.mode === 'pull';
  const idOf = (l: LayerRef) => shortId(pull ? l.desc.digest : l.diffId);
  const present = await Promise.all(img.layers.map((l) => dst.hasLayer(l)));
  const seen = new Set<string>();
  img.layers.forEach((l, i) => {
    const id = idOf(l);
    if (seen.has(id)) return;
    seen.add(id);
    if (present[i]) o.progress({ status: pull ? 'Already exists' : 'Preparing', id, progressDetail: {} });
    else o.progress({ status: pull ? 'Pulling fs layer' : 'Preparing', id, progressDetail: {} });
  });
  const limit = limiter(Math.max(1, o.concurrency));
  let queued = 0;
  const results: Promise<Descriptor>[] = img.layers.map((l, i) => {
    const id = idOf(l);
    const p = present[i];
    if (p) {
      if (!pull)
        o.progress({
          status: p.mountedFrom ? `Mounted from ${p.mountedFrom}` : 'Layer already exists',
          id,
          progressDetail: {},
        });
      dst.layerDone?.(i);
      return Promise.resolve(p.desc);
    }
    if (queued++ >= o.concurrency) o.progress({ status: 'Waiting', id, progressDetail: {} });
    const key = `${o.mode}:${l.desc.digest}:${l.diffId}`;
    const run = () =>
      limit(async () => {
        o.signal?.throwIfAborted();
        const total = pull ? l.desc.size : l.desc.size;
        const start = Math.floor(Date.now() / 1000);
        let last = 0;
        const tick = (n: number) => {
          const now = Date.now();
          if (now - last < 100 && n < total) return;
          last = now;
          o.progress({ status: pull ? 'Downloading' : 'Pushing', id, progressDetail: { current: n, total, start } });
        };
        const raw = await src.blob(l.desc);
        // a push reads the local store, which verified every blob on ingest: count, do not re-hash
        const verify = new VerifyingStream(!pull || dst.verifies?.(l) ? null : l.desc.digest, pull ? tick : undefined);
        raw.on('error', (e) => verify.destroy(e));
        o.signal?.addEventListener('abort', () => raw.destroy(new Error('context canceled')), { once: true });
        const desc = await dst.putLayer(l, raw.pipe(verify), pull ? () => {} : tick);
        if (pull) {
          o.progress({ status: 'Verifying Checksum', id, progressDetail: {} });
          o.progress({ status: 'Download complete', id, progressDetail: {} });
        } else o.progress({ status: 'Pushed', id, progressDetail: {} });
        return desc;
      });
    const attempt = (): Promise<Descriptor> => {
      const t = o.transfers ? o.transfers.run(key, run) : { promise: run(), shared: false };
      return t.promise.then(
        (d) => {
          if (t.shared) o.progress({ status: pull ? 'Download complete' : 'Pushed', id, progressDetail: {} });
          dst.layerDone?.(i);
          return d;
        },
        (e: unknown) => {
          // a transfer shared with a request whose client left ends with that request; this one,
          // still wanted, runs it again (or joins another that is under way)
          if (t.shared && !o.signal?.aborted && canceled(e)) return attempt();
          throw e;
        },
      );
    };
    return attempt();
  });
  const settled = await Promise.allSettled(results);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const descs = settled.map((s) => (s as PromiseFulfilledResult<Descriptor>).value);
  return dst.commit(img, descs);
}
