// Layers as committed snapshots named by chainID: extracted from the content store's tar (or
// taken ready-extracted from a pull or load, see prepared.ts), flushed, then committed.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentStore } from '../storage/content/store.js';
import type { SyncFs } from '../storage/fsutil/syncfs.js';
import { applyLayer } from '../storage/layers/apply.js';
import { mountAll, unmount } from '../storage/snapshot/mount.js';
import type { SnapshotLister, Snapshotter } from '../storage/snapshot/snapshotter.js';
import type { PreparedLayers, RebasingSnapshotter } from './prepared.js';

export interface LayerRecord {
  diffId: string;
  chainId: string;
  size: number;
}

/** moby's layer.CreateChainID for each prefix of the diff ids. */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev ? 'sha256:' + createHash('sha256').update(`${prev} ${d}`).digest('hex') : d);
  }
  return out;
}

export interface LayerDeps {
  snapshots: Snapshotter & SnapshotLister & RebasingSnapshotter;
  content: ContentStore;
  prepared: PreparedLayers;
  /** Flushes extracted layers before they are committed: registered layers are durable. */
  durable: SyncFs;
  /** Where extract mounts go. */
  tmp: string;
  /** A layer record an image already has for this chain. */
  known(chainId: string): LayerRecord | undefined;
}

export class Layers {
  private readonly locks = new Map<string, Promise<LayerRecord>>();

  constructor(private readonly d: LayerDeps) {}

  /**
   * Make sure the layer `diffId` (its uncompressed tar already in the content store) exists as a
   * committed snapshot on top of `parentChainId`. Concurrent calls for the same chain share work.
   */
  ensure(parentChainId: string | null, diffId: string): Promise<LayerRecord> {
    const chainId = parentChainId ? chainIds([parentChainId, diffId])[1] : diffId;
    const running = this.locks.get(chainId);
    if (running !== undefined) return running;
    const p = this.createLayer(parentChainId, diffId, chainId).finally(() => this.locks.delete(chainId));
    this.locks.set(chainId, p);
    return p;
  }

  private async createLayer(parent: string | null, diffId: string, chainId: string): Promise<LayerRecord> {
    if ((await this.d.snapshots.stat(chainId))?.kind === 'committed') {
      const known = this.d.known(chainId);
      if (known) return known;
      return { diffId, chainId, size: (await this.d.snapshots.usage(chainId)).size };
    }
    const ready = this.d.prepared.take(diffId);
    if (ready && this.d.snapshots.commitOnto && (parent !== null || ready.whiteouts === 0)) {
      try {
        await this.d.durable.sync(ready.mark);
        await this.d.snapshots.commitOnto(chainId, ready.key, parent);
        return { diffId, chainId, size: ready.size };
      } catch (e) {
        await this.d.snapshots.remove(ready.key).catch(() => {});
        throw e;
      }
    }
    if (ready) await this.d.snapshots.remove(ready.key).catch(() => {}); // a base layer with whiteouts
    const key = `extract-${randomBytes(8).toString('hex')}`;
    const mounts = await this.d.snapshots.prepare(key, parent);
    try {
      let size: number;
      if (mounts.length === 1 && mounts[0].type === 'bind') {
        size = (await applyLayer(mounts[0].source, await this.d.content.get(diffId))).size;
      } else {
        const target = join(this.d.tmp, key);
        await mkdir(target, { recursive: true });
        await mountAll(mounts, target);
        try {
          size = (await applyLayer(target, await this.d.content.get(diffId))).size;
        } finally {
          await unmount(target);
          await rm(target, { recursive: true, force: true });
        }
      }
      await this.d.durable.sync();
      await this.d.snapshots.commit(chainId, key);
      return { diffId, chainId, size };
    } catch (e) {
      await this.d.snapshots.remove(key).catch(() => {});
      throw e;
    }
  }
}
