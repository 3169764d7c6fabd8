// The state a build carries from step to step, the cache's comparison of run configs, and the
// seam (StepHost) through which the RUN and COPY/ADD steps reach the build they belong to.
import { createHash } from 'node:crypto';
import type { LayerRecord } from '../../images/store.js';
import type { ContainerConfig, ImageConfigFile } from '../../images/types.js';
import type { ParsedFile } from '../dockerfile/instructions.js';
import type { CacheMounts } from './cache-mounts.js';
import type { BuildContext } from './context.js';
import type { BuilderDeps, BuildOptions } from './options.js';
import type { ContainerLayerPort } from './ports.js';

export interface State {
  imageId: string; // '' while FROM scratch has produced nothing yet
  file: ImageConfigFile;
  layers: LayerRecord[];
  args: Map<string, string | undefined>;
  shell: string[];
  cmdSet: boolean;
}

export const PROXY_ARGS = new Set([
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
]);
export const DEFAULT_SHELL = ['/bin/sh', '-c'];
/** Prefix of the build's snapshots and scratch directories (swept after a crash). */
export const BUILD_SNAP = 'build-';
export const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');
const norm = (v: unknown) =>
  v == null || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v as object).length === 0)
    ? null
    : v;

/** What the cache compares (Docker's compare of two run configs). */
export function cacheKey(c: ContainerConfig): string {
  return JSON.stringify([
    c.Cmd,
    norm(c.Env),
    norm(c.Entrypoint),
    c.WorkingDir ?? '',
    c.User ?? '',
    norm(c.Labels),
    norm(c.ExposedPorts),
    norm(c.Volumes),
    norm(c.OnBuild),
    norm(c.Shell),
    c.StopSignal ?? '',
    c.Healthcheck ?? null,
  ]);
}

/** The variables word expansion sees: the stage's ARGs, overridden by its ENV. */
export function envMap(st: State): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of st.args) if (v !== undefined) m.set(k, v);
  for (const e of st.file.config.Env ?? []) {
    const i = e.indexOf('=');
    m.set(i < 0 ? e : e.slice(0, i), i < 0 ? '' : e.slice(i + 1));
  }
  return m;
}

export function setEnv(c: ContainerConfig, k: string, v: string): void {
  const env = (c.Env ?? []).filter((e) => e.split('=', 1)[0] !== k);
  env.push(`${k}=${v}`);
  c.Env = env;
}

/** Go's %q of a string slice, as the classic builder writes CMD/ENTRYPOINT into history. */
export function goQuote(a: string[]): string {
  return '[' + a.map((s) => JSON.stringify(s)).join(' ') + ']';
}

/** What a step needs of its build: options, context, earlier stages, output, and the commit/cache steps. */
export interface StepHost {
  readonly d: BuilderDeps;
  readonly layers: ContainerLayerPort;
  readonly o: BuildOptions;
  readonly ctx: BuildContext;
  readonly p: ParsedFile;
  readonly work: string;
  readonly signal: AbortSignal;
  readonly cache: CacheMounts;
  readonly results: Map<number, State>;
  /** Mount points to unmount when the build ends. */
  readonly mounts: string[];
  say(s: string): void;
  checkAbort(): void;
  buildArg(name: string): string | undefined;
  stageIndex(ref: string, before: number): number | null;
  probe(st: State, cmd: string[], mutate?: (c: ContainerConfig) => void): Promise<boolean>;
  commit(
    st: State,
    cacheCmd: string[],
    layer: LayerRecord | null,
    o?: { container?: string; createdBy?: string },
  ): Promise<void>;
  fsStep(st: State, cmd: string[], fn: (root: string, noOpaque: () => void) => Promise<void>): Promise<void>;
  layerFrom(
    upper: string,
    parent: string | null,
    commit?: (name: string) => Promise<void>,
    opaque?: boolean,
  ): Promise<LayerRecord | null>;
}
