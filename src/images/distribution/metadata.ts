// What we know about where a layer lives on registries (Docker's "v2 metadata"): diffID → the
// compressed blob digests seen for it, per registry host and repository. Push uses it to skip
// blobs the registry already has and to mount them from sibling repositories.
import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '../../util/atomic.js';

export interface BlobLocation {
  digest: string;
  size: number;
  mediaType: string;
  host: string;
  repo: string;
}

export class V2Metadata {
  private map = new Map<string, BlobLocation[]>();
  private loaded: Promise<void> | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  private load(): Promise<void> {
    this.loaded ??= readFile(this.file, 'utf8').then(
      (s) => {
        for (const [k, v] of Object.entries(JSON.parse(s) as Record<string, BlobLocation[]>)) this.map.set(k, v);
      },
      () => {},
    );
    return this.loaded;
  }

  async get(diffId: string): Promise<BlobLocation[]> {
    await this.load();
    return [...(this.map.get(diffId) ?? [])];
  }

  async add(diffId: string, loc: BlobLocation): Promise<void> {
    await this.load();
    const list = (this.map.get(diffId) ?? []).filter(
      (l) => !(l.digest === loc.digest && l.host === loc.host && l.repo === loc.repo),
    );
    list.unshift(loc);
    this.map.set(diffId, list.slice(0, 50));
    const snapshot = Object.fromEntries(this.map);
    this.writing = this.writing.then(() => writeJsonAtomic(this.file, snapshot, { mkdir: true })).catch(() => {});
    await this.writing;
  }
}
