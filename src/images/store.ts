// The image store and service. Image = config blob (content store; id = its sha256) + a chain of
// committed layer snapshots named by chainID + a JSON record under <root>/images/. Tags and digests
// live in <root>/images/repositories.json (full reference → image id). Every file is written
// atomically; an image record is written only after its layers and config exist, so a crash mid-
// import leaves no record, and init() reclaims unreferenced layer snapshots and extract leftovers.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { invalid, isKind, msg, notFound } from '../errdefs.js';
import { ContentStore } from '../storage/content/store.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { contentUsage } from '../storage/fsutil/usage.js';
import { initArtifacts } from '../storage/layers/init-artifacts.js';
import { SyncFs } from '../storage/fsutil/syncfs.js';
import type { Mount, SnapshotLister, Snapshotter } from '../storage/snapshot/snapshotter.js';
import { ImageDeleter, type DeleteItem, type InUse } from './delete.js';
import { Layers, type LayerRecord } from './layers.js';
import { matchLabels, untilTime } from './filters.js';
import { globToRegExp } from './glob.js';
import { PreparedLayers, type RebasingSnapshotter } from './prepared.js';
import {
  familiarName,
  familiarString,
  parseReference,
  referenceString,
  validateTag,
  withDefaultTag,
  type Reference,
} from './reference/reference.js';
import { importTarball } from './import.js';
import { emptyContainerConfig, type ContainerConfig, type ImageConfigFile } from './types.js';

export { chainIds, type LayerRecord } from './layers.js';

export interface ImageRecord {
  id: string;
  layers: LayerRecord[];
  size: number;
  created: string;
  parent?: string;
  lastTagTime?: string;
}

/** An image as the store knows it: its record, its config blob, and the references naming it. */
export interface ImageView {
  record: ImageRecord;
  config: ImageConfigFile;
  /** Familiar tags (busybox:latest), sorted. */
  tags: string[];
  /** Familiar digest references (name@sha256:…), sorted. */
  digests: string[];
}

export type { DeleteItem, InUse } from './delete.js';

export interface ImportOptions {
  repo?: string;
  tag?: string;
  changes: string[];
  message?: string;
  platform?: string;
}

type Snap = Snapshotter &
  SnapshotLister &
  RebasingSnapshotter & { graphData?(key: string): Promise<Record<string, string>> };

const ID_RE = /^sha256:[a-f0-9]{64}$/;
const containerKey = (id: string) => `container-${id}`;

/** Where image events go (the daemon's event bus): action, image id or reference, attributes. */
export type ImageEventSink = (action: string, id: string, attributes: Record<string, string>) => void;

export class ImageService {
  readonly content: ContentStore;
  /** Image events as moby's LogImageEvent logs them; the daemon wires it to /events. */
  onEvent: ImageEventSink | null = null;
  private readonly dir: string;
  private readonly tmp: string;
  private images = new Map<string, ImageRecord>();
  private refs = new Map<string, string>(); // full reference string → image id
  private queue: Promise<unknown> = Promise.resolve();
  /** Layers extracted while they streamed in (pull, load), waiting for ensureLayer. */
  readonly prepared: PreparedLayers;
  /** Flushes extracted layers before they are committed: registered layers are durable. */
  private readonly durable: SyncFs;
  private readonly deleter: ImageDeleter;
  private readonly layers: Layers;

  constructor(
    root: string,
    readonly snapshots: Snap,
    content?: ContentStore,
  ) {
    this.dir = join(root, 'images');
    this.tmp = join(root, 'tmp');
    this.content = content ?? new ContentStore(root);
    this.durable = new SyncFs(root);
    this.prepared = new PreparedLayers(snapshots, this.content, this.durable);
    this.layers = new Layers({
      snapshots,
      content: this.content,
      prepared: this.prepared,
      durable: this.durable,
      tmp: this.tmp,
      known: (chainId) => {
        for (const img of this.images.values()) {
          const l = img.layers.find((x) => x.chainId === chainId);
          if (l) return l;
        }
        return undefined;
      },
    });
    this.deleter = new ImageDeleter({
      images: this.images,
      refs: this.refs,
      refsOf: (id) => this.refsOf(id),
      saveRefs: () => this.saveRefs(),
      removeRecordFile: (id) => rm(join(this.dir, id.slice(7) + '.json'), { force: true }),
      content: this.content,
      snapshots,
    });
  }

  /** Store a layer tar in the content store, extracting it on the way (see prepared.ts). */
  ingestLayer(tar: Readable, diffId?: string): Promise<{ digest: string; size: number; created: boolean }> {
    return this.prepared.ingest(tar, diffId);
  }

  // ---- persistence -------------------------------------------------------------------------

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await mkdir(this.tmp, { recursive: true });
    await this.content.init();
    for (const f of await readdir(this.dir)) {
      if (!/^[a-f0-9]{64}\.json$/.test(f)) continue;
      try {
        const r = JSON.parse(await readFile(join(this.dir, f), 'utf8')) as ImageRecord;
        this.images.set(r.id, r);
      } catch {
        await rm(join(this.dir, f), { force: true });
      }
    }
    try {
      const repos = JSON.parse(await readFile(join(this.dir, 'repositories.json'), 'utf8')) as Record<string, string>;
      for (const [k, v] of Object.entries(repos)) if (this.images.has(v)) this.refs.set(k, v);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    // Reclaim what a crash left: extraction snapshots and layers no image refers to.
    for (const s of await this.snapshots.list())
      if (s.key.startsWith('extract-')) await this.snapshots.remove(s.key).catch(() => {});
    const used = new Set([...this.images.values()].flatMap((i) => i.layers.map((l) => l.chainId)));
    for (let removed = true; removed; ) {
      removed = false;
      const all = await this.snapshots.list();
      const parents = new Set(all.map((s) => s.parent));
      for (const s of all) {
        if (s.kind === 'committed' && ID_RE.test(s.key) && !used.has(s.key) && !parents.has(s.key)) {
          await this.snapshots.remove(s.key);
          removed = true;
        }
      }
    }
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn);
    this.queue = p.catch(() => {});
    return p;
  }

  private saveRecord(r: ImageRecord): Promise<void> {
    return writeJsonAtomic(join(this.dir, r.id.slice(7) + '.json'), r);
  }

  private saveRefs(): Promise<void> {
    return writeJsonAtomic(join(this.dir, 'repositories.json'), Object.fromEntries(this.refs));
  }

  // ---- layers ------------------------------------------------------------------------------

  /**
   * Make sure the layer `diffId` (its uncompressed tar already in the content store) exists as a
   * committed snapshot on top of `parentChainId`. Concurrent calls for the same chain share work.
   */
  ensureLayer(parentChainId: string | null, diffId: string): Promise<LayerRecord> {
    return this.layers.ensure(parentChainId, diffId);
  }

  /** Register an image whose config blob and layers exist. Returns the id. */
  async registerImage(configBytes: Buffer, layers: LayerRecord[], parent?: string): Promise<string> {
    const id = await this.content.put(configBytes);
    const cfg = JSON.parse(configBytes.toString('utf8')) as ImageConfigFile;
    return this.locked(async () => {
      if (!this.images.has(id)) {
        const r: ImageRecord = {
          id,
          layers,
          size: layers.reduce((a, l) => a + l.size, 0),
          created: cfg.created ?? new Date(0).toISOString(),
        };
        if (parent) r.parent = parent;
        await this.saveRecord(r);
        this.images.set(id, r);
      }
      return id;
    });
  }

  /** Point a reference (familiar or full string) at an image. */
  async setReference(ref: Reference, id: string): Promise<void> {
    await this.locked(async () => {
      const img = this.images.get(id);
      if (!img) throw notFound(msg.noSuchImage(id));
      this.refs.set(referenceString(ref), id);
      await this.saveRefs();
      img.lastTagTime = new Date().toISOString();
      await this.saveRecord(img);
    });
  }

  // ---- import ------------------------------------------------------------------------------

  /** `docker import`: one layer from a tarball (gzip or plain), config from --change/--message/--platform. */
  async import(tar: Readable, o: ImportOptions): Promise<{ id: string }> {
    const r = await importTarball(this, tar, o);
    await this.logEvent('import', r.id, r.id);
    return r;
  }

  // ---- lookup ------------------------------------------------------------------------------

  private refsOf(id: string): string[] {
    return [...this.refs].filter(([, v]) => v === id).map(([k]) => k);
  }

  private tagsOf(id: string): string[] {
    return this.refsOf(id)
      .filter((r) => !r.includes('@'))
      .map((r) => familiarString(parseReference(r)))
      .sort();
  }

  private digestsOf(id: string): string[] {
    return this.refsOf(id)
      .filter((r) => r.includes('@'))
      .map((r) => {
        const p = parseReference(r);
        return `${familiarName(p)}@${p.digest}`;
      })
      .sort();
  }

  async resolve(ref: string): Promise<ImageRecord> {
    await this.queue;
    const full = /^(sha256:)?([a-f0-9]{64})$/.exec(ref);
    if (full) {
      const img = this.images.get('sha256:' + full[2]);
      if (img) return img;
      throw notFound(msg.noSuchImage(ref));
    }
    let parseErr: unknown = null;
    try {
      const p = parseReference(ref);
      const key = p.digest
        ? referenceString({ domain: p.domain, path: p.path, digest: p.digest })
        : referenceString(withDefaultTag(p));
      let id = this.refs.get(key) ?? this.refs.get(referenceString(withDefaultTag(p)));
      if (!id && p.digest) {
        // name@digest also matches the repo's digest references regardless of tag
        id = [...this.refs].find(([k]) => k.endsWith('@' + p.digest) && k.startsWith(`${p.domain}/${p.path}`))?.[1];
      }
      if (id && this.images.has(id)) return this.images.get(id)!;
    } catch (e) {
      parseErr = e;
    }
    const pre = /^(?:sha256:)?([a-f0-9]{1,64})$/.exec(ref);
    if (pre) {
      const hits = [...this.images.keys()].filter((id) => id.startsWith('sha256:' + pre[1]));
      if (hits.length === 1) return this.images.get(hits[0])!;
    }
    if (parseErr && !pre) throw parseErr;
    throw notFound(msg.noSuchImage(ref));
  }

  async configFile(id: string): Promise<ImageConfigFile> {
    return JSON.parse((await this.content.readAll(id)).toString('utf8')) as ImageConfigFile;
  }

  /** The runtime config of an image (Env, Cmd, Entrypoint, WorkingDir, User, …). */
  async imageConfig(imageId: string): Promise<ContainerConfig> {
    const img = await this.resolve(imageId);
    return (await this.configFile(img.id)).config ?? emptyContainerConfig();
  }

  // ---- list / inspect / history ------------------------------------------------------------

  private async viewOf(img: ImageRecord, tags = this.tagsOf(img.id), config?: ImageConfigFile): Promise<ImageView> {
    return { record: img, config: config ?? (await this.configFile(img.id)), tags, digests: this.digestsOf(img.id) };
  }

  /** Number of images, intermediate ones included (moby CountImages, `docker info`). */
  async count(): Promise<number> {
    await this.queue;
    return this.images.size;
  }

  /** `docker images`: the images the filters select, newest first. */
  async views(o: { all?: boolean; filters: Map<string, string[]> }): Promise<ImageView[]> {
    await this.queue;
    const f = o.filters;
    for (const k of f.keys())
      if (!['dangling', 'reference', 'label', 'before', 'since', 'until'].includes(k))
        throw invalid(`invalid filter '${k}'`);
    let dangling: boolean | undefined;
    for (const v of f.get('dangling') ?? []) {
      if (!['true', 'false', '1', '0'].includes(v.toLowerCase())) throw invalid(`invalid filter 'dangling=${v}'`);
      dangling = v === 'true' || v === '1';
    }
    const createdOf = async (ref: string) => Date.parse((await this.resolve(ref)).created);
    const before = f.get('before')?.length
      ? Math.min(...(await Promise.all(f.get('before')!.map(createdOf))))
      : undefined;
    const since = f.get('since')?.length ? Math.max(...(await Promise.all(f.get('since')!.map(createdOf)))) : undefined;
    const until = f.get('until')?.length ? untilTime(f.get('until')![0]) : undefined;
    const patterns = (f.get('reference') ?? []).map(globToRegExp);
    const parents = new Set([...this.images.values()].map((i) => i.parent).filter(Boolean));
    const out: ImageView[] = [];
    for (const img of this.images.values()) {
      let tags = this.tagsOf(img.id);
      const isDangling = this.refsOf(img.id).length === 0;
      if (dangling !== undefined && dangling !== isDangling) continue;
      if (!o.all && isDangling && parents.has(img.id)) continue; // intermediate image
      const t = Date.parse(img.created);
      if (before !== undefined && !(t < before)) continue;
      if (since !== undefined && !(t > since)) continue;
      if (until !== undefined && !(t <= until)) continue;
      if (patterns.length) {
        tags = tags.filter((tg) => patterns.some((re) => re.test(tg) || re.test(familiarName(parseReference(tg)))));
        if (tags.length === 0) continue;
      }
      const cfg = await this.configFile(img.id);
      if (!matchLabels(cfg.config?.Labels ?? {}, f.get('label') ?? [])) continue;
      out.push(await this.viewOf(img, tags, cfg));
    }
    // newest first by the second, as the JSON's Created compares; ids break ties
    const sec = (v: ImageView) => Math.floor(Date.parse(v.record.created) / 1000);
    return out.sort((a, b) => sec(b) - sec(a) || a.record.id.localeCompare(b.record.id));
  }

  /** @deprecated for images/archive/save.ts and images/distribution/service.ts: use views(). */
  async list(o: { all?: boolean; filters: Map<string, string[]> }): Promise<Array<{ Id: string; RepoTags: string[] }>> {
    return (await this.views(o)).map((v) => ({ Id: v.record.id, RepoTags: v.tags }));
  }

  /** One image by reference, with its snapshotter data (GraphDriver.Data) for inspect. */
  async view(ref: string): Promise<ImageView & { graphData: Record<string, string> | null }> {
    const img = await this.resolve(ref);
    const v = await this.viewOf(img);
    const top = img.layers[img.layers.length - 1]?.chainId;
    const graphData = top && this.snapshots.graphData ? await this.snapshots.graphData(top).catch(() => null) : null;
    return { ...v, graphData };
  }

  // ---- events ------------------------------------------------------------------------------

  /** moby's LogImageEvent: the image's labels (while it exists) and name= the reference given. */
  async logEvent(action: string, idOrRef: string, refName: string): Promise<void> {
    if (!this.onEvent) return;
    const img = this.images.get(idOrRef) ?? (await this.resolve(idOrRef).catch(() => null));
    const labels = img ? ((await this.configFile(img.id).catch(() => null))?.config?.Labels ?? {}) : {};
    this.onEvent(action, idOrRef, { ...labels, ...(refName ? { name: refName } : {}) });
  }

  /** untag and delete events of what a removal did (moby: per reference and per image, not per layer). */
  private async logRemoval(id: string, items: DeleteItem[], images: Set<string>): Promise<void> {
    for (const i of items)
      if ('untagged' in i) await this.logEvent('untag', id, id);
      else if (images.has(i.deleted)) await this.logEvent('delete', i.deleted, i.deleted);
  }

  // ---- tag / remove / prune ----------------------------------------------------------------

  async tag(src: string, repo: string, tag?: string): Promise<void> {
    const img = await this.resolve(src);
    let ref = parseReference(repo);
    if (ref.digest) throw invalid('refusing to create a tag with a digest reference');
    if (tag) {
      validateTag(tag);
      ref = { ...ref, tag };
    }
    ref = withDefaultTag(ref);
    if (ref.tag && /^sha256$/.test(familiarName(ref)))
      throw invalid('refusing to create an ambiguous tag using digest algorithm as name');
    await this.setReference(ref, img.id);
    await this.logEvent('tag', img.id, familiarString(ref));
  }

  async remove(ref: string, o: { force?: boolean; noprune?: boolean }, inUse: InUse): Promise<DeleteItem[]> {
    const img = await this.resolve(ref);
    const images = new Set(this.images.keys());
    const items = await this.locked(() => this.deleter.remove(ref, img, !!o.force, !o.noprune, inUse));
    await this.logRemoval(img.id, items, images);
    return items;
  }

  async prune(
    o: { all?: boolean; filters: Map<string, string[]> },
    inUse: InUse,
  ): Promise<{ deleted: DeleteItem[]; spaceReclaimed: number }> {
    const f = o.filters;
    for (const k of f.keys())
      if (!['dangling', 'until', 'label', 'label!'].includes(k)) throw invalid(`invalid filter '${k}'`);
    let all = !!o.all;
    for (const v of f.get('dangling') ?? []) all = !(v === 'true' || v === '1');
    const until = f.get('until')?.length ? untilTime(f.get('until')![0]) : undefined;
    const deleted: DeleteItem[] = [];
    let reclaimed = 0; // moby: the DiffSize of each layer the prune deleted, shared ones not
    const layerSize = new Map([...this.images.values()].flatMap((i) => i.layers.map((l) => [l.chainId, l.size])));
    for (const img of [...this.images.values()]) {
      if (!this.images.has(img.id)) continue;
      if (!all && this.refsOf(img.id).length > 0) continue;
      if (inUse(img.id).length > 0) continue;
      if (until !== undefined && !(Date.parse(img.created) < until)) continue;
      const labels = (await this.configFile(img.id)).config?.Labels ?? {};
      if (!matchLabels(labels, f.get('label') ?? [])) continue;
      if ((f.get('label!') ?? []).length && matchLabels(labels, f.get('label!')!, true)) continue;
      const known = new Set(this.images.keys());
      try {
        const items = await this.locked(async () => {
          const recs: DeleteItem[] = [];
          await this.deleter.delete(img, recs, false, true, []);
          return recs;
        });
        deleted.push(...items);
        await this.logRemoval(img.id, items, known);
        for (const i of items) if ('deleted' in i) reclaimed += layerSize.get(i.deleted) ?? 0;
      } catch (e) {
        if (!isKind(e, 'conflict')) throw e;
      }
    }
    this.onEvent?.('prune', '', { reclaimed: String(reclaimed) }); // moby: one event, no actor
    return { deleted, spaceReclaimed: reclaimed };
  }

  async createRootfs(containerId: string, imageId: string): Promise<Mount[]> {
    const img = await this.resolve(imageId);
    const top = img.layers[img.layers.length - 1]?.chainId ?? null;
    return this.snapshots.prepare(containerKey(containerId), top);
  }

  rootfsMounts(containerId: string): Promise<Mount[]> {
    return this.snapshots.mounts(containerKey(containerId));
  }

  /** A container's GraphDriver.Data for inspect (LowerDir, MergedDir, UpperDir, WorkDir); null without one. */
  containerGraphData(containerId: string): Promise<Record<string, string> | null> {
    return this.snapshots.graphData?.(containerKey(containerId)).catch(() => null) ?? Promise.resolve(null);
  }

  /** A RUN step's result: the container's writable snapshot committed as layer snapshot `name`. */
  commitContainerRootfs(containerId: string, name: string): Promise<void> {
    return this.snapshots.commit(name, containerKey(containerId));
  }

  async removeRootfs(containerId: string): Promise<void> {
    await this.snapshots.remove(containerKey(containerId)).catch((e: unknown) => {
      if (!isKind(e, 'not-found')) throw e;
    });
  }

  /** SizeRw: content bytes the container changed (moby's overlay2 DiffSize of the upper dir), less
   *  the init artifacts Docker keeps in a separate init layer (empty /etc/hosts, the /etc/mtab link). */
  async rootfsUsage(containerId: string): Promise<{ size: number; inodes: number }> {
    const key = containerKey(containerId);
    const m = (await this.snapshots.mounts(key))[0];
    const upper = m?.type === 'bind' ? m.source : m?.options.find((o) => o.startsWith('upperdir='))?.slice(9);
    return upper ? contentUsage(upper, { skip: await initArtifacts(upper) }) : this.snapshots.usage(key);
  }

  /** Ids of the images whose parent is `parentId` ('' = no parent): the build cache's index. */
  childrenOf(parentId: string): string[] {
    return [...this.images.values()].filter((i) => (i.parent ?? '') === parentId).map((i) => i.id);
  }

  /** `docker system df` (moby's Images with SharedSize, ImageDiskUsage): the listed images, each with the
   *  bytes of its layers another image (intermediate too) uses, and LayersSize; no layer is walked. */
  async diskUsage(): Promise<{ layersSize: number; images: Array<ImageView & { sharedSize: number }> }> {
    const views = await this.views({ filters: new Map() });
    const refs = new Map<string, number>();
    for (const i of this.images.values()) for (const l of i.layers) refs.set(l.chainId, (refs.get(l.chainId) ?? 0) + 1);
    const distinct = new Map(views.flatMap((v) => v.record.layers.map((l) => [l.chainId, l.size] as const)));
    const shared = (r: ImageRecord) => r.layers.reduce((a, l) => a + ((refs.get(l.chainId) ?? 0) > 1 ? l.size : 0), 0);
    const layersSize = [...distinct.values()].reduce((a, b) => a + b, 0);
    return { layersSize, images: views.map((v) => ({ ...v, sharedSize: shared(v.record) })) };
  }
}
