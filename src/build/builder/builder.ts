// The classic (legacy /build) Dockerfile builder: one image per step, Docker's cache rules (parent
// image + the step's run config, whose Cmd carries the instruction and the checksums of copied
// files), multi-stage builds limited to the stages the target needs, ARG/ENV scoping.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lchown, lstat, mkdir, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { EngineError, invalid, isKind, msg, notFound } from '../../errdefs.js';
import { chainIds, type LayerRecord } from '../../images/store.js';
import type { ImageService } from '../../images/store.js';
import { emptyContainerConfig, type ContainerConfig, type HistoryEntry, type ImageConfigFile } from '../../images/types.js';
import { parseReference, withDefaultTag, familiarString, type Reference } from '../../images/reference/reference.js';
import { extractTar } from '../../storage/layers/extract.js';
import { opaqueDirs } from '../../storage/layers/diff.js';
import { secureJoin } from '../../storage/fsutil/securejoin.js';
import { mountAll, unmount } from '../../storage/snapshot/mount.js';
import { expandWord, expandWords } from '../dockerfile/expand.js';
import { chmodMode, exposedPorts, parseStages, type Instruction, type ParsedFile, type Stage } from '../dockerfile/instructions.js';
import { applyDockerignore, contextPath, gzipHoldsTar, receiveContext, type BuildContext } from './context.js';
import { goArch } from '../../util/go-arch.js';
import { archiveKind, copyDirContents, copyTree, hasWildcard, matchSources, mkdirAllIn, resolveOwner, sumSources, urlFileName } from './copy.js';
import { fsWorker } from './fs-pool.js';
import type { LayerTarResult } from './layer-tar.js';
import type { BuildOutput, PullPort, RunPort } from './ports.js';
import { CacheMounts } from './cache-mounts.js';
import { dropMountStubs, parseRunMount } from './run-mounts.js';

export interface BuildOptions {
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string | null>;
  target?: string;
  labels: Record<string, string>;
  noCache: boolean;
  rm: boolean;
  forceRm: boolean;
  pull: boolean;
  quiet: boolean;
  networkMode?: string;
  extraHosts: string[];
}

export interface BuilderDeps {
  images: ImageService;
  runner: RunPort;
  /** Scratch space on the data-root's filesystem (contexts, mount points). */
  tmpDir: string;
  /** `RUN --mount=type=cache` directories (default: build-cache-mounts beside tmpDir). */
  cacheMounts?: CacheMounts;
  /** Pulls a FROM image for `--pull` (absent: --pull only uses local images). */
  puller?: PullPort;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', m: string) => void;
}

/** A failed RUN: Docker reports the exit code in errorDetail.code. */
export class RunFailedError extends EngineError {
  constructor(
    m: string,
    readonly code: number,
  ) {
    super('internal', m);
  }
}

const PROXY_ARGS = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);
const DEFAULT_SHELL = ['/bin/sh', '-c'];
const BUILD_SNAP = 'build-';
/** Image id → cacheKey of its container_config (configs are immutable: read each once). */
const cacheKeys = new Map<string, string | null>();
const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);


interface State {
  imageId: string; // '' while FROM scratch has produced nothing yet
  file: ImageConfigFile;
  layers: LayerRecord[];
  args: Map<string, string | undefined>;
  shell: string[];
  cmdSet: boolean;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const norm = (v: unknown) => (v == null || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v as object).length === 0) ? null : v);

/** What the cache compares (Docker's compare of two run configs). */
export function cacheKey(c: ContainerConfig): string {
  return JSON.stringify([c.Cmd, norm(c.Env), norm(c.Entrypoint), c.WorkingDir ?? '', c.User ?? '', norm(c.Labels), norm(c.ExposedPorts), norm(c.Volumes), norm(c.OnBuild), norm(c.Shell), c.StopSignal ?? '', c.Healthcheck ?? null]);
}

function envMap(st: State): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of st.args) if (v !== undefined) m.set(k, v);
  for (const e of st.file.config.Env ?? []) {
    const i = e.indexOf('=');
    m.set(i < 0 ? e : e.slice(0, i), i < 0 ? '' : e.slice(i + 1));
  }
  return m;
}

function setEnv(c: ContainerConfig, k: string, v: string): void {
  const env = (c.Env ?? []).filter((e) => e.split('=', 1)[0] !== k);
  env.push(`${k}=${v}`);
  c.Env = env;
}

function goQuote(a: string[]): string {
  return '[' + a.map((s) => JSON.stringify(s)).join(' ') + ']';
}

export class Builder {
  /** The cache mounts of every build (`docker builder prune`, `system df`). */
  readonly cache: CacheMounts;

  constructor(private readonly d: BuilderDeps) {
    this.cache = d.cacheMounts ?? new CacheMounts(join(d.tmpDir, '..', 'build-cache-mounts'));
  }

  private cleaning: Promise<void> | null = null;

  /** Drop what a crashed build left: build snapshots and scratch directories (builds wait for it). */
  cleanup(): Promise<void> {
    this.cleaning ??= this.sweep();
    return this.cleaning;
  }

  private async sweep(): Promise<void> {
    const snaps = this.d.images.snapshots;
    for (const s of await snaps.list()) if (s.key.startsWith(BUILD_SNAP)) await snaps.remove(s.key).catch(() => {});
    for (const n of await readdir(this.d.tmpDir).catch(() => [] as string[])) {
      if (!n.startsWith(BUILD_SNAP)) continue;
      const p = join(this.d.tmpDir, n);
      await unmount(join(p, 'mnt')).catch(() => {});
      await rm(p, { recursive: true, force: true }).catch(() => {});
    }
  }

  /** Build from a context stream; returns the final image id. Errors are Docker's texts. */
  async build(body: Readable, o: BuildOptions, out: BuildOutput, signal: AbortSignal): Promise<string> {
    // a build started right after a restart must not have its own scratch swept away
    await this.cleaning?.catch(() => {});
    const refs: Reference[] = o.tags.map((t) => withDefaultTag(parseReference(t)));
    const work = join(this.d.tmpDir, BUILD_SNAP + randomBytes(8).toString('hex'));
    await mkdir(work, { recursive: true });
    let ctx: BuildContext | null = null;
    try {
      const dfName = o.dockerfile || 'Dockerfile';
      const t0 = Date.now();
      ctx = await receiveContext(body, join(work, 'ctx'), dfName);
      this.d.log?.('debug', `build: context of ${ctx.files.size} entries (${ctx.size} bytes) received in ${Date.now() - t0} ms`);
      const dfRel = contextPath(dfName);
      let text: string;
      try {
        text = (await ctx.read(dfRel)).toString('utf8');
      } catch {
        throw invalid(`Cannot locate specified Dockerfile: ${dfName}`);
      }
      await applyDockerignore(ctx);
      const parsed = parseStages(text, dfName);
      const run = new BuildRun(this.d, this.cache, o, out, signal, ctx, parsed, work);
      const id = await run.execute();
      this.d.log?.('debug', `build ${short(id)}: steps took ${run.timings.join(' ')} ms`);
      for (const r of refs) {
        // a rebuild with nothing changed: the tag already names the image (moby's reference store
        // writes nothing then either), so no metadata writes (and fsyncs) on the cached path
        if ((await this.d.images.resolve(familiarString(r)).catch(() => null))?.id === id) continue;
        await this.d.images.setReference(r, id);
      }
      out.aux({ ID: id });
      if (o.quiet) out.stream(id + '\n');
      else {
        out.stream(`Successfully built ${short(id)}\n`);
        for (const r of refs) out.stream(`Successfully tagged ${familiarString(r)}\n`);
      }
      return id;
    } finally {
      await rm(work, { recursive: true, force: true }).catch(() => {});
    }
  }
}

class BuildRun {
  private step = 0;
  private total = 0;
  private readonly results = new Map<number, State>();
  private readonly used = new Set<string>();
  private readonly meta = new Map<string, string>();
  private readonly mounts: string[] = [];
  /** ms per instruction (debug log). */
  readonly timings: number[] = [];

  constructor(
    private readonly d: BuilderDeps,
    private readonly cache: CacheMounts,
    private readonly o: BuildOptions,
    private readonly out: BuildOutput,
    private readonly signal: AbortSignal,
    private readonly ctx: BuildContext,
    private readonly p: ParsedFile,
    private readonly work: string,
  ) {}

  private say(s: string): void {
    if (!this.o.quiet) this.out.stream(s);
  }

  private buildArg(name: string): string | undefined {
    const v = this.o.buildArgs[name];
    return v === null || v === undefined ? undefined : v;
  }

  private stageIndex(ref: string, before: number): number | null {
    const l = ref.toLowerCase();
    for (const s of this.p.stages) if (s.index < before && s.name === l) return s.index;
    if (/^\d+$/.test(ref) && Number(ref) < before) return Number(ref);
    return null;
  }

  async execute(): Promise<string> {
    for (const a of this.p.metaArgs) {
      const v = this.buildArg(a.name) ?? (a.value !== undefined ? expandWord(a.value, this.meta, this.p.escape) : undefined);
      if (this.buildArg(a.name) !== undefined) this.used.add(a.name);
      if (v !== undefined) this.meta.set(a.name, v);
    }
    let target = this.p.stages[this.p.stages.length - 1];
    if (this.o.target) {
      const t = this.p.stages.find((s) => s.name === this.o.target!.toLowerCase());
      if (!t) throw invalid(`failed to reach build target ${this.o.target} in Dockerfile`);
      target = t;
    }
    // Only the stages the target depends on (FROM <stage>, COPY --from=<stage>, RUN --mount=from=<stage>).
    const need = new Set<number>();
    const mountFroms = (i: Instruction): string[] => {
      if (i.kind !== 'run') return [];
      return i.mounts.flatMap((m) => {
        try {
          const f = parseRunMount(m).from;
          return f ? [f] : [];
        } catch {
          return []; // reported when the step runs
        }
      });
    };
    const visit = (s: Stage) => {
      if (need.has(s.index)) return;
      need.add(s.index);
      const deps = [expandWord(s.base, this.meta, this.p.escape), ...s.instructions.flatMap((i) => (i.kind === 'copy' && i.from ? [i.from] : mountFroms(i)))];
      for (const dep of deps) {
        const i = this.stageIndex(dep, s.index);
        if (i !== null) visit(this.p.stages[i]);
      }
    };
    visit(target);
    const stages = this.p.stages.filter((s) => need.has(s.index));
    this.total = this.p.metaNodes.length + stages.reduce((a, s) => a + 1 + s.instructions.length, 0) + (Object.keys(this.o.labels).length ? 1 : 0);
    for (const n of this.p.metaNodes) this.say(`Step ${++this.step}/${this.total} : ${n.original}\n`);
    try {
      for (const s of stages) {
        const st = await this.from(s);
        for (const ins of s.instructions) {
          this.checkAbort();
          this.say(`Step ${++this.step}/${this.total} : ${ins.node.original}\n`);
          const ts = performance.now();
          await this.dispatch(st, ins);
          this.timings.push(Math.round(performance.now() - ts));
        }
        if (s === target && Object.keys(this.o.labels).length) {
          const pairs = Object.entries(this.o.labels).sort(([a], [b]) => (a < b ? -1 : 1));
          const line = 'LABEL ' + pairs.map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ');
          this.say(`Step ${++this.step}/${this.total} : ${line}\n`);
          await this.meta_(st, line, (c) => {
            c.Labels = { ...(c.Labels ?? {}), ...this.o.labels };
          });
        }
        this.results.set(s.index, st);
      }
    } finally {
      for (const m of this.mounts.splice(0)) await unmount(m).catch(() => {});
    }
    const unused = Object.keys(this.o.buildArgs).filter((k) => !this.used.has(k) && !PROXY_ARGS.has(k)).sort();
    if (unused.length) this.say(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    const final = this.results.get(target.index)!;
    if (!final.imageId) throw invalid('No image was generated. Is your Dockerfile empty?');
    return final.imageId;
  }

  private checkAbort(): void {
    if (this.signal.aborted) throw new EngineError('unavailable', 'build cancelled');
  }

  // ---- FROM ------------------------------------------------------------------------------

  private async from(s: Stage): Promise<State> {
    this.say(`Step ${++this.step}/${this.total} : ${s.node.original}\n`);
    const base = expandWord(s.base, this.meta, this.p.escape);
    const st: State = { imageId: '', file: this.emptyFile(), layers: [], args: new Map(), shell: DEFAULT_SHELL, cmdSet: false };
    const si = this.stageIndex(base, s.index);
    if (si !== null) {
      const src = this.results.get(si)!;
      Object.assign(st, { imageId: src.imageId, file: clone(src.file), layers: [...src.layers] });
    } else if (base.toLowerCase() !== 'scratch') {
      if (this.o.pull && this.d.puller) await this.d.puller.pull(base, (line) => this.say(line + '\n'), this.signal);
      let img;
      try {
        img = await this.d.images.resolve(base);
      } catch (e) {
        if (isKind(e, 'not-found')) throw notFound(`pull access denied for ${base.split(':')[0]}, repository does not exist or may require 'docker login': ${msg.noSuchImage(base)}`);
        throw e;
      }
      st.imageId = img.id;
      st.file = await this.d.images.configFile(img.id);
      st.layers = [...img.layers];
    }
    st.file.config ??= emptyContainerConfig();
    if (st.file.config.Shell?.length) st.shell = st.file.config.Shell;
    if (st.imageId) this.say(` ---> ${short(st.imageId)}\n`);
    const triggers = st.file.config.OnBuild ?? [];
    if (triggers.length) {
      this.say(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      const parsed = parseStages('FROM scratch\n' + triggers.join('\n') + '\n', 'ONBUILD');
      st.file.config.OnBuild = null;
      for (const ins of parsed.stages[0].instructions) await this.dispatch(st, ins);
    }
    return st;
  }

  private emptyFile(): ImageConfigFile {
    return { architecture: goArch(), os: 'linux', config: emptyContainerConfig(), rootfs: { type: 'layers', diff_ids: [] }, history: [] };
  }

  // ---- commit & cache ----------------------------------------------------------------------

  private async probe(st: State, cmd: string[], mutate?: (c: ContainerConfig) => void): Promise<boolean> {
    if (this.o.noCache) return false;
    const want = clone(st.file.config);
    mutate?.(want);
    want.Cmd = cmd;
    const key = cacheKey(want);
    // like moby's getLocalCachedImage: of the matching children, the most recently created
    let best: { id: string; cf: ImageConfigFile; layers: LayerRecord[]; created: string } | null = null;
    for (const id of this.d.images.childrenOf(st.imageId)) {
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

  private async commit(st: State, cacheCmd: string[], layer: LayerRecord | null, o: { container?: string; createdBy?: string } = {}): Promise<void> {
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
  private async meta_(st: State, text: string, mutate: (c: ContainerConfig) => void): Promise<void> {
    const cmd = [...st.shell, '#(nop) ', text];
    if (await this.probe(st, cmd, mutate)) return;
    mutate(st.file.config);
    await this.commit(st, cmd, null);
  }

  /** Change the filesystem in a fresh snapshot over the current image, then commit it as a layer. */
  /**
   * `fn` may make overlay-opaque directories unless it says otherwise (`noOpaque()`): only a
   * directory created where something of a lower layer was removed is opaque, and only when that
   * something was a directory does the layer's tar need to say so.
   */
  private async fsStep(st: State, cmd: string[], fn: (root: string, noOpaque: () => void) => Promise<void>): Promise<void> {
    const key = BUILD_SNAP + randomBytes(8).toString('hex');
    const snaps = this.d.images.snapshots;
    const parent = st.layers[st.layers.length - 1]?.chainId ?? null;
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
      const layer = await this.layerFrom(upper, parent, async (name) => (await unmounted, snaps.commit(name, key)), opaque);
      await unmounted; // (its error, if any, fails the step)
      this.checkAbort();
      await this.commit(st, cmd, layer);
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
  private async layerFrom(upper: string, parent: string | null, commit?: (name: string) => Promise<void>, opaque = true): Promise<LayerRecord | null> {
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

  // ---- instructions ----------------------------------------------------------------------

  private async dispatch(st: State, ins: Instruction): Promise<void> {
    const env = envMap(st);
    const ex = (s: string) => expandWord(s, env, this.p.escape);
    const c = st.file.config;
    switch (ins.kind) {
      case 'env': {
        const pairs = ins.pairs.map((p) => ({ key: ex(p.key), value: ex(p.value) }));
        return this.meta_(st, 'ENV ' + pairs.map((p) => `${p.key}=${p.value}`).join(' '), (cc) => pairs.forEach((p) => setEnv(cc, p.key, p.value)));
      }
      case 'label': {
        const pairs = ins.pairs.map((p) => ({ key: ex(p.key), value: ex(p.value) }));
        return this.meta_(st, 'LABEL ' + pairs.map((p) => `${p.key}=${p.value}`).join(' '), (cc) => {
          cc.Labels = { ...(cc.Labels ?? {}) };
          for (const p of pairs) cc.Labels[p.key] = p.value;
        });
      }
      case 'arg': {
        const parts: string[] = [];
        for (const a of ins.args) {
          const given = this.buildArg(a.name);
          if (given !== undefined) this.used.add(a.name);
          const v = given ?? (a.value !== undefined ? ex(a.value) : this.meta.get(a.name));
          st.args.set(a.name, v);
          parts.push(a.value !== undefined ? `${a.name}=${a.value}` : a.name);
        }
        return this.meta_(st, 'ARG ' + parts.join(' '), () => {});
      }
      case 'maintainer': {
        const v = ex(ins.value);
        const cmd = [...st.shell, '#(nop) ', `MAINTAINER ${v}`];
        if (await this.probe(st, cmd)) return;
        st.file.author = v;
        return this.commit(st, cmd, null);
      }
      case 'workdir': {
        let w = ex(ins.value);
        if (!w.startsWith('/')) w = posix.join(c.WorkingDir || '/', w);
        w = posix.normalize(w);
        const cmd = [...st.shell, '#(nop) ', `WORKDIR ${w}`];
        if (await this.probe(st, cmd, (cc) => (cc.WorkingDir = w))) return;
        c.WorkingDir = w;
        if (!st.imageId && st.layers.length === 0) return this.commit(st, cmd, null);
        return this.fsStep(st, cmd, async (root, noOpaque) => {
          await mkdirAllIn(root, w); // only makes what is missing: never an opaque dir
          noOpaque();
        });
      }
      case 'user': {
        const u = ex(ins.value);
        return this.meta_(st, `USER ${u}`, (cc) => (cc.User = u));
      }
      case 'stopsignal': {
        const s = ex(ins.value);
        return this.meta_(st, `STOPSIGNAL ${s}`, (cc) => (cc.StopSignal = s));
      }
      case 'expose': {
        const ports = exposedPorts(expandWords(ins.words, env, this.p.escape));
        return this.meta_(st, `EXPOSE ${ports.join(' ')}`, (cc) => {
          cc.ExposedPorts = { ...(cc.ExposedPorts ?? {}) };
          for (const pt of ports) cc.ExposedPorts[pt] = {};
        });
      }
      case 'volume': {
        const vols = ins.json ? ins.json.map(ex) : expandWords(ins.words, env, this.p.escape);
        for (const v of vols) if (!v.trim()) throw invalid('VOLUME specified can not be an empty string');
        return this.meta_(st, `VOLUME [${vols.join(' ')}]`, (cc) => {
          cc.Volumes = { ...(cc.Volumes ?? {}) };
          for (const v of vols) cc.Volumes[v] = {};
        });
      }
      case 'cmd': {
        const cmd = ins.json ?? [...st.shell, ins.shell];
        st.cmdSet = true;
        return this.meta_(st, `CMD ${goQuote(cmd)}`, (cc) => (cc.Cmd = cmd));
      }
      case 'entrypoint': {
        const ep = ins.json ?? [...st.shell, ins.shell];
        const cmdSet = st.cmdSet;
        return this.meta_(st, `ENTRYPOINT ${goQuote(ep)}`, (cc) => {
          cc.Entrypoint = ep.length ? ep : null;
          if (!cmdSet) cc.Cmd = null; // an ENTRYPOINT resets an inherited CMD
        });
      }
      case 'shell':
        st.shell = ins.args;
        return this.meta_(st, `SHELL [${ins.args.join(' ')}]`, (cc) => (cc.Shell = ins.args));
      case 'healthcheck': {
        const hc: NonNullable<ContainerConfig['Healthcheck']> = { Test: ins.test };
        if (ins.interval !== undefined) hc.Interval = ins.interval;
        if (ins.timeout !== undefined) hc.Timeout = ins.timeout;
        if (ins.startPeriod !== undefined) hc.StartPeriod = ins.startPeriod;
        if (ins.startInterval !== undefined) hc.StartInterval = ins.startInterval;
        if (ins.retries !== undefined) hc.Retries = ins.retries;
        return this.meta_(st, `HEALTHCHECK ${JSON.stringify(hc)}`, (cc) => (cc.Healthcheck = hc));
      }
      case 'onbuild': {
        const expr = ins.expr.replace(/^\S+/, (w) => w.toUpperCase());
        return this.meta_(st, `ONBUILD ${expr}`, (cc) => (cc.OnBuild = [...(cc.OnBuild ?? []), expr]));
      }
      case 'run':
        return this.run(st, ins);
      case 'copy':
      case 'add':
        return this.copy(st, ins, env);
    }
  }

  // ---- RUN -------------------------------------------------------------------------------

  private async run(st: State, ins: Extract<Instruction, { kind: 'run' }>): Promise<void> {
    if (!st.imageId) throw invalid('Please provide a source image with `from` prior to run');
    let args: string[];
    if (ins.json) args = ins.json;
    else if (ins.heredocs.length && /^<<-?\s*["']?[A-Za-z_][A-Za-z0-9_]*["']?\s*$/.test(ins.shell.trim())) args = [...st.shell, ins.heredocs[0].content];
    else if (ins.heredocs.length) args = [...st.shell, ins.shell + '\n' + ins.heredocs.map((h) => h.content + h.name).join('\n')];
    else args = [...st.shell, ins.shell];
    // Build args reach RUN as environment; they are part of the cache key (Docker's "|N k=v" prefix).
    const envKeys = new Set((st.file.config.Env ?? []).map((e) => e.split('=', 1)[0]));
    const argEnv = [...st.args]
      .filter(([k, v]) => v !== undefined && !envKeys.has(k))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`);
    const proxies = Object.keys(this.o.buildArgs).filter((k) => PROXY_ARGS.has(k) && !st.args.has(k) && this.buildArg(k) !== undefined);
    const mounts = ins.mounts.map((m) => parseRunMount(expandWord(m, envMap(st), this.p.escape)));
    // what a bind mount shows is part of the step's cache key (BuildKit does the same)
    const mountKeys: string[] = [];
    for (const [i, m] of mounts.entries()) mountKeys.push(`--mount=${ins.mounts[i]}` + (m.type === 'bind' ? `;${await this.bindSum(m, envMap(st))}` : ''));
    const keyed = [...mountKeys, ...args];
    const saveCmd = argEnv.length ? [`|${argEnv.length}`, ...argEnv, ...keyed] : keyed;
    if (await this.probe(st, saveCmd)) return;
    const binds: string[] = [];
    const releases: Array<() => void> = [];
    try {
      for (const m of mounts) binds.push(await this.runMountBind(m, envMap(st), releases, args.join(' ')));
      await this.runContainer(st, args, argEnv, proxies, saveCmd, ins.network, binds, mounts.map((m) => m.target));
    } finally {
      for (const r of releases) r();
    }
  }

  private async bindSum(m: ReturnType<typeof parseRunMount>, env: Map<string, string>): Promise<string> {
    if (!m.from) {
      const rel = posix.resolve('/', m.source || '/').slice(1);
      if (rel && !this.ctx.files.has(rel)) throw invalid(`failed to compute cache key: "/${rel}" not found`);
      return 'sum=' + (await sumSources(this.ctx.dir, [rel], this.ctx.files));
    }
    const ref = expandWord(m.from, env, this.p.escape);
    const si = this.stageIndex(ref, Number.MAX_SAFE_INTEGER);
    if (si !== null) return 'from=' + (this.results.get(si)?.imageId ?? ref);
    return 'from=' + (await this.d.images.resolve(ref).then((i) => i.id, () => ref)) + ':' + m.source;
  }

  /** A `--mount` as a `host:ctr[:ro]` bind: the cache's directory, or a path of the context / a stage / an image. */
  private async runMountBind(m: ReturnType<typeof parseRunMount>, env: Map<string, string>, releases: Array<() => void>, command: string): Promise<string> {
    const suffix = m.readOnly ? ':ro' : '';
    if (m.type === 'cache') {
      const seed = m.from
        ? async (dir: string) => {
            const { root } = await this.sourceRoot(m.from, env);
            await cpA(await secureJoin(root, m.source || '/'), dir);
          }
        : undefined;
      const { dir, release } = await this.cache.acquire(m, `cached mount ${m.target} from exec ${command}`, seed);
      releases.push(release);
      return `${dir}:${m.target}${suffix}`;
    }
    const { root, files } = await this.sourceRoot(m.from, env);
    if (files) await this.ctx.materialize();
    let src = await secureJoin(root, m.source || '/');
    if (!(await lstat(src).catch(() => null))) throw invalid(`failed to compute cache key: "${posix.resolve('/', m.source)}" not found`);
    if (!m.readOnly) {
      // rw binds see writes during the RUN only: they go to a scratch copy
      const copy = join(this.work, 'bind-' + randomBytes(6).toString('hex'));
      await mkdir(copy, { recursive: true });
      const isDir = (await stat(src)).isDirectory();
      await cpA(src, isDir ? copy : join(copy, 'f'));
      src = isDir ? copy : join(copy, 'f');
    }
    return `${src}:${m.target}${suffix}`;
  }

  private async runContainer(st: State, args: string[], argEnv: string[], proxies: string[], saveCmd: string[], network: string | undefined, binds: string[], targets: string[]): Promise<void> {
    const ins = { network };
    let cid = '';
    const code = await this.d.runner.run(
      {
        image: st.imageId,
        cmd: args,
        env: [...(st.file.config.Env ?? []), ...argEnv, ...proxies.map((k) => `${k}=${this.buildArg(k)}`)],
        workdir: st.file.config.WorkingDir,
        user: st.file.config.User,
        networkMode: ins.network === 'none' ? 'none' : ins.network === 'host' ? 'host' : this.o.networkMode,
        extraHosts: this.o.extraHosts,
        binds,
      },
      {
        created: (id) => {
          cid = id;
          this.say(` ---> Running in ${short(id)}\n`);
        },
        output: (chunk) => this.say(chunk.toString('utf8')),
      },
      this.signal,
    ).catch(async (e: unknown) => {
      if (cid && (this.o.forceRm || this.signal.aborted)) await this.d.runner.remove(cid).catch(() => {});
      throw e;
    });
    if (code !== 0 || this.signal.aborted) {
      if (this.o.forceRm || this.signal.aborted) await this.d.runner.remove(cid).catch(() => {});
      this.checkAbort();
      throw new RunFailedError(`The command '${args.join(' ')}' returned a non-zero code: ${code}`, code);
    }
    try {
      const upper = await this.d.runner.upperDir(cid);
      await dropMountArtifacts(upper);
      await dropMountStubs(upper, targets);
      const parent = st.layers[st.layers.length - 1]?.chainId ?? null;
      // a container that is removed next gives its root filesystem snapshot to the layer
      const runner = this.d.runner;
      const give = (this.o.rm || this.o.forceRm) && runner.commitRootfs ? (name: string) => runner.commitRootfs!(cid, name) : undefined;
      const layer = await this.layerFrom(upper, parent, give);
      this.checkAbort();
      if (this.o.rm || this.o.forceRm) {
        this.say(`Removing intermediate container ${short(cid)}\n`);
        await this.d.runner.remove(cid);
      }
      await this.commit(st, saveCmd, layer, { container: cid });
    } catch (e) {
      if (this.o.forceRm || this.signal.aborted) await this.d.runner.remove(cid).catch(() => {});
      throw e;
    }
  }

  // ---- COPY / ADD --------------------------------------------------------------------------

  private async sourceRoot(from: string | undefined, env: Map<string, string>): Promise<{ root: string; files?: BuildContext['files'] }> {
    if (!from) return { root: this.ctx.dir, files: this.ctx.files };
    const ref = expandWord(from, env, this.p.escape);
    const si = this.stageIndex(ref, Number.MAX_SAFE_INTEGER);
    let layers: LayerRecord[];
    if (si !== null) {
      const st = this.results.get(si);
      if (!st) throw invalid(`invalid from flag value ${ref}: stage ${ref} is not built before it is used`);
      layers = st.layers;
    } else {
      try {
        layers = (await this.d.images.resolve(ref)).layers;
      } catch (e) {
        if (isKind(e, 'not-found')) throw invalid(`invalid from flag value ${ref}: ${msg.noSuchImage(ref)}`);
        throw e;
      }
    }
    const top = layers[layers.length - 1]?.chainId;
    const root = join(this.work, 'from-' + randomBytes(6).toString('hex'));
    await mkdir(root, { recursive: true });
    if (!top) return { root };
    const key = BUILD_SNAP + 'view-' + randomBytes(8).toString('hex');
    const mounts = await this.d.images.snapshots.view(key, top);
    try {
      await mountAll(mounts, root);
    } finally {
      // the mount keeps the lower dirs; the view's record can go right away
      await this.d.images.snapshots.remove(key).catch(() => {});
    }
    this.mounts.push(root);
    return { root };
  }

  private async copy(st: State, ins: Extract<Instruction, { kind: 'copy' | 'add' }>, env: Map<string, string>): Promise<void> {
    const name = ins.kind.toUpperCase();
    const isAdd = ins.kind === 'add';
    const ex = (s: string) => expandWord(s, env, this.p.escape);
    const dest0 = ex(ins.dest);
    const src = await this.sourceRoot(ins.from, env);
    type Item = { kind: 'path'; rel: string } | { kind: 'url'; url: string; file: string } | { kind: 'heredoc'; name: string; data: string };
    const items: Item[] = [];
    const sums: string[] = [];
    let single: 'file' | 'dir' = 'file';
    const heredocNames = new Set(ins.heredocs.map((h) => h.name));
    for (const raw of ins.srcs) {
      const hd = /^<<-?["']?([A-Za-z_][A-Za-z0-9_]*)["']?$/.exec(raw);
      if (hd && heredocNames.has(hd[1])) {
        const h = ins.heredocs.find((x) => x.name === hd[1])!;
        const data = h.expand ? ex(h.content.replace(/"/g, '\\"').replace(/^/, '"').concat('"')) : h.content;
        items.push({ kind: 'heredoc', name: h.name, data });
        sums.push(createHashHex(data));
        continue;
      }
      const s = ex(raw);
      if (isAdd && /^https?:\/\//i.test(s)) {
        const file = join(this.work, 'url-' + randomBytes(6).toString('hex'));
        await download(s, file, this.signal);
        items.push({ kind: 'url', url: s, file });
        sums.push(await sumSources(this.work, [file.slice(this.work.length + 1)]));
        continue;
      }
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) && !isAdd) throw invalid(`${name} failed: source can't be a URL for ${name}`);
      const rels = await matchSources(src.root, s, src.files);
      if (rels.length === 0) {
        if (hasWildcard(s)) throw invalid(`${name} failed: no source files were specified`);
        if (ins.from) throw invalid(`${name} failed: stat ${s}: file does not exist`);
        throw invalid(`${name} failed: file not found in build context or excluded by .dockerignore: stat ${s}: file does not exist`);
      }
      for (const rel of rels) {
        items.push({ kind: 'path', rel });
        const isDir = src.files ? rel === '' || src.files.get(rel)?.type === 'dir' : (await lstat(rel ? join(src.root, rel) : src.root)).isDirectory();
        if (isDir) single = 'dir';
      }
      sums.push(await sumSources(src.root, rels, src.files));
    }
    if (items.length > 1 && !dest0.endsWith('/')) throw invalid(`When using ${name} with more than one source file, the destination must be a directory and end with a /`);
    const workdir = st.file.config.WorkingDir || '/';
    const destIsDirSyntax = dest0.endsWith('/') || dest0 === '.' || dest0.endsWith('/.');
    const dest = posix.normalize(dest0.startsWith('/') ? dest0 : posix.join(workdir, dest0));
    const kind = items.length > 1 ? 'multi' : items[0].kind === 'path' ? single : 'file';
    const sum = sums.length === 1 ? sums[0] : createHashHex(sums.join(','));
    const fromNote = ins.from ? `--from=${ins.from} ` : '';
    const cmd = [...st.shell, `#(nop) ${name} ${fromNote}${kind}:${sum} in ${dest0} `];
    if (await this.probe(st, cmd)) return;
    const mode = ins.chmod !== undefined ? chmodMode(ex(ins.chmod), ins.chmod) : undefined;
    await this.fsStep(st, cmd, async (root, noOpaque) => {
      // copies from the context only replace non-directories by directories: no opaque dir matters
      let mayOpaque = false;
      const owner = await resolveOwner(root, ins.chown ? ex(ins.chown) : undefined);
      const o = { owner, mode };
      const destAbs = await secureJoin(root, dest);
      const destIsDir = async () => destIsDirSyntax || items.length > 1 || !!(await stat(destAbs).catch(() => null))?.isDirectory();
      const intoFile = async (base: string): Promise<string> => {
        if (await destIsDir()) {
          await mkdirAllIn(root, dest);
          return secureJoin(root, posix.join(dest, base));
        }
        await mkdirAllIn(root, posix.dirname(dest));
        return destAbs;
      };
      for (const it of items) {
        if (it.kind === 'heredoc') {
          const target = await intoFile(it.name);
          await writeFile(target, it.data, { mode: mode ?? 0o644 });
          await lchown(target, owner.uid, owner.gid);
        } else if (it.kind === 'url') {
          const target = await intoFile(urlFileName(it.url));
          await copyTree(it.file, target, { owner, mode: mode ?? 0o600 });
        } else if (src.files) {
          // from the context: written straight from the spooled tar
          const f = it.rel ? src.files.get(it.rel) : undefined;
          if (!f || f.type === 'dir') {
            await mkdirAllIn(root, dest, owner.uid || owner.gid ? owner : undefined);
            await fsWorker.copyFromSpool(await this.ctx.copyPlan(it.rel, destAbs, o));
          } else if (isAdd && f.type === 'file' && (await this.ctx.isTar(it.rel))) {
            await mkdirAllIn(root, dest);
            mayOpaque = true;
            await extractTar(destAbs, await this.ctx.stream(it.rel), { whiteouts: false });
          } else {
            await fsWorker.copyFromSpool(await this.ctx.copyPlan(it.rel, await intoFile(it.rel.split('/').pop()!), o));
          }
        } else {
          mayOpaque = true;
          const abs = it.rel ? join(src.root, it.rel) : src.root;
          const s = await lstat(abs);
          if (s.isDirectory()) {
            await mkdirAllIn(root, dest, owner.uid || owner.gid ? owner : undefined);
            await copyDirContents(abs, destAbs, o);
          } else if (isAdd && !ins.from && s.isFile() && (await isTarArchive(abs))) {
            await mkdirAllIn(root, dest);
            await extractTar(destAbs, createReadStream(abs), { whiteouts: false });
          } else {
            const base = it.rel.split('/').pop()!;
            await copyTree(abs, await intoFile(base), o);
          }
        }
      }
      if (!mayOpaque) noOpaque();
    });
  }
}

function createHashHex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

async function isTarArchive(abs: string): Promise<boolean> {
  const k = await archiveKind(abs);
  if (k === 'tar') return true;
  if (k !== 'gzip') return false;
  // a gzip file is extracted only when it holds a tar
  return gzipHoldsTar(createReadStream(abs));
}

async function download(url: string, file: string, signal: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: 'follow' });
  } catch (e) {
    throw invalid(`ADD failed: error downloading ${url}: ${(e as Error).message}`);
  }
  if (!res.ok || !res.body) throw invalid(`ADD failed: failed to GET ${url} with status ${res.status} ${res.statusText}`);
  await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(file));
}

/** `cp -a`: a directory's contents (or a file) with owners, modes and links kept. */
async function cpA(from: string, to: string): Promise<void> {
  const isDir = (await stat(from)).isDirectory();
  await promisify(execFile)('cp', ['-a', '--', isDir ? from + '/.' : from, to]);
}

/** Files runc creates as bind-mount targets (/etc/hosts …) are not part of a RUN's changes. */
async function dropMountArtifacts(upper: string): Promise<void> {
  let removed = false;
  for (const f of ['etc/hostname', 'etc/hosts', 'etc/resolv.conf', '.dockerenv']) {
    const p = join(upper, f);
    const s = await lstat(p).catch(() => null);
    if (s?.isFile() && s.size === 0) {
      await rm(p, { force: true });
      removed = true;
    }
  }
  if (removed) {
    const etc = join(upper, 'etc');
    if ((await readdir(etc).catch(() => ['x'])).length === 0) await rmdir(etc).catch(() => {});
  }
}
