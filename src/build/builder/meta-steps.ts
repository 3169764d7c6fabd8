// The instructions that change only the image's config (and WORKDIR, which may also make its
// directory), one handler each, in one table.
import { posix } from 'node:path';
import { invalid } from '../../errdefs.js';
import type { ContainerConfig } from '../../images/types.js';
import { expandWords } from '../dockerfile/expand.js';
import { exposedPorts, type Instruction } from '../dockerfile/instructions.js';
import { goQuote, setEnv, type State, type StepHost } from './build-state.js';
import { mkdirAllIn } from './copy.js';

export interface MetaHost extends StepHost {
  /** Build args consumed so far (for the "not consumed" warning). */
  readonly used: Set<string>;
  /** ARGs before the first FROM. */
  readonly meta: Map<string, string>;
  metaStep(st: State, text: string, mutate: (c: ContainerConfig) => void): Promise<void>;
}

export type MetaKind = Exclude<Instruction['kind'], 'run' | 'copy' | 'add'>;
export type InsOf<K extends MetaKind> = Instruction & { kind: K };
type Handler<K extends MetaKind> = (
  h: MetaHost,
  st: State,
  ins: InsOf<K>,
  ex: (s: string) => string,
  env: Map<string, string>,
) => Promise<void>;

const pairs = (ins: { pairs: { key: string; value: string }[] }, ex: (s: string) => string) =>
  ins.pairs.map((p) => ({ key: ex(p.key), value: ex(p.value) }));

async function workdir(h: MetaHost, st: State, ins: InsOf<'workdir'>, ex: (s: string) => string): Promise<void> {
  const c = st.file.config;
  let w = ex(ins.value);
  if (!w.startsWith('/')) w = posix.join(c.WorkingDir || '/', w);
  w = posix.normalize(w);
  const cmd = [...st.shell, '#(nop) ', `WORKDIR ${w}`];
  if (await h.probe(st, cmd, (cc) => (cc.WorkingDir = w))) return;
  c.WorkingDir = w;
  if (!st.imageId && st.layers.length === 0) return h.commit(st, cmd, null);
  return h.fsStep(st, cmd, async (root, noOpaque) => {
    await mkdirAllIn(root, w); // only makes what is missing: never an opaque dir
    noOpaque();
  });
}

const HANDLERS: { [K in MetaKind]: Handler<K> } = {
  env: (h, st, ins, ex) => {
    const ps = pairs(ins, ex);
    return h.metaStep(st, 'ENV ' + ps.map((p) => `${p.key}=${p.value}`).join(' '), (cc) =>
      ps.forEach((p) => setEnv(cc, p.key, p.value)),
    );
  },
  label: (h, st, ins, ex) => {
    const ps = pairs(ins, ex);
    return h.metaStep(st, 'LABEL ' + ps.map((p) => `${p.key}=${p.value}`).join(' '), (cc) => {
      cc.Labels = { ...(cc.Labels ?? {}) };
      for (const p of ps) cc.Labels[p.key] = p.value;
    });
  },
  arg: (h, st, ins, ex) => {
    const parts: string[] = [];
    for (const a of ins.args) {
      const given = h.buildArg(a.name);
      if (given !== undefined) h.used.add(a.name);
      st.args.set(a.name, given ?? (a.value !== undefined ? ex(a.value) : h.meta.get(a.name)));
      parts.push(a.value !== undefined ? `${a.name}=${a.value}` : a.name);
    }
    return h.metaStep(st, 'ARG ' + parts.join(' '), () => {});
  },
  maintainer: async (h, st, ins, ex) => {
    const v = ex(ins.value);
    const cmd = [...st.shell, '#(nop) ', `MAINTAINER ${v}`];
    if (await h.probe(st, cmd)) return;
    st.file.author = v;
    return h.commit(st, cmd, null);
  },
  workdir,
  user: (h, st, ins, ex) => {
    const u = ex(ins.value);
    return h.metaStep(st, `USER ${u}`, (cc) => (cc.User = u));
  },
  stopsignal: (h, st, ins, ex) => {
    const s = ex(ins.value);
    return h.metaStep(st, `STOPSIGNAL ${s}`, (cc) => (cc.StopSignal = s));
  },
  expose: (h, st, ins, _ex, env) => {
    const ports = exposedPorts(expandWords(ins.words, env, h.p.escape));
    return h.metaStep(st, `EXPOSE ${ports.join(' ')}`, (cc) => {
      cc.ExposedPorts = { ...(cc.ExposedPorts ?? {}) };
      for (const pt of ports) cc.ExposedPorts[pt] = {};
    });
  },
  volume: (h, st, ins, ex, env) => {
    const vols = ins.json ? ins.json.map(ex) : expandWords(ins.words, env, h.p.escape);
    for (const v of vols) if (!v.trim()) throw invalid('VOLUME specified can not be an empty string');
    return h.metaStep(st, `VOLUME [${vols.join(' ')}]`, (cc) => {
      cc.Volumes = { ...(cc.Volumes ?? {}) };
      for (const v of vols) cc.Volumes[v] = {};
    });
  },
  cmd: (h, st, ins) => {
    const cmd = ins.json ?? [...st.shell, ins.shell];
    st.cmdSet = true;
    return h.metaStep(st, `CMD ${goQuote(cmd)}`, (cc) => (cc.Cmd = cmd));
  },
  entrypoint: (h, st, ins) => {
    const ep = ins.json ?? [...st.shell, ins.shell];
    const cmdSet = st.cmdSet;
    return h.metaStep(st, `ENTRYPOINT ${goQuote(ep)}`, (cc) => {
      cc.Entrypoint = ep.length ? ep : null;
      if (!cmdSet) cc.Cmd = null; // an ENTRYPOINT resets an inherited CMD
    });
  },
  shell: (h, st, ins) => {
    st.shell = ins.args;
    return h.metaStep(st, `SHELL [${ins.args.join(' ')}]`, (cc) => (cc.Shell = ins.args));
  },
  healthcheck: (h, st, ins) => {
    const hc: NonNullable<ContainerConfig['Healthcheck']> = { Test: ins.test };
    if (ins.interval !== undefined) hc.Interval = ins.interval;
    if (ins.timeout !== undefined) hc.Timeout = ins.timeout;
    if (ins.startPeriod !== undefined) hc.StartPeriod = ins.startPeriod;
    if (ins.startInterval !== undefined) hc.StartInterval = ins.startInterval;
    if (ins.retries !== undefined) hc.Retries = ins.retries;
    return h.metaStep(st, `HEALTHCHECK ${JSON.stringify(hc)}`, (cc) => (cc.Healthcheck = hc));
  },
  onbuild: (h, st, ins) => {
    const expr = ins.expr.replace(/^\S+/, (w) => w.toUpperCase());
    return h.metaStep(st, `ONBUILD ${expr}`, (cc) => (cc.OnBuild = [...(cc.OnBuild ?? []), expr]));
  },
};

/** Runs a config-only instruction (every kind but RUN, COPY and ADD). */
export function metaInstruction(
  h: MetaHost,
  st: State,
  ins: InsOf<MetaKind>,
  ex: (s: string) => string,
  env: Map<string, string>,
): Promise<void> {
  const handler = HANDLERS[ins.kind] as Handler<typeof ins.kind>;
  return handler(h, st, ins, ex, env);
}
