// create, run, start, attach, exec: the commands that stream a container's stdio.
import type { Client } from '../../client/client.js';
import { ClientError } from '../../client/client-error.js';
import type { CreateSpec } from '../opts/run-opts.js';
import { buildCreate, createFlags, OptError, runOnlyFlags } from '../opts/run-opts.js';
import type { Command, CliContext } from '../command.js';
import { StatusError, errText } from '../command.js';
import { forEach } from './common.js';
import { get, type Parsed } from '../flags/parser.js';
import { PassThrough } from 'node:stream';
import { pump } from '../streams.js';
import { displayJSONMessages } from '../progress.js';
import { splitRef, withTag } from '../format/images.js';
import { execSession } from './exec-session.js';
import { flagTable } from '../flags/table.js';

async function pullImage(ctx: CliContext, image: string, quiet = false): Promise<void> {
  const r = splitRef(withTag(image));
  const res = await ctx
    .client()
    .imageCreate(r.digest ? { fromImage: `${r.repo}@${r.digest}` } : { fromImage: r.repo, tag: r.tag });
  if (quiet) {
    await displayJSONMessages(res, new PassThrough().resume());
  } else await displayJSONMessages(res, ctx.io.stderr);
}

/** Create, pulling the image first when the daemon does not have it (--pull missing/always/never). */
async function createContainer(ctx: CliContext, spec: CreateSpec, pull: string, quiet: boolean): Promise<string> {
  const c = ctx.client();
  const image = spec.body.Image ?? '';
  const q = { name: spec.name || undefined, platform: spec.platform || undefined };
  if (pull === 'always') await pullImage(ctx, image, quiet);
  let res;
  try {
    res = await c.containerCreate(spec.body, q);
  } catch (e) {
    if (!(e instanceof ClientError) || e.status !== 404 || !/No such image/i.test(e.message) || pull === 'never')
      throw e;
    if (!quiet) ctx.io.stderr.write(`Unable to find image '${withTag(image)}' locally\n`);
    await pullImage(ctx, image, quiet).catch((pe: Error) => {
      throw pe instanceof ClientError ? pe : new ClientError(500, pe.message);
    });
    res = await c.containerCreate(spec.body, q);
  }
  for (const w of res.Warnings ?? []) ctx.io.stderr.write(`WARNING: ${w}\n`);
  return res.Id;
}

/** runStartContainerErr: 127 for a missing executable, 126 when it cannot be invoked, else 125. */
export function startErrorCode(message: string): number {
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message))
    return 127;
  if (/permission denied|is a directory/.test(message)) return 126;
  return 125;
}

function runFail(ctx: CliContext, cmd: string, e: unknown, code = 125): StatusError {
  return new StatusError(code, `${ctx.prog}: ${errText(e)}\n\nRun '${ctx.prog} ${cmd} --help' for more information`);
}

function specFrom(ctx: CliContext, p: Parsed, detach: boolean, cmd: string): CreateSpec {
  try {
    return buildCreate(p, p.args, detach);
  } catch (e) {
    if (e instanceof OptError || e instanceof Error) throw runFail(ctx, cmd, e);
    throw e;
  }
}

export const create: Command = {
  usage: 'container create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  desc: 'Create a new container',
  flags: createFlags,
  stopAtArg: true,
  args: { min: 1 },
  async run(ctx, p) {
    const spec = specFrom(ctx, p, true, 'create');
    try {
      const id = await createContainer(ctx, spec, get.str(p, 'pull'), get.bool(p, 'quiet'));
      ctx.io.stdout.write(id + '\n');
      return 0;
    } catch (e) {
      throw runFail(ctx, 'create', e);
    }
  },
};

/** Attach, register the wait, start, then stream until the container's output ends. */
async function startAttached(
  ctx: CliContext,
  c: Client,
  id: string,
  o: {
    tty: boolean;
    stdin: boolean;
    stdout: boolean;
    stderr: boolean;
    detachKeys: string;
    waitCond: 'next-exit' | 'removed';
    start: boolean;
    cmd: string;
  },
): Promise<number> {
  const h = await c.containerAttach(id, {
    stream: true,
    stdin: o.stdin,
    stdout: o.stdout,
    stderr: o.stderr,
    detachKeys: o.detachKeys || undefined,
  });
  const { result } = await c.containerWaitBegin(id, o.waitCond);
  result.catch(() => {});
  const streaming = pump(ctx.io, h, {
    tty: o.tty,
    stdin: o.stdin,
    detachKeys: o.detachKeys,
    resize: (rows, cols) => c.containerResize(id, rows, cols),
  });
  if (o.start) {
    try {
      await c.containerStart(id);
    } catch (e) {
      h.socket.destroy();
      await streaming;
      throw runFail(ctx, o.cmd, e, startErrorCode(e instanceof Error ? e.message : String(e)));
    }
  }
  const { detached } = await streaming;
  if (detached) return 0;
  try {
    const r = await result;
    if (r.Error?.Message) ctx.io.stderr.write(`${ctx.prog}: ${r.Error.Message}\n`);
    return r.StatusCode;
  } catch (e) {
    // --rm raced the wait: the container is gone; report what the daemon said.
    if (e instanceof ClientError && e.status === 404) return 0;
    throw e;
  }
}

export const run: Command = {
  usage: 'container run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  desc: 'Create and run a new container from an image',
  flags: [...createFlags, ...runOnlyFlags],
  stopAtArg: true,
  args: { min: 1 },
  async run(ctx, p) {
    const detach = get.bool(p, 'detach');
    const spec = specFrom(ctx, p, detach, 'run');
    const c = ctx.client();
    let id: string;
    try {
      id = await createContainer(ctx, spec, get.str(p, 'pull'), get.bool(p, 'quiet'));
    } catch (e) {
      throw runFail(ctx, 'run', e);
    }
    if (detach) {
      try {
        await c.containerStart(id);
      } catch (e) {
        throw runFail(ctx, 'run', e, startErrorCode(e instanceof Error ? e.message : String(e)));
      }
      ctx.io.stdout.write(id + '\n');
      return 0;
    }
    return startAttached(ctx, c, id, {
      tty: spec.body.Tty === true,
      stdin: spec.body.AttachStdin === true,
      stdout: spec.body.AttachStdout !== false,
      stderr: spec.body.AttachStderr !== false,
      detachKeys: get.str(p, 'detach-keys'),
      waitCond: spec.body.HostConfig?.AutoRemove ? 'removed' : 'next-exit',
      start: true,
      cmd: 'run',
    });
  },
};

export const start: Command = {
  usage: 'container start [OPTIONS] CONTAINER [CONTAINER...]',
  desc: 'Start one or more stopped containers',
  flags: flagTable(`
    attach,a       bool    Attach STDOUT/STDERR and forward signals
    interactive,i  bool    Attach container's STDIN
    detach-keys    string
  `),
  args: { min: 1 },
  async run(ctx, p) {
    const c = ctx.client();
    if (get.bool(p, 'attach') || get.bool(p, 'interactive')) {
      if (p.args.length > 1) throw new StatusError(1, 'you cannot start and attach multiple containers at once');
      const info = await c.containerInspect(p.args[0]);
      return startAttached(ctx, c, info.Id, {
        tty: info.Config.Tty === true,
        stdin: get.bool(p, 'interactive') && info.Config.OpenStdin === true,
        stdout: true,
        stderr: true,
        detachKeys: get.str(p, 'detach-keys'),
        waitCond: 'next-exit',
        start: true,
        cmd: 'start',
      });
    }
    const code = await forEach(ctx, p.args, (r) => c.containerStart(r));
    if (code !== 0) ctx.io.stderr.write(`Error: failed to start containers: ${p.args.join(', ')}\n`);
    return code;
  },
};

export const attach: Command = {
  usage: 'container attach [OPTIONS] CONTAINER',
  desc: 'Attach local standard input, output, and error streams to a running container',
  flags: flagTable(`
    detach-keys  string
    no-stdin     bool
    sig-proxy    bool=true
  `),
  args: { min: 1, max: 1 },
  async run(ctx, p) {
    const c = ctx.client();
    const info = await c.containerInspect(p.args[0]);
    if (!info.State.Running) throw new StatusError(1, 'You cannot attach to a stopped container, start it first');
    if (info.State.Paused) throw new StatusError(1, 'You cannot attach to a paused container, unpause it first');
    if (info.State.Restarting)
      throw new StatusError(1, 'You cannot attach to a restarting container, wait until it is running');
    const stdin = !get.bool(p, 'no-stdin') && info.Config.OpenStdin === true;
    const h = await c.containerAttach(info.Id, {
      stream: true,
      stdin,
      stdout: true,
      stderr: true,
      detachKeys: get.str(p, 'detach-keys') || undefined,
    });
    const { detached } = await pump(ctx.io, h, {
      tty: info.Config.Tty === true,
      stdin,
      detachKeys: get.str(p, 'detach-keys'),
      resize: (rows, cols) => c.containerResize(info.Id, rows, cols),
    });
    // docker attach reports the detach as its error (run -it and start -ai detach silently)
    if (detached) throw new StatusError(1, 'read escape sequence');
    const r = await c.containerWait(info.Id, 'not-running');
    return r.StatusCode;
  },
};

export const exec: Command = {
  usage: 'container exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  desc: 'Execute a command in a running container',
  flags: flagTable(`
    detach,d       bool
    interactive,i  bool
    tty,t          bool
    env,e          list
    env-file       list
    workdir,w      string
    user,u         string
    privileged     bool
    detach-keys    string
  `),
  stopAtArg: true,
  args: { min: 2 },
  async run(ctx, p) {
    const [container, ...cmd] = p.args;
    const detach = get.bool(p, 'detach');
    const { parseEnv } = await import('../opts/run-opts.js');
    return execSession(ctx.client(), ctx.io, container, {
      cmd,
      detach,
      tty: get.bool(p, 'tty'),
      stdin: get.bool(p, 'interactive') && !detach,
      user: get.str(p, 'user'),
      privileged: get.bool(p, 'privileged'),
      env: parseEnv(get.list(p, 'env'), get.list(p, 'env-file')),
      workdir: get.str(p, 'workdir'),
      detachKeys: get.str(p, 'detach-keys'),
    });
  },
};
