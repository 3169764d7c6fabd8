// `docker system df` and container sizes (moby daemon/disk_usage.go): what each kind of object
// holds on disk, gathered once per request. The Docker JSON is the API's.
import type { CacheRecord } from '../build/builder/cache-mounts.js';
import type { ImageView } from '../images/store.js';
import type { VolumeInfo } from '../volumes/driver.js';
import type { ContainerRecord } from './types.js';

export type DfType = 'container' | 'image' | 'volume' | 'build-cache';
export const DF_TYPES: readonly DfType[] = ['container', 'image', 'volume', 'build-cache'];

export interface ContainerSize {
  /** Bytes in the container's writable layer (SizeRw). */
  rw: number;
  /** rw plus the image's size (SizeRootFs). */
  rootFs: number;
}

/** An image of `system df`: its view, the bytes of its layers other images share, its containers. */
export type ImageUsage = ImageView & { sharedSize?: number; containers?: number };

export interface DiskUsageDeps {
  containers(): ContainerRecord[];
  /** Bytes in the container's writable layer; rejects when it has none. */
  rwSize(containerId: string): Promise<number>;
  /** The image's size, or null when it is gone. */
  imageSize(imageId: string): Promise<number | null>;
  /** The listed images (no intermediate ones), each with its shared size; LayersSize. */
  images(): Promise<{ layersSize: number; images: ImageUsage[] }>;
  volumes(): Promise<VolumeInfo[]>;
  buildCache?(): Promise<CacheRecord[]>;
}

export interface DiskUsageReport {
  layersSize?: number;
  images?: ImageUsage[];
  containers?: Array<{ rec: ContainerRecord; size: ContainerSize }>;
  volumes?: VolumeInfo[];
  buildCache?: CacheRecord[];
}

export class DiskUsage {
  constructor(private readonly d: DiskUsageDeps) {}

  /** SizeRw and SizeRootFs of `ps --size`, `inspect --size` and `system df`. */
  async containerSize(rec: ContainerRecord): Promise<ContainerSize> {
    const rw = await this.d.rwSize(rec.id).catch(() => 0);
    const img = await this.d.imageSize(rec.image).catch(() => null);
    return { rw, rootFs: rw + (img ?? 0) };
  }

  /** The usage of the kinds asked for (all of them when `types` is empty), each computed once. */
  async usage(types: readonly DfType[] = []): Promise<DiskUsageReport> {
    const want = (t: DfType) => types.length === 0 || types.includes(t);
    const out: DiskUsageReport = {};
    if (want('image')) {
      const i = await this.d.images();
      out.layersSize = i.layersSize;
      const using = new Map<string, number>(); // moby counts every container, whatever its state
      for (const c of this.d.containers()) using.set(c.image, (using.get(c.image) ?? 0) + 1);
      out.images = i.images.map((v) => ({ ...v, containers: using.get(v.record.id) ?? 0 }));
    }
    if (want('container'))
      out.containers = await Promise.all(
        this.d.containers().map(async (rec) => ({ rec, size: await this.containerSize(rec) })),
      );
    if (want('volume')) out.volumes = await this.d.volumes();
    if (want('build-cache')) out.buildCache = this.d.buildCache ? await this.d.buildCache() : [];
    return out;
  }
}
