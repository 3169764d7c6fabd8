// `compose run` and `compose exec`: a one-off container of a service, a command in a running one.
import { ClientError } from '../../client/client-error.js';
import { execSession } from '../commands/exec-session.js';
import { get, type Parsed } from '../flags/parser.js';
import { parseEnv, type parsePublish } from '../opts/run-opts.js';
import { pump } from '../streams.js';
import type { ComposeCommand } from './context.js';
import { ComposeError } from './load.js';
import * as ops from './ops.js';
import { keyValueMap } from '../opts/key-value.js';
import { flagTable } from '../flags/table.js';

export const exec: ComposeCommand = {
  usage: 'exec [OPTIONS] SERVICE COMMAND [ARGS...]',
  desc: 'Execute a command in a running container',
  stopAtArg: true,
  flags: flagTable(`
    detach,d       bool
    no-TTY,T       bool       Disable pseudo-TTY allocation
    env,e          list
    user,u         string
    workdir,w      string
    privileged     bool
    index          int=1
    interactive,i  bool=true
    tty,t          bool=true
  `),
  async run(x, p) {
    const [svc, ...cmd] = p.args;
    if (!svc || cmd.length === 0) throw new ComposeError('exec requires at least 2 arguments: SERVICE COMMAND');
    const proj = x.load();
    ops.serviceByName(proj, svc);
    const cs = (await ops.projectContainers(x.c, proj.name, { service: svc, all: false })).filter(
      (c) => ops.numberOf(c) === get.int(p, 'index'),
    );
    if (!cs.length) throw new ComposeError(`service "${svc}" is not running`);
    const detach = get.bool(p, 'detach');
    return execSession(x.c, x.cli.io, cs[0].Id, {
      cmd,
      detach,
      tty: !get.bool(p, 'no-TTY') && get.bool(p, 'tty') && (x.cli.io.stdin as { isTTY?: boolean }).isTTY === true,
      stdin: !detach && get.bool(p, 'interactive'),
      user: get.str(p, 'user'),
      privileged: get.bool(p, 'privileged'),
      env: parseEnv(get.list(p, 'env'), []),
      workdir: get.str(p, 'workdir'),
    });
  },
};

export const run: ComposeCommand = {
  usage: 'run [OPTIONS] SERVICE [COMMAND] [ARGS...]',
  desc: 'Run a one-off command on a service',
  stopAtArg: true,
  flags: flagTable(`
    detach,d       bool
    rm             bool       Automatically remove the container when it exits
    no-TTY,T       bool
    env,e          list
    label,l        list
    user,u         string
    workdir,w      string
    entrypoint     string
    name           string
    no-deps        bool
    publish,p      list
    service-ports  bool
    volume,v       list
    build          bool
    interactive,i  bool=true
  `),
  async run(x, p) {
    const [svc, ...cmd] = p.args;
    if (!svc) throw new ComposeError('run requires at least 1 argument: SERVICE');
    const proj = x.load([svc]);
    const s = ops.serviceByName(proj, svc);
    const deps = ops
      .orderServices(proj, [svc])
      .filter((d) => d.name !== svc)
      .map((d) => d.name);
    if (!get.bool(p, 'no-deps') && deps.length) await ops.up(x.c, proj, x.out, { services: deps });
    else {
      const nets = new Set(Object.keys(s.networks));
      const vols = new Set(s.volumes.filter((v) => v.type === 'volume' && v.source).map((v) => v.source!));
      await ops.ensureNetworks(x.c, proj, x.out, nets);
      await ops.ensureVolumes(x.c, proj, x.out, vols);
    }
    await ops.ensureImage(x.c, proj, s, x.out, { build: get.bool(p, 'build') });
    const detach = get.bool(p, 'detach');
    const tty = !get.bool(p, 'no-TTY') && !detach && (x.cli.io.stdin as { isTTY?: boolean }).isTTY === true;
    const stdin = !detach && get.bool(p, 'interactive');
    const suffix = Math.random().toString(16).slice(2, 14);
    const name = get.str(p, 'name') || `${proj.name}-${svc}-run-${suffix}`;
    const { parsePublish } = await import('../opts/run-opts.js');
    const id = await ops.createContainer(x.c, proj, s, 1, x.out, {
      oneoff: true,
      name,
      patch: (b) => patchOneOff(b, p, { cmd, tty, stdin, detach, parsePublish }),
    });
    if (detach) {
      await x.c.containerStart(id);
      x.cli.io.stdout.write(`${name}\n`);
      return 0;
    }
    const h = await x.c.containerAttach(id, { stream: true, stdin, stdout: true, stderr: true });
    const { result } = await x.c.containerWaitBegin(id, get.bool(p, 'rm') ? 'removed' : 'next-exit');
    result.catch(() => {});
    const streaming = pump(x.cli.io, h, { tty, stdin, resize: (r, c) => x.c.containerResize(id, r, c) });
    await x.c.containerStart(id);
    await streaming;
    try {
      return (await result).StatusCode;
    } catch (e) {
      if (e instanceof ClientError && e.status === 404) return 0;
      throw e;
    }
  },
};

/** The service's create body as `compose run`'s flags change it (b is the body containerPlan made). */
function patchOneOff(
  b: Record<string, unknown>,
  p: Parsed,
  o: { cmd: string[]; tty: boolean; stdin: boolean; detach: boolean; parsePublish: typeof parsePublish },
): void {
  if (o.cmd.length) b.Cmd = o.cmd;
  const ep = get.str(p, 'entrypoint');
  if (ep) b.Entrypoint = [ep];
  if (get.str(p, 'user')) b.User = get.str(p, 'user');
  if (get.str(p, 'workdir')) b.WorkingDir = get.str(p, 'workdir');
  b.Env = overrideEnv((b.Env as string[]) ?? [], parseEnv(get.list(p, 'env'), []));
  Object.assign(b.Labels as Record<string, string>, keyValueMap(get.list(p, 'label')));
  b.Tty = o.tty;
  b.OpenStdin = o.stdin;
  b.StdinOnce = o.stdin;
  b.AttachStdin = o.stdin;
  b.AttachStdout = !o.detach;
  b.AttachStderr = !o.detach;
  const hc = b.HostConfig as Record<string, unknown>;
  hc.AutoRemove = get.bool(p, 'rm');
  if (!get.bool(p, 'service-ports')) hc.PortBindings = {};
  if (get.list(p, 'publish').length) hc.PortBindings = o.parsePublish(get.list(p, 'publish')).bindings;
  hc.Binds = [...((hc.Binds as string[]) ?? []), ...get.list(p, 'volume')];
}

/**
 * `run -e KEY=v` replaces the service's KEY (compose's OverrideBy): a second entry would not win,
 * as a process's getenv finds the first. `-e KEY` alone was resolved from the caller's environment.
 */
export function overrideEnv(base: readonly string[], over: readonly string[]): string[] {
  const key = (e: string) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e);
  const replaced = new Set(over.map(key));
  return [...base.filter((e) => !replaced.has(key(e))), ...over];
}
