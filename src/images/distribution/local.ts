// The local image store as a copy() endpoint. As destination (pull) it stores each layer's
// uncompressed tar by diffID (verified), extracts layers in order while later ones still
// download, and registers the image only when everything is there. As source (push) it offers
// the stored layer tars uncompressed; the registry side compresses them.
import type { Readable } from 'node:stream';
import { decompress } from '../../storage/layers/decompress.js';
import { invalid } from '../../errdefs.js';
import type { ImageService, LayerRecord } from '../store.js';
import type { ImageConfigFile } from '../types.js';
import type {
  Descriptor,
  ImageDestination,
  ImageSource,
  LayerPresence,
  LayerRef,
  ProgressFn,
  SourceImage,
} from '../copy.js';
import { shortId } from '../copy.js';
import { layerCompression } from './manifest.js';
import type { V2Metadata } from './metadata.js';

export const UNCOMPRESSED_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';

export class LocalDestination implements ImageDestination {
  private ready: (() => void)[] = [];
  private readyP: Promise<void>[] = [];
  private chain: Promise<LayerRecord[]> | null = null;
  private copied = new Set<number>();
  private layers: LayerRef[] = [];
  private ingested = new Set<string>();

  constructor(
    private readonly images: ImageService,
    private readonly o: { meta?: V2Metadata; host: string; repo: string; progress: ProgressFn },
  ) {}

  async hasLayer(l: LayerRef): Promise<LayerPresence | null> {
    return (await this.images.content.has(l.diffId)) ? { desc: l.desc } : null;
  }

  /** An uncompressed layer's blob digest is its diffID, which the content store checks on ingest. */
  verifies(l: LayerRef): boolean {
    return l.desc.digest === l.diffId && layerCompression(l.desc.mediaType) === 'none';
  }

  async putLayer(l: LayerRef, s: Readable): Promise<Descriptor> {
    this.layers.forEach((x, i) => x.diffId === l.diffId && this.copied.add(i));
    const tar = decompress(s, layerCompression(l.desc.mediaType));
    this.ingested.add(l.diffId);
    await this.images.ingestLayer(tar, l.diffId).catch((e: unknown) => {
      s.destroy();
      throw e;
    });
    await this.o.meta
      ?.add(l.diffId, {
        digest: l.desc.digest,
        size: l.desc.size,
        mediaType: l.desc.mediaType,
        host: this.o.host,
        repo: this.o.repo,
      })
      .catch(() => {});
    return l.desc;
  }

  /** Set up in-order extraction for `img` (called by copy via layerDone as layers arrive). */
  private start(layers: LayerRef[]): Promise<LayerRecord[]> {
    this.readyP = layers.map((_, i) => new Promise<void>((r) => (this.ready[i] = r)));
    return (async () => {
      const out: LayerRecord[] = [];
      let parent: string | null = null;
      for (let i = 0; i < layers.length; i++) {
        await this.readyP[i];
        const id = shortId(layers[i].desc.digest);
        if (this.copied.has(i)) this.o.progress({ status: 'Extracting', id, progressDetail: {} });
        const rec: LayerRecord = await this.images.ensureLayer(parent, layers[i].diffId);
        if (this.copied.has(i)) this.o.progress({ status: 'Pull complete', id, progressDetail: {} });
        out.push(rec);
        parent = rec.chainId;
      }
      return out;
    })();
  }

  begin(img: SourceImage): void {
    this.layers = img.layers;
    this.chain = this.start(img.layers);
    this.chain.catch(() => {});
  }

  layerDone(i: number): void {
    this.ready[i]?.();
  }

  /** Drop layers extracted for this pull and not committed (it failed, or another pull won). */
  release(): Promise<void> {
    return this.images.prepared.release(this.ingested);
  }

  async commit(img: SourceImage): Promise<{ id: string }> {
    const layers = this.chain !== null ? await this.chain : [];
    const id = await this.images.registerImage(img.config, layers);
    if (id !== img.configDigest) throw invalid(`image config verification failed for digest ${img.configDigest}`);
    return { id };
  }
}

export class LocalSource implements ImageSource {
  constructor(
    private readonly images: ImageService,
    private readonly ref: string,
  ) {}

  async image(): Promise<SourceImage> {
    const rec = await this.images.resolve(this.ref);
    const config = await this.images.content.readAll(rec.id);
    const cfg = JSON.parse(config.toString('utf8')) as ImageConfigFile;
    const diffIds = cfg.rootfs?.diff_ids ?? [];
    const layers: LayerRef[] = [];
    for (const d of diffIds)
      layers.push({
        diffId: d,
        desc: { mediaType: UNCOMPRESSED_LAYER, digest: d, size: await this.images.content.size(d) },
      });
    return { config, configDigest: rec.id, layers };
  }

  blob(d: Descriptor): Promise<Readable> {
    return this.images.content.get(d.digest);
  }
}
