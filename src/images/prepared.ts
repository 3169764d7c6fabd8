// Layers written in one pass. A layer tar streamed in by pull or load goes, at the same time, into
// the content store (hashed, verified, fsynced) and through tar extraction into a fresh snapshot
// prepared without a parent, with overlay whiteouts written as files (as Docker's overlay2 applies
// layers into their diff dir). The layer is thus never read back from disk, layers of a pull
// extract in parallel, and ensureLayer later only stacks the snapshot on its parent (commitOnto).
// Until then the snapshot is an "extract-…" key, which ImageService.init() removes after a crash.
import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import type { ContentStore } from '../storage/content/store.js';
import { extractTar } from '../storage/layers/extract.js';
import type { SyncFs } from '../storage/fsutil/syncfs.js';
import type { Snapshotter } from '../storage/snapshot/snapshotter.js';

export interface PreparedLayer {
  /** The active snapshot holding the extracted layer. */
  key: string;
  /** Bytes of regular-file content (LayerRecord.size). */
  size: number;
  /** Overlay whiteouts in it: such a layer cannot be a base layer as it is. */
  whiteouts: number;
  /** SyncFs mark taken when its files were written: a flush after it makes them durable. */
  mark: number;
}

/** What a snapshotter needs for standalone layers. */
export type RebasingSnapshotter = Snapshotter & {
  commitOnto?(name: string, key: string, parent: string | null): Promise<void>;
};

const HWM = 16;

export class PreparedLayers {
  private byDiff = new Map<string, PreparedLayer>();

  constructor(
    private readonly snapshots: RebasingSnapshotter,
    private readonly content: ContentStore,
    private readonly durable: SyncFs,
  ) {}

  /**
   * Ingest an uncompressed layer tar (verified against `diffId` when given) and extract it on the
   * way. Extraction problems never fail the ingest: the layer is then applied the classic way
   * (over its mounted parent) by ensureLayer, which reports them.
   */
  async ingest(tar: Readable, diffId?: string): Promise<{ digest: string; size: number; created: boolean }> {
    if (!this.snapshots.commitOnto || (diffId !== undefined && this.byDiff.has(diffId)))
      return this.content.ingest(tar, diffId);
    // listen before the first await: a source failing meanwhile (corrupt zstd) must not go unheard
    // object mode: each side gets the source's chunks as they are (16 buffered), no concatenation
    const toStore = new PassThrough({ objectMode: true, highWaterMark: HWM });
    const toFs = new PassThrough({ objectMode: true, highWaterMark: HWM });
    tar.on('error', (e) => {
      toStore.destroy(e);
      toFs.destroy(e);
    });
    // their consumers report errors through their promises; a branch already left must not crash
    toStore.on('error', () => {});
    toFs.on('error', () => {});
    const key = `extract-${randomBytes(8).toString('hex')}`;
    const mounts = await this.snapshots.prepare(key, null);
    if (mounts.length !== 1 || mounts[0].type !== 'bind' || tar.errored) {
      await this.snapshots.remove(key).catch(() => {});
      return this.content.ingest(tar, diffId);
    }
    tar.pipe(toStore);
    tar.pipe(toFs);
    const stored = this.content.ingest(toStore, diffId);
    stored.catch((e: unknown) => toFs.destroy(e as Error));
    const extracted = extractTar(mounts[0].source, toFs, { whiteouts: 'overlay', digest: false }).catch(
      (e: unknown) => {
        // stop feeding the extraction; the store keeps reading
        tar.unpipe(toFs);
        toFs.resume();
        return e instanceof Error ? e : new Error(String(e));
      },
    );
    const [s, x] = await Promise.allSettled([stored, extracted]);
    const ex = x.status === 'fulfilled' ? x.value : null;
    if (s.status === 'rejected' || ex === null || ex instanceof Error || this.byDiff.has(s.value.digest)) {
      await this.snapshots.remove(key).catch(() => {});
      if (s.status === 'rejected') throw s.reason;
      // NeedsParent, or e.g. a hostile entry: the classic apply reports it with the same error
      return s.value;
    }
    this.byDiff.set(s.value.digest, { key, size: ex.size, whiteouts: ex.whiteouts, mark: this.durable.mark() });
    // start flushing now, while later layers still stream in: ensureLayer's sync(mark) then finds
    // this flush done or under way instead of writing every layer back at the end
    this.durable.sync().catch(() => {});
    return s.value;
  }

  /** The prepared snapshot for `diffId`, handed over (the caller commits or removes it). */
  take(diffId: string): PreparedLayer | undefined {
    const p = this.byDiff.get(diffId);
    this.byDiff.delete(diffId);
    return p;
  }

  has(diffId: string): boolean {
    return this.byDiff.has(diffId);
  }

  /** Drop what was prepared for these layers and not used (a failed or finished pull/load). */
  async release(diffIds: Iterable<string>): Promise<void> {
    for (const d of diffIds) {
      const p = this.take(d);
      if (p) await this.snapshots.remove(p.key).catch(() => {});
    }
  }
}
