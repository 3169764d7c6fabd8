// RUN: the step's container through the engine (RunPort), its `--mount`s as binds, and its upper
// dir committed as the layer.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { invalid } from '../../errdefs.js';
import { secureJoin } from '../../storage/fsutil/securejoin.js';
import { initArtifacts } from '../../storage/layers/init-artifacts.js';
import { expandWord } from '../dockerfile/expand.js';
import type { Instruction } from '../dockerfile/instructions.js';
import { envMap, PROXY_ARGS, short, type State, type StepHost } from './build-state.js';
import { sumSources } from './copy.js';
import { RunFailedError } from './options.js';
import { dropMountStubs, parseRunMount } from './run-mounts.js';
import { sourceRoot } from './source-root.js';

type RunMount = ReturnType<typeof parseRunMount>;
type RunIns = Extract<Instruction, { kind: 'run' }>;

/** What the step runs, and the environment its build args give it (part of the cache key). */
function commandOf(h: StepHost, st: State, ins: RunIns): { args: string[]; argEnv: string[]; proxies: string[] } {
  let args: string[];
  if (ins.json) args = ins.json;
  else if (ins.heredocs.length && /^<<-?\s*["']?[A-Za-z_][A-Za-z0-9_]*["']?\s*$/.test(ins.shell.trim()))
    args = [...st.shell, ins.heredocs[0].content];
  else if (ins.heredocs.length)
    args = [...st.shell, ins.shell + '\n' + ins.heredocs.map((x) => x.content + x.name).join('\n')];
  else args = [...st.shell, ins.shell];
  // Build args reach RUN as environment; they are part of the cache key (Docker's "|N k=v" prefix).
  const envKeys = new Set((st.file.config.Env ?? []).map((e) => e.split('=', 1)[0]));
  const argEnv = [...st.args]
    .filter(([k, v]) => v !== undefined && !envKeys.has(k))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`);
  const proxies = Object.keys(h.o.buildArgs).filter(
    (k) => PROXY_ARGS.has(k) && !st.args.has(k) && h.buildArg(k) !== undefined,
  );
  return { args, argEnv, proxies };
}

export async function runStep(h: StepHost, st: State, ins: RunIns): Promise<void> {
  if (!st.imageId) throw invalid('Please provide a source image with `from` prior to run');
  const { args, argEnv, proxies } = commandOf(h, st, ins);
  const mounts = ins.mounts.map((m) => parseRunMount(expandWord(m, envMap(st), h.p.escape)));
  // what a bind mount shows is part of the step's cache key (BuildKit does the same)
  const mountKeys: string[] = [];
  for (const [i, m] of mounts.entries())
    mountKeys.push(`--mount=${ins.mounts[i]}` + (m.type === 'bind' ? `;${await bindSum(h, m, envMap(st))}` : ''));
  const keyed = [...mountKeys, ...args];
  const saveCmd = argEnv.length ? [`|${argEnv.length}`, ...argEnv, ...keyed] : keyed;
  if (await h.probe(st, saveCmd)) return;
  const binds: string[] = [];
  const releases: Array<() => void> = [];
  try {
    for (const m of mounts) binds.push(await runMountBind(h, m, envMap(st), releases, args.join(' ')));
    const env = [...(st.file.config.Env ?? []), ...argEnv, ...proxies.map((k) => `${k}=${h.buildArg(k)}`)];
    await runContainer(h, st, {
      args,
      env,
      saveCmd,
      network: ins.network,
      binds,
      targets: mounts.map((m) => m.target),
    });
  } finally {
    for (const r of releases) r();
  }
}

async function bindSum(h: StepHost, m: RunMount, env: Map<string, string>): Promise<string> {
  if (!m.from) {
    const rel = posix.resolve('/', m.source || '/').slice(1);
    if (rel && !h.ctx.files.has(rel)) throw invalid(`failed to compute cache key: "/${rel}" not found`);
    return 'sum=' + (await sumSources(h.ctx.dir, [rel], h.ctx.files));
  }
  const ref = expandWord(m.from, env, h.p.escape);
  const si = h.stageIndex(ref, Number.MAX_SAFE_INTEGER);
  if (si !== null) return 'from=' + (h.results.get(si)?.imageId ?? ref);
  return (
    'from=' +
    (await h.d.images.resolve(ref).then(
      (i) => i.id,
      () => ref,
    )) +
    ':' +
    m.source
  );
}

/** A `--mount` as a `host:ctr[:ro]` bind: the cache's directory, or a path of the context / a stage / an image. */
async function runMountBind(
  h: StepHost,
  m: RunMount,
  env: Map<string, string>,
  releases: Array<() => void>,
  command: string,
): Promise<string> {
  const suffix = m.readOnly ? ':ro' : '';
  if (m.type === 'cache') {
    const seed = m.from
      ? async (dir: string) => {
          const { root } = await sourceRoot(h, m.from, env);
          await cpA(await secureJoin(root, m.source || '/'), dir);
        }
      : undefined;
    const { dir, release } = await h.cache.acquire(m, `cached mount ${m.target} from exec ${command}`, seed);
    releases.push(release);
    return `${dir}:${m.target}${suffix}`;
  }
  const { root, files } = await sourceRoot(h, m.from, env);
  if (files) await h.ctx.materialize();
  let src = await secureJoin(root, m.source || '/');
  if (!(await lstat(src).catch(() => null)))
    throw invalid(`failed to compute cache key: "${posix.resolve('/', m.source)}" not found`);
  if (!m.readOnly) {
    // rw binds see writes during the RUN only: they go to a scratch copy
    const copy = join(h.work, 'bind-' + randomBytes(6).toString('hex'));
    await mkdir(copy, { recursive: true });
    const isDir = (await stat(src)).isDirectory();
    await cpA(src, isDir ? copy : join(copy, 'f'));
    src = isDir ? copy : join(copy, 'f');
  }
  return `${src}:${m.target}${suffix}`;
}

interface RunJob {
  args: string[];
  env: string[];
  saveCmd: string[];
  network: string | undefined;
  binds: string[];
  targets: string[];
}

async function runContainer(h: StepHost, st: State, job: RunJob): Promise<void> {
  const { o, signal } = h;
  const removeOnFailure = async (cid: string) => {
    if (cid && (o.forceRm || signal.aborted)) await h.d.runner.remove(cid).catch(() => {});
  };
  let cid = '';
  const spec = {
    image: st.imageId,
    cmd: job.args,
    env: job.env,
    workdir: st.file.config.WorkingDir,
    user: st.file.config.User,
    networkMode: job.network === 'none' ? 'none' : job.network === 'host' ? 'host' : o.networkMode,
    extraHosts: o.extraHosts,
    binds: job.binds,
    ...(o.resources ? { resources: o.resources } : {}),
  };
  const hooks = {
    created: (id: string) => {
      cid = id;
      h.say(` ---> Running in ${short(id)}\n`);
    },
    // moby's streamformatter: stderr in bright red (aec.RedF)
    output: (chunk: Buffer, stream: 'stdout' | 'stderr') =>
      h.say(stream === 'stderr' ? `\x1b[91m${chunk.toString('utf8')}\x1b[0m` : chunk.toString('utf8')),
  };
  const code = await h.d.runner.run(spec, hooks, signal).catch(async (e: unknown) => {
    await removeOnFailure(cid);
    throw e;
  });
  if (code !== 0 || signal.aborted) {
    await removeOnFailure(cid);
    h.checkAbort();
    throw new RunFailedError(`The command '${job.args.join(' ')}' returned a non-zero code: ${code}`, code);
  }
  try {
    await commitContainer(h, st, cid, job);
  } catch (e) {
    await removeOnFailure(cid);
    throw e;
  }
}

/** The stopped container's upper dir becomes the step's layer; the container goes (unless --rm=false). */
async function commitContainer(h: StepHost, st: State, cid: string, job: RunJob): Promise<void> {
  const upper = await h.layers.upperDir(cid);
  await dropMountArtifacts(upper);
  await dropMountStubs(upper, job.targets);
  const parent = st.layers[st.layers.length - 1]?.chainId ?? null;
  // a container that is removed next gives its root filesystem snapshot to the layer
  const removed = h.o.rm || h.o.forceRm;
  const commitRootfs = h.layers.commitRootfs?.bind(h.layers);
  const give = removed && commitRootfs ? (name: string) => commitRootfs(cid, name) : undefined;
  const layer = await h.layerFrom(upper, parent, give);
  h.checkAbort();
  if (removed) {
    h.say(`Removing intermediate container ${short(cid)}\n`);
    await h.d.runner.remove(cid);
  }
  await h.commit(st, job.saveCmd, layer, { container: cid });
}

/** `cp -a`: a directory's contents (or a file) with owners, modes and links kept. */
async function cpA(from: string, to: string): Promise<void> {
  const isDir = (await stat(from)).isDirectory();
  await promisify(execFile)('cp', ['-a', '--', isDir ? from + '/.' : from, to]);
}

/** What only running left in the layer (runc's mount targets, /.dockerenv, the /etc/mtab link) is not a RUN's change. */
async function dropMountArtifacts(upper: string): Promise<void> {
  const found = [...(await initArtifacts(upper))];
  // files first, then an /etc that held only them
  for (const rel of found.sort((a, b) => b.length - a.length))
    await rm(join(upper, rel), { recursive: true, force: true });
}
