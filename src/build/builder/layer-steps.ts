// The commit side of a build: the cache lookup of a step (Docker's classic rules), committing a
// step as an image, and making a layer out of a changed filesystem.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../errdefs.js';
import { chainIds, type LayerRecord } from '../../images/store.js';
import type { ContainerConfig, HistoryEntry, ImageConfigFile } from '../../images/types.js';
import { opaqueDirs } from '../../storage/layers/diff.js';
import { mountAll, unmount } from '../../storage/snapshot/mount.js';
import { BUILD_SNAP, cacheKey, clone, short, type State } from './build-state.js';
import { fsWorker } from './fs-pool.js';
import type { LayerTarResult } from './layer-tar.js';
import type { BuilderDeps, BuildOptions } from './options.js';
import type { BuildOutput } from './ports.js';

/** Image id → cacheKey of its container_config (configs are immutable: read each once). */
const cacheKeys = new Map<string, string | null>();

export abstract class LayerSteps {
  /** Image ids `--cache-from` allows as cache hits (the images and their parents); null: any. */
  private sources: Promise<Set<string> | null> | null = null;

  constructor(
    readonly d: BuilderDeps,
    readonly o: BuildOptions,
    readonly out: BuildOutput,
    readonly signal: AbortSignal,
    readonly work: string,
  ) {}

  say(s: string): void {
    if (!this.o.quiet) this.out.stream(s);
  }

  checkAbort(): void {
    if (this.signal.aborted) throw new EngineError('unavailable', 'build cancelled');
  }

  private cacheSources(): Promise<Set<string> | null> {
    this.sources ??= (async () => {
      if (!this.o.cacheFrom?.length) return null;
      const ok = new Set<string>();
      for (const ref of this.o.cacheFrom) {
        let id = (await this.d.images.resolve(ref).catch(() => null))?.id;
        // the image and its parents, as moby's ImageCache.isParent walks them
        while (id && !ok.has(id)) {
          ok.add(id);
          id = (await this.d.images.resolve(id).catch(() => null))?.parent;
        }
      }
      return ok;
    })();
    return this.sources;
  }

  /** A cached image for this step: like moby's getLocalCachedImage, of the matching children the newest. */
  async probe(st: State, cmd: string[], mutate?: (c: ContainerConfig) => void): Promise<boolean> {
    if (this.o.noCache) return false;
    const want = clone(st.file.config);
    mutate?.(want);
    want.Cmd = cmd;
    const key = cacheKey(want);
    const allowed = await this.cacheSources();
    let best: { id: string; cf: ImageConfigFile; layers: LayerRecord[]; created: string } | null = null;
    for (const id of this.d.images.childrenOf(st.imageId)) {
      if (allowed && !allowed.has(id)) continue;
      let k = cacheKeys.get(id);
      let cf: ImageConfigFile | null = null;
      if (k === undefined) {
        cf = await this.d.images.configFile(id).catch(() => null);
        k = cf?.container_config ? cacheKey(cf.container_config) : null;
        if (cacheKeys.size >= 50_000) cacheKeys.clear();
        cacheKeys.set(id, k);
      }
      if (k !== key) continue;
      const img = await this.d.images.resolve(id).catch(() => null);
      if (!img || (best && best.created >= img.created)) continue;
      cf ??= await this.d.images.configFile(id).catch(() => null);
      if (cf) best = { id, cf, layers: img.layers, created: img.created };
    }
    if (!best) return false;
    st.imageId = best.id;
    st.file = best.cf;
    st.layers = [...best.layers];
    this.say(` ---> Using cache\n ---> ${short(best.id)}\n`);
    return true;
  }

  async commit(
    st: State,
    cacheCmd: string[],
    layer: LayerRecord | null,
    o: { container?: string; createdBy?: string } = {},
  ): Promise<void> {
    const now = new Date().toISOString();
    const config = clone(st.file.config);
    config.Image = st.imageId;
    const containerConfig: ContainerConfig = { ...clone(config), Cmd: cacheCmd };
    const h: HistoryEntry = { created: now, created_by: o.createdBy ?? cacheCmd.join(' ') };
    if (!layer) h.empty_layer = true;
    const file: ImageConfigFile = {
      architecture: st.file.architecture,
      ...(st.file.variant ? { variant: st.file.variant } : {}),
      ...(st.file.author ? { author: st.file.author } : {}),
      config,
      container: o.container ?? '',
      container_config: containerConfig,
      created: now,
      docker_version: '20.10.0-berth',
      history: [...(st.file.history ?? []), h],
      os: st.file.os,
      rootfs: { type: 'layers', diff_ids: [...(st.file.rootfs?.diff_ids ?? []), ...(layer ? [layer.diffId] : [])] },
    };
    const layers = layer ? [...st.layers, layer] : st.layers;
    const id = await this.d.images.registerImage(Buffer.from(JSON.stringify(file)), layers, st.imageId || undefined);
    st.imageId = id;
    st.file = file;
    st.layers = layers;
    this.say(` ---> ${short(id)}\n`);
  }

  /** A metadata-only step: config change, no layer. */
  async metaStep(st: State, text: string, mutate: (c: ContainerConfig) => void): Promise<void> {
    const cmd = [...st.shell, '#(nop) ', text];
    if (await this.probe(st, cmd, mutate)) return;
    mutate(st.file.config);
    await this.commit(st, cmd, null);
  }

  /**
   * Change the filesystem in a fresh snapshot over the current image, then commit it as a layer.
   * `fn` may make overlay-opaque directories unless it says otherwise (`noOpaque()`): only a
   * directory created where something of a lower layer was removed is opaque, and only when that
   * something was a directory does the layer's tar need to say so.
   */
  async fsStep(st: State, cmd: string[], fn: (root: string, noOpaque: () => void) => Promise<void>): Promise<void> {
    const layer = await this.fsLayer(st.layers[st.layers.length - 1]?.chainId ?? null, fn);
    await this.commit(st, cmd, layer);
  }

  /** fsStep's layer: `fn` changes a fresh snapshot over `parent` (a chain id); its changes are the layer. */
  async fsLayer(
    parent: string | null,
    fn: (root: string, noOpaque: () => void) => Promise<void>,
  ): Promise<LayerRecord | null> {
    const key = BUILD_SNAP + randomBytes(8).toString('hex');
    const snaps = this.d.images.snapshots;
    const mounts = await snaps.prepare(key, parent);
    let opaque = true;
    // the overlay is unmounted while the layer's tar is made (only its upper dir is read, and
    // nothing writes through the mount any more); the snapshot is committed once it is gone
    let unmounted: Promise<void> = Promise.resolve();
    try {
      let root: string;
      let upper: string;
      if (mounts.length === 1 && mounts[0].type === 'bind') {
        root = upper = mounts[0].source;
        await fn(root, () => (opaque = false));
      } else {
        root = join(this.work, key);
        await mkdir(root, { recursive: true });
        upper = mounts[0].options.find((x) => x.startsWith('upperdir='))!.slice('upperdir='.length);
        await mountAll(mounts, root);
        try {
          await fn(root, () => (opaque = false));
        } finally {
          unmounted = unmount(root);
        }
      }
      // the snapshot itself becomes the layer: no second extraction of its tar
      const layer = await this.layerFrom(
        upper,
        parent,
        async (name) => (await unmounted, snaps.commit(name, key)),
        opaque,
      );
      await unmounted; // (its error, if any, fails the step)
      this.checkAbort();
      return layer;
    } finally {
      await unmounted.catch(() => {});
      await snaps.remove(key).catch(() => {});
    }
  }

  /**
   * The layer of an upper dir: its tar into the content store, then the layer snapshot. With
   * `commit` (which commits the active snapshot whose upper dir this is under a name) that snapshot
   * becomes the layer, as containerd does; otherwise the tar is applied to a new one.
   */
  async layerFrom(
    upper: string,
    parent: string | null,
    commit?: (name: string) => Promise<void>,
    opaque = true,
  ): Promise<LayerRecord | null> {
    if ((await readdir(upper)).length === 0) return null;
    const content = this.d.images.content;
    await mkdir(content.ingestDir, { recursive: true });
    // written and fsynced in the content store's ingest dir, then renamed into place (a crash
    // leaves only an ingest file, which the store drops at start)
    const out = join(content.ingestDir, 'build-' + randomBytes(12).toString('hex'));
    let tar: LayerTarResult;
    try {
      // (getfattr, a process per layer, only when opaque dirs can exist)
      tar = await fsWorker.layerTar(upper, out, opaque ? await opaqueDirs(upper) : []);
      await content.adopt(out, tar.digest);
    } catch (e) {
      await rm(out, { force: true });
      throw e;
    }
    const digest = tar.digest;
    let r: LayerRecord | null = null;
    const snaps = this.d.images.snapshots;
    const chainId = parent ? chainIds([parent, digest])[1] : digest;
    if (commit && !(await snaps.stat(chainId))) {
      r = await commit(chainId).then(
        () => ({ diffId: digest, chainId, size: tar.size }),
        () => null, // made meanwhile by someone else: theirs is used below
      );
    }
    return r ?? this.d.images.ensureLayer(parent, digest);
  }
}
