// One build: the stages the target needs, in order, each instruction dispatched to its step, with
// the meta ARGs, FROM (stages, images, --pull, ONBUILD triggers) and the final LABELs of the API.
import { invalid, isKind, msg, notFound } from '../../errdefs.js';
import { emptyContainerConfig, type ImageConfigFile } from '../../images/types.js';
import { unmount } from '../../storage/snapshot/mount.js';
import { goArch } from '../../util/go-arch.js';
import { formatPlatform, platformMatches } from '../../util/platform.js';
import { expandWord } from '../dockerfile/expand.js';
import { parseStages, type Instruction, type ParsedFile, type Stage } from '../dockerfile/instructions.js';
import { clone, DEFAULT_SHELL, envMap, PROXY_ARGS, short, type State } from './build-state.js';
import type { CacheMounts } from './cache-mounts.js';
import { containerLayers } from './container-layers.js';
import type { BuildContext } from './context.js';
import { copyStep } from './copy-step.js';
import { LayerSteps } from './layer-steps.js';
import { metaInstruction, type InsOf, type MetaHost, type MetaKind } from './meta-steps.js';
import type { BuilderDeps, BuildOptions } from './options.js';
import type { BuildOutput, ContainerLayerPort } from './ports.js';
import { parseRunMount } from './run-mounts.js';
import { runStep } from './run-step.js';

const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The stages of RUN --mount=from=… of an instruction (bad mounts are reported when the step runs). */
function mountFroms(i: Instruction): string[] {
  if (i.kind !== 'run') return [];
  return i.mounts.flatMap((m) => {
    try {
      const f = parseRunMount(m).from;
      return f ? [f] : [];
    } catch {
      return [];
    }
  });
}

export class BuildRun extends LayerSteps implements MetaHost {
  private step = 0;
  private total = 0;
  readonly results = new Map<number, State>();
  readonly used = new Set<string>();
  readonly meta = new Map<string, string>();
  readonly mounts: string[] = [];
  readonly layers: ContainerLayerPort;
  /** ms per instruction (debug log). */
  readonly timings: number[] = [];
  /** The target stage's FROM image ('' for scratch): what `squash` merges onto (moby's FromImage). */
  fromImage = '';

  constructor(
    d: BuilderDeps,
    readonly cache: CacheMounts,
    o: BuildOptions,
    out: BuildOutput,
    signal: AbortSignal,
    readonly ctx: BuildContext,
    readonly p: ParsedFile,
    work: string,
  ) {
    super(d, o, out, signal, work);
    this.layers = d.layers ?? containerLayers(d.images);
  }

  buildArg(name: string): string | undefined {
    const v = this.o.buildArgs[name];
    return v === null || v === undefined ? undefined : v;
  }

  stageIndex(ref: string, before: number): number | null {
    const l = ref.toLowerCase();
    for (const s of this.p.stages) if (s.index < before && s.name === l) return s.index;
    if (/^\d+$/.test(ref) && Number(ref) < before) return Number(ref);
    return null;
  }

  /** The target stage, and only the stages it depends on (FROM <stage>, COPY --from, RUN --mount=from). */
  private plan(): { target: Stage; stages: Stage[] } {
    let target = this.p.stages[this.p.stages.length - 1];
    if (this.o.target) {
      const t = this.p.stages.find((s) => s.name === this.o.target!.toLowerCase());
      if (!t) throw invalid(`failed to reach build target ${this.o.target} in Dockerfile`);
      target = t;
    }
    const need = new Set<number>();
    const visit = (s: Stage) => {
      if (need.has(s.index)) return;
      need.add(s.index);
      const deps = [
        expandWord(s.base, this.meta, this.p.escape),
        ...s.instructions.flatMap((i) => (i.kind === 'copy' && i.from ? [i.from] : mountFroms(i))),
      ];
      for (const dep of deps) {
        const i = this.stageIndex(dep, s.index);
        if (i !== null) visit(this.p.stages[i]);
      }
    };
    visit(target);
    return { target, stages: this.p.stages.filter((s) => need.has(s.index)) };
  }

  async execute(): Promise<string> {
    for (const a of this.p.metaArgs) {
      const v =
        this.buildArg(a.name) ?? (a.value !== undefined ? expandWord(a.value, this.meta, this.p.escape) : undefined);
      if (this.buildArg(a.name) !== undefined) this.used.add(a.name);
      if (v !== undefined) this.meta.set(a.name, v);
    }
    const { target, stages } = this.plan();
    const labels = Object.keys(this.o.labels).length > 0;
    this.total = this.p.metaNodes.length + stages.reduce((a, s) => a + 1 + s.instructions.length, 0) + (labels ? 1 : 0);
    for (const n of this.p.metaNodes) this.say(`Step ${++this.step}/${this.total} : ${n.original}\n`);
    try {
      for (const s of stages) {
        const st = await this.from(s, s === target);
        for (const ins of s.instructions) {
          this.checkAbort();
          this.say(`Step ${++this.step}/${this.total} : ${ins.node.original}\n`);
          const ts = performance.now();
          await this.dispatch(st, ins);
          this.timings.push(Math.round(performance.now() - ts));
        }
        if (s === target && labels) await this.apiLabels(st);
        this.results.set(s.index, st);
      }
    } finally {
      for (const m of this.mounts.splice(0)) await unmount(m).catch(() => {});
    }
    const unused = Object.keys(this.o.buildArgs)
      .filter((k) => !this.used.has(k) && !PROXY_ARGS.has(k))
      .sort();
    if (unused.length) this.say(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    const final = this.results.get(target.index)!;
    if (!final.imageId) throw invalid('No image was generated. Is your Dockerfile empty?');
    return final.imageId;
  }

  /** `docker build --label`: one more LABEL step on the target. */
  private async apiLabels(st: State): Promise<void> {
    const pairs = Object.entries(this.o.labels).sort(([a], [b]) => (a < b ? -1 : 1));
    const line = 'LABEL ' + pairs.map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ');
    this.say(`Step ${++this.step}/${this.total} : ${line}\n`);
    await this.metaStep(st, line, (c) => {
      c.Labels = { ...(c.Labels ?? {}), ...this.o.labels };
    });
  }

  private async from(s: Stage, isTarget: boolean): Promise<State> {
    this.say(`Step ${++this.step}/${this.total} : ${s.node.original}\n`);
    const base = expandWord(s.base, this.meta, this.p.escape);
    const st: State = {
      imageId: '',
      file: this.emptyFile(),
      layers: [],
      args: new Map(),
      shell: DEFAULT_SHELL,
      cmdSet: false,
    };
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
        if (isKind(e, 'not-found'))
          throw notFound(
            `pull access denied for ${base.split(':')[0]}, repository does not exist or may require 'docker login': ${msg.noSuchImage(base)}`,
          );
        throw e;
      }
      st.imageId = img.id;
      st.file = await this.d.images.configFile(img.id);
      st.layers = [...img.layers];
      this.checkPlatform(base, st.file);
    }
    if (isTarget) this.fromImage = st.imageId;
    st.file.config ??= emptyContainerConfig();
    // moby's beginStage: a stage whose base sets no PATH gets the default one
    if (!(st.file.config.Env ?? []).some((e) => e.startsWith('PATH=')))
      st.file.config.Env = [...(st.file.config.Env ?? []), DEFAULT_PATH_ENV];
    if (st.file.config.Shell?.length) st.shell = st.file.config.Shell;
    if (st.imageId) this.say(` ---> ${short(st.imageId)}\n`);
    await this.onBuild(st);
    return st;
  }

  /** The base image's ONBUILD triggers run first, as the stage's own instructions. */
  private async onBuild(st: State): Promise<void> {
    const triggers = st.file.config.OnBuild ?? [];
    if (!triggers.length) return;
    this.say(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
    const parsed = parseStages('FROM scratch\n' + triggers.join('\n') + '\n', 'ONBUILD');
    st.file.config.OnBuild = null;
    for (const ins of parsed.stages[0].instructions) await this.dispatch(st, ins);
  }

  /** `platform=`: a local image of another platform is moby's not-found (it would then try a pull). */
  private checkPlatform(base: string, f: ImageConfigFile): void {
    const want = this.o.platform;
    if (!want || platformMatches(want, f)) return;
    const have = formatPlatform({ os: f.os, architecture: f.architecture, variant: f.variant });
    throw notFound(
      `image with reference ${base} was found but its platform (${have}) does not match the specified platform (${formatPlatform(want)})`,
    );
  }

  private emptyFile(): ImageConfigFile {
    return {
      architecture: goArch(),
      os: 'linux',
      config: emptyContainerConfig(),
      rootfs: { type: 'layers', diff_ids: [] },
      history: [],
    };
  }

  private dispatch(st: State, ins: Instruction): Promise<void> {
    const env = envMap(st);
    if (ins.kind === 'run') return runStep(this, st, ins);
    if (ins.kind === 'copy' || ins.kind === 'add') return copyStep(this, st, ins, env);
    // (TypeScript does not narrow the copy|add member away here)
    return metaInstruction(this, st, ins as InsOf<MetaKind>, (s) => expandWord(s, env, this.p.escape), env);
  }
}
