// `berth compose …`: Compose v2 command line over the Engine API client.
import { stringify } from 'yaml';
import type { Client } from '../../client/client.js';
import { ClientError } from '../../client/client-error.js';
import type { ContainerSummary } from '../../client/types.js';
import type { CliContext } from '../command.js';
import { FlagError, flagHelp, get, parseFlags, type FlagSpec, type Parsed } from '../flags/parser.js';
import { displayablePorts } from '../format/containers.js';
import { tabwrite } from '../format/tabwriter.js';
import { timeAgo } from '../format/units.js';
import { consoleSize, pump } from '../streams.js';
import { imageName, L } from './convert.js';
import { ComposeError, loadProject, type LoadOptions } from './load.js';
import { logName, streamLogs } from './logs.js';
import * as ops from './ops.js';
import type { Project } from './types.js';

interface Sub {
  usage: string;
  desc: string;
  flags: FlagSpec[];
  /** Stop flag parsing at the first positional (exec, run). */
  stopAtArg?: boolean;
  run(x: Ctx, p: Parsed): Promise<number>;
}

interface Ctx {
  cli: CliContext;
  c: Client;
  load(services?: string[]): Project;
  out: ops.Out;
}

const globalFlags: FlagSpec[] = [
  { name: 'file', short: 'f', type: 'list', help: 'Compose configuration files' },
  { name: 'project-name', short: 'p', type: 'string', help: 'Project name' },
  { name: 'project-directory', type: 'string', help: 'Specify an alternate working directory' },
  { name: 'env-file', type: 'list', help: 'Specify an alternate environment file' },
  { name: 'profile', type: 'list', help: 'Specify a profile to enable' },
  { name: 'ansi', type: 'string', default: 'auto', help: 'Control when to print ANSI control characters' },
  { name: 'progress', type: 'string', default: 'auto' },
  { name: 'compatibility', type: 'bool' },
  { name: 'parallel', type: 'int', default: -1 },
  { name: 'help', type: 'bool' },
];

const timeoutFlag: FlagSpec = { name: 'timeout', short: 't', type: 'int', default: -1, help: 'Specify a shutdown timeout in seconds' };

function scaleMap(list: string[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const s of list) {
    const i = s.indexOf('=');
    const n = Number(s.slice(i + 1));
    if (i < 0 || !Number.isInteger(n) || n < 0) throw new ComposeError(`invalid scale specifier: ${s}`);
    m[s.slice(0, i)] = n;
  }
  return m;
}

const t = (p: Parsed) => (get.int(p, 'timeout') >= 0 ? { t: get.int(p, 'timeout') } : {});

async function forEach(x: Ctx, p: Parsed, fn: (c: ContainerSummary) => Promise<void>, o: { oneoff?: boolean | 'any' } = {}): Promise<void> {
  const proj = x.load();
  // no names: every service of the file, profiles or not (containers of a disabled profile still belong to it)
  const names = p.args.length ? p.args : [...proj.services, ...proj.disabled].map((s) => s.name);
  for (const n of p.args) ops.serviceByName(proj, n);
  const order = ops.orderServices(proj, names).map((s) => s.name);
  const cs = (await ops.projectContainers(x.c, proj.name, { oneoff: o.oneoff })).filter((c) => names.includes(c.Labels?.[L.service] ?? ''));
  cs.sort((a, b) => order.indexOf(a.Labels?.[L.service] ?? '') - order.indexOf(b.Labels?.[L.service] ?? ''));
  for (const c of cs) await fn(c);
}

/** Foreground `up`: print every container's logs until they all exit; Ctrl-C stops the project. */
async function attachForeground(x: Ctx, proj: Project, ids: string[], timeout: { t?: number }): Promise<number> {
  const cs = (await ops.projectContainers(x.c, proj.name)).filter((c) => ids.includes(c.Id));
  const ac = new AbortController();
  let stopping = false;
  const onInt = () => {
    if (stopping) process.exit(130);
    stopping = true;
    x.cli.io.stderr.write('Gracefully stopping... (press Ctrl+C again to force)\n');
    void Promise.all(cs.map((c) => x.c.containerStop(c.Id, timeout).catch(() => {}))).then(() => ac.abort());
  };
  process.on('SIGINT', onInt);
  const color = (x.cli.io.stdout as { isTTY?: boolean }).isTTY === true;
  const logs = streamLogs(x.c, cs, x.cli.io.stdout, { follow: true, color, tail: 'all', signal: ac.signal });
  let code = 0;
  await Promise.all(
    cs.map(async (c) => {
      const r = await x.c.containerWait(c.Id, 'not-running').catch(() => ({ StatusCode: 0 }));
      x.cli.io.stdout.write(`${logName(c)} exited with code ${r.StatusCode}\n`);
      code ||= r.StatusCode;
    }),
  );
  await Promise.race([logs.catch(() => {}), new Promise((r) => setTimeout(r, 500))]);
  ac.abort();
  process.off('SIGINT', onInt);
  return stopping ? 130 : code;
}

async function waitRunning(x: Ctx, ids: string[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const id of ids) {
    for (;;) {
      const i = await x.c.containerInspect(id);
      const h = (i.State as { Health?: { Status?: string } }).Health?.Status;
      if (!i.State.Running) throw new ComposeError(`container ${i.Name.replace(/^\//, '')} exited (${i.State.ExitCode})`);
      if (h === 'unhealthy') throw new ComposeError(`container ${i.Name.replace(/^\//, '')} is unhealthy`);
      if (h === undefined || h === 'healthy') break;
      if (Date.now() > deadline) throw new ComposeError(`timeout waiting for ${i.Name.replace(/^\//, '')}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

export const subcommands: Record<string, Sub> = {
  up: {
    usage: 'up [OPTIONS] [SERVICE...]',
    desc: 'Create and start containers',
    flags: [
      { name: 'detach', short: 'd', type: 'bool', help: 'Detached mode: Run containers in the background' },
      { name: 'build', type: 'bool', help: 'Build images before starting containers' },
      { name: 'no-build', type: 'bool', help: "Don't build an image, even if it's missing" },
      { name: 'scale', type: 'list', help: 'Scale SERVICE to NUM instances' },
      { name: 'force-recreate', type: 'bool' },
      { name: 'no-recreate', type: 'bool' },
      { name: 'no-deps', type: 'bool' },
      { name: 'no-start', type: 'bool' },
      { name: 'remove-orphans', type: 'bool' },
      { name: 'wait', type: 'bool', help: 'Wait for services to be running|healthy. Implies detached mode.' },
      { name: 'pull', type: 'string', help: 'Pull image before running ("always"|"missing"|"never")' },
      { name: 'quiet-pull', type: 'bool' },
      timeoutFlag,
    ],
    async run(x, p) {
      const proj = x.load(p.args);
      const ids = await ops.up(x.c, proj, x.out, {
        services: p.args,
        scale: scaleMap(get.list(p, 'scale')),
        build: get.bool(p, 'build'),
        noBuild: get.bool(p, 'no-build'),
        forceRecreate: get.bool(p, 'force-recreate'),
        noRecreate: get.bool(p, 'no-recreate'),
        noDeps: get.bool(p, 'no-deps'),
        noStart: get.bool(p, 'no-start'),
        removeOrphans: get.bool(p, 'remove-orphans'),
        pull: get.str(p, 'pull') || undefined,
      });
      if (get.bool(p, 'wait')) await waitRunning(x, ids);
      if (get.bool(p, 'detach') || get.bool(p, 'wait') || get.bool(p, 'no-start')) return 0;
      return attachForeground(x, proj, ids, t(p));
    },
  },
  down: {
    usage: 'down [OPTIONS]',
    desc: 'Stop and remove containers, networks',
    flags: [
      { name: 'volumes', short: 'v', type: 'bool', help: 'Remove named volumes declared in the "volumes" section and anonymous volumes' },
      { name: 'rmi', type: 'string', help: 'Remove images used by services. "local" remove only images that don\'t have a custom tag ("local"|"all")' },
      { name: 'remove-orphans', type: 'bool' },
      timeoutFlag,
    ],
    async run(x, p) {
      const rmi = get.str(p, 'rmi');
      if (rmi && rmi !== 'local' && rmi !== 'all') throw new ComposeError(`invalid value for --rmi: ${rmi}`);
      const timeout = get.int(p, 'timeout');
      await ops.down(x.c, x.load(), x.out, {
        volumes: get.bool(p, 'volumes'),
        rmi: rmi as 'local' | 'all' | '',
        removeOrphans: get.bool(p, 'remove-orphans'),
        timeout: timeout >= 0 ? timeout : undefined,
      });
      return 0;
    },
  },
  ps: {
    usage: 'ps [OPTIONS] [SERVICE...]',
    desc: 'List containers',
    flags: [
      { name: 'all', short: 'a', type: 'bool', help: 'Show all stopped containers' },
      { name: 'quiet', short: 'q', type: 'bool', help: 'Only display IDs' },
      { name: 'services', type: 'bool', help: 'Display services' },
      { name: 'status', type: 'list', help: 'Filter services by status' },
      { name: 'format', type: 'string', default: 'table' },
    ],
    async run(x, p) {
      const proj = x.load();
      let cs = await ops.projectContainers(x.c, proj.name, { all: get.bool(p, 'all') || get.list(p, 'status').length > 0, oneoff: 'any' });
      if (p.args.length) cs = cs.filter((c) => p.args.includes(c.Labels?.[L.service] ?? ''));
      const st = get.list(p, 'status');
      if (st.length) cs = cs.filter((c) => st.includes(c.State));
      const w = x.cli.io.stdout;
      if (get.bool(p, 'quiet')) w.write(cs.map((c) => c.Id + '\n').join(''));
      else if (get.bool(p, 'services')) w.write([...new Set(cs.map((c) => c.Labels?.[L.service] ?? ''))].map((s) => s + '\n').join(''));
      else if (get.str(p, 'format') === 'json')
        w.write(
          JSON.stringify(
            cs.map((c) => ({
              ID: c.Id, Name: ops.nameOf(c), Image: c.Image, Command: c.Command, Project: proj.name,
              Service: c.Labels?.[L.service], Created: c.Created, State: c.State, Status: c.Status, Ports: displayablePorts(c.Ports),
            })),
          ) + '\n',
        );
      else {
        const rows = cs.map((c) =>
          [ops.nameOf(c), c.Image, JSON.stringify(c.Command.length > 20 ? c.Command.slice(0, 19) + '…' : c.Command), c.Labels?.[L.service] ?? '', timeAgo(c.Created), c.Status, displayablePorts(c.Ports)].join('\t'),
        );
        w.write(tabwrite(['NAME\tIMAGE\tCOMMAND\tSERVICE\tCREATED\tSTATUS\tPORTS', ...rows].join('\n') + '\n'));
      }
      return 0;
    },
  },
  logs: {
    usage: 'logs [OPTIONS] [SERVICE...]',
    desc: 'View output from containers',
    flags: [
      { name: 'follow', short: 'f', type: 'bool', help: 'Follow log output' },
      { name: 'no-color', type: 'bool', help: 'Produce monochrome output' },
      { name: 'no-log-prefix', type: 'bool', help: "Don't print prefix in logs" },
      { name: 'timestamps', short: 't', type: 'bool', help: 'Show timestamps' },
      { name: 'tail', short: 'n', type: 'string', default: 'all', help: 'Number of lines to show from the end of the logs' },
      { name: 'since', type: 'string' },
      { name: 'until', type: 'string' },
      { name: 'index', type: 'int', default: 0 },
    ],
    async run(x, p) {
      const proj = x.load();
      for (const n of p.args) ops.serviceByName(proj, n);
      let cs = await ops.projectContainers(x.c, proj.name, { oneoff: 'any' });
      if (p.args.length) cs = cs.filter((c) => p.args.includes(c.Labels?.[L.service] ?? ''));
      if (get.int(p, 'index')) cs = cs.filter((c) => ops.numberOf(c) === get.int(p, 'index'));
      const color = !get.bool(p, 'no-color') && (x.cli.io.stdout as { isTTY?: boolean }).isTTY === true;
      const ac = new AbortController();
      const onInt = () => ac.abort();
      process.once('SIGINT', onInt);
      try {
        await streamLogs(x.c, cs, x.cli.io.stdout, {
          follow: get.bool(p, 'follow'),
          tail: get.str(p, 'tail'),
          timestamps: get.bool(p, 'timestamps'),
          since: get.str(p, 'since') || undefined,
          until: get.str(p, 'until') || undefined,
          color,
          prefix: !get.bool(p, 'no-log-prefix'),
          signal: ac.signal,
        });
      } finally {
        process.off('SIGINT', onInt);
      }
      return 0;
    },
  },
  exec: {
    usage: 'exec [OPTIONS] SERVICE COMMAND [ARGS...]',
    desc: 'Execute a command in a running container',
    stopAtArg: true,
    flags: [
      { name: 'detach', short: 'd', type: 'bool' },
      { name: 'no-TTY', short: 'T', type: 'bool', help: 'Disable pseudo-TTY allocation' },
      { name: 'env', short: 'e', type: 'list' },
      { name: 'user', short: 'u', type: 'string' },
      { name: 'workdir', short: 'w', type: 'string' },
      { name: 'privileged', type: 'bool' },
      { name: 'index', type: 'int', default: 1 },
      { name: 'interactive', short: 'i', type: 'bool', default: true },
      { name: 'tty', short: 't', type: 'bool', default: true },
    ],
    async run(x, p) {
      const [svc, ...cmd] = p.args;
      if (!svc || cmd.length === 0) throw new ComposeError('exec requires at least 2 arguments: SERVICE COMMAND');
      const proj = x.load();
      ops.serviceByName(proj, svc);
      const cs = (await ops.projectContainers(x.c, proj.name, { service: svc, all: false })).filter((c) => ops.numberOf(c) === get.int(p, 'index'));
      if (!cs.length) throw new ComposeError(`service "${svc}" is not running`);
      const detach = get.bool(p, 'detach');
      const tty = !get.bool(p, 'no-TTY') && get.bool(p, 'tty') && (x.cli.io.stdin as { isTTY?: boolean }).isTTY === true;
      const stdin = !detach && get.bool(p, 'interactive');
      const body = {
        User: get.str(p, 'user'),
        Privileged: get.bool(p, 'privileged'),
        Tty: tty,
        AttachStdin: stdin,
        AttachStdout: !detach,
        AttachStderr: !detach,
        Env: get.list(p, 'env'),
        WorkingDir: get.str(p, 'workdir'),
        Cmd: cmd,
        ConsoleSize: tty ? (consoleSize(x.cli.io) ?? null) : null,
      };
      const { Id } = await x.c.execCreate(cs[0].Id, body);
      if (detach) {
        await x.c.execStartDetached(Id, tty);
        return 0;
      }
      const h = await x.c.execStartAttached(Id, tty, body.ConsoleSize ?? undefined);
      await pump(x.cli.io, h, { tty, stdin, resize: (r, c) => x.c.execResize(Id, r, c) });
      return (await x.c.execInspect(Id)).ExitCode ?? 0;
    },
  },
  run: {
    usage: 'run [OPTIONS] SERVICE [COMMAND] [ARGS...]',
    desc: 'Run a one-off command on a service',
    stopAtArg: true,
    flags: [
      { name: 'detach', short: 'd', type: 'bool' },
      { name: 'rm', type: 'bool', help: 'Automatically remove the container when it exits' },
      { name: 'no-TTY', short: 'T', type: 'bool' },
      { name: 'env', short: 'e', type: 'list' },
      { name: 'label', short: 'l', type: 'list' },
      { name: 'user', short: 'u', type: 'string' },
      { name: 'workdir', short: 'w', type: 'string' },
      { name: 'entrypoint', type: 'string' },
      { name: 'name', type: 'string' },
      { name: 'no-deps', type: 'bool' },
      { name: 'publish', short: 'p', type: 'list' },
      { name: 'service-ports', type: 'bool' },
      { name: 'volume', short: 'v', type: 'list' },
      { name: 'build', type: 'bool' },
      { name: 'interactive', short: 'i', type: 'bool', default: true },
    ],
    async run(x, p) {
      const [svc, ...cmd] = p.args;
      if (!svc) throw new ComposeError('run requires at least 1 argument: SERVICE');
      const proj = x.load([svc]);
      const s = ops.serviceByName(proj, svc);
      const deps = ops.orderServices(proj, [svc]).filter((d) => d.name !== svc).map((d) => d.name);
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
        patch: (b) => {
          if (cmd.length) b.Cmd = cmd;
          const ep = get.str(p, 'entrypoint');
          if (ep) b.Entrypoint = [ep];
          if (get.str(p, 'user')) b.User = get.str(p, 'user');
          if (get.str(p, 'workdir')) b.WorkingDir = get.str(p, 'workdir');
          b.Env = [...((b.Env as string[]) ?? []), ...get.list(p, 'env')];
          for (const l of get.list(p, 'label')) {
            const i = l.indexOf('=');
            (b.Labels as Record<string, string>)[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
          }
          b.Tty = tty;
          b.OpenStdin = stdin;
          b.StdinOnce = stdin;
          b.AttachStdin = stdin;
          b.AttachStdout = !detach;
          b.AttachStderr = !detach;
          const hc = b.HostConfig as Record<string, unknown>;
          hc.AutoRemove = get.bool(p, 'rm');
          if (!get.bool(p, 'service-ports')) hc.PortBindings = {};
          if (get.list(p, 'publish').length) hc.PortBindings = parsePublish(get.list(p, 'publish')).bindings;
          hc.Binds = [...((hc.Binds as string[]) ?? []), ...get.list(p, 'volume')];
        },
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
  },
  build: {
    usage: 'build [OPTIONS] [SERVICE...]',
    desc: 'Build or rebuild services',
    flags: [
      { name: 'no-cache', type: 'bool' },
      { name: 'pull', type: 'bool' },
      { name: 'quiet', short: 'q', type: 'bool' },
    ],
    async run(x, p) {
      const proj = x.load(p.args);
      const quiet = get.bool(p, 'quiet');
      const out: ops.Out = quiet ? { event: x.out.event, write: () => {} } : x.out;
      for (const s of p.args.length ? p.args.map((n) => ops.serviceByName(proj, n)) : proj.services)
        if (s.build) await ops.buildService(x.c, proj, s, out, { noCache: get.bool(p, 'no-cache'), pull: get.bool(p, 'pull') });
      return 0;
    },
  },
  pull: {
    usage: 'pull [OPTIONS] [SERVICE...]',
    desc: 'Pull service images',
    flags: [
      { name: 'quiet', short: 'q', type: 'bool' },
      { name: 'ignore-pull-failures', type: 'bool' },
    ],
    async run(x, p) {
      const proj = x.load(p.args);
      let failed = false;
      for (const s of p.args.length ? p.args.map((n) => ops.serviceByName(proj, n)) : proj.services) {
        if (!s.image) continue;
        try {
          await ops.pullImage(x.c, s.image, x.out);
        } catch (e) {
          if (!get.bool(p, 'ignore-pull-failures')) throw e;
          x.cli.io.stderr.write(`${s.name}: ${(e as Error).message}\n`);
          failed = true;
        }
      }
      return failed ? 1 : 0;
    },
  },
  push: {
    usage: 'push [OPTIONS] [SERVICE...]',
    desc: 'Push service images',
    flags: [{ name: 'ignore-push-failures', type: 'bool' }],
    async run(x, p) {
      const proj = x.load(p.args);
      const { jsonLines } = await import('../../client/client.js');
      for (const s of p.args.length ? p.args.map((n) => ops.serviceByName(proj, n)) : proj.services) {
        if (!s.build || !s.image) continue;
        const img = imageName(proj, s);
        const i = img.lastIndexOf(':');
        const [repo, tag] = i > img.lastIndexOf('/') ? [img.slice(0, i), img.slice(i + 1)] : [img, 'latest'];
        const auth = Buffer.from('{}').toString('base64');
        const res = await x.c.stream('POST', `/images/${repo}/push`, { query: { tag }, headers: { 'X-Registry-Auth': auth } });
        for await (const m of jsonLines(res)) if (m.errorDetail || m.error) throw new ComposeError(String(m.errorDetail?.message ?? m.error));
        x.out.event('Image', img, 'Pushed');
      }
      return 0;
    },
  },
  config: {
    usage: 'config [OPTIONS] [SERVICE...]',
    desc: 'Parse, resolve and render compose file in canonical format',
    flags: [
      { name: 'quiet', short: 'q', type: 'bool', help: 'Only validate the configuration, don\'t print anything' },
      { name: 'services', type: 'bool', help: 'Print the service names, one per line' },
      { name: 'volumes', type: 'bool', help: 'Print the volume names, one per line' },
      { name: 'images', type: 'bool', help: 'Print the image names, one per line' },
      { name: 'profiles', type: 'bool', help: 'Print the profile names, one per line' },
      { name: 'format', type: 'string', default: 'yaml' },
    ],
    async run(x, p) {
      const proj = x.load(p.args);
      const w = x.cli.io.stdout;
      if (get.bool(p, 'quiet')) return 0;
      if (get.bool(p, 'services')) w.write(proj.services.map((s) => s.name + '\n').join(''));
      else if (get.bool(p, 'volumes')) w.write(Object.keys(proj.volumes).map((s) => s + '\n').join(''));
      else if (get.bool(p, 'images')) w.write(proj.services.map((s) => imageName(proj, s) + '\n').join(''));
      else if (get.bool(p, 'profiles')) w.write([...new Set([...proj.services, ...proj.disabled].flatMap((s) => s.profiles))].sort().map((s) => s + '\n').join(''));
      else {
        const m = canonical(proj, p.args);
        w.write(get.str(p, 'format') === 'json' ? JSON.stringify(m, null, 2) + '\n' : stringify(m));
      }
      return 0;
    },
  },
  restart: lifecycle('restart', 'Restart service containers', (x, c, p) => x.c.containerRestart(c.Id, t(p)), 'Restarting', 'Started'),
  stop: lifecycle('stop', 'Stop services', (x, c, p) => x.c.containerStop(c.Id, t(p)), 'Stopping', 'Stopped', true),
  start: lifecycle('start', 'Start services', async (x, c) => {
    if (c.State !== 'running') await x.c.containerStart(c.Id);
  }, 'Starting', 'Started'),
  kill: {
    usage: 'kill [OPTIONS] [SERVICE...]',
    desc: 'Force stop service containers',
    flags: [{ name: 'signal', short: 's', type: 'string', default: 'SIGKILL' }],
    async run(x, p) {
      await forEach(x, p, async (c) => {
        if (c.State !== 'running') return;
        await x.c.containerKill(c.Id, { signal: get.str(p, 'signal') });
        x.out.event('Container', ops.nameOf(c), 'Killed');
      });
      return 0;
    },
  },
  rm: {
    usage: 'rm [OPTIONS] [SERVICE...]',
    desc: 'Removes stopped service containers',
    flags: [
      { name: 'force', short: 'f', type: 'bool', help: "Don't ask to confirm removal" },
      { name: 'stop', short: 's', type: 'bool', help: 'Stop the containers, if required, before removing' },
      { name: 'volumes', short: 'v', type: 'bool', help: 'Remove any anonymous volumes attached to containers' },
    ],
    async run(x, p) {
      const victims: ContainerSummary[] = [];
      await forEach(x, p, async (c) => {
        if (c.State === 'running' && !get.bool(p, 'stop')) return;
        victims.push(c);
      });
      if (!victims.length) {
        x.cli.io.stderr.write('No stopped containers\n');
        return 0;
      }
      if (!get.bool(p, 'force')) x.cli.io.stderr.write(`Going to remove ${victims.map(ops.nameOf).join(', ')}\n`);
      for (const c of victims) await ops.removeOne(x.c, c, x.out, true, '', get.bool(p, 'volumes'));
      return 0;
    },
  },
};

function lifecycle(
  name: string,
  desc: string,
  fn: (x: Ctx, c: ContainerSummary, p: Parsed) => Promise<void>,
  doing: string,
  done: string,
  reverse = false,
): Sub {
  return {
    usage: `${name} [OPTIONS] [SERVICE...]`,
    desc,
    flags: name === 'start' ? [] : [timeoutFlag],
    async run(x, p) {
      const list: ContainerSummary[] = [];
      await forEach(x, p, async (c) => void list.push(c));
      if (reverse) list.reverse();
      for (const c of list) {
        x.out.event('Container', ops.nameOf(c), doing);
        await fn(x, c, p);
        x.out.event('Container', ops.nameOf(c), done);
      }
      return 0;
    },
  };
}

/** The resolved model as `config` prints it: interpolated, merged, names filled in. */
function canonical(proj: Project, only: string[]): Record<string, unknown> {
  const services: Record<string, unknown> = {};
  for (const s of proj.services) {
    if (only.length && !only.includes(s.name)) continue;
    const r: Record<string, unknown> = { ...s.raw };
    if (s.build) r.build = { ...s.build, args: Object.keys(s.build.args).length ? s.build.args : undefined, labels: undefined };
    if (s.command) r.command = s.command;
    if (s.entrypoint) r.entrypoint = s.entrypoint;
    if (Object.keys(s.environment).length) r.environment = s.environment;
    else delete r.environment;
    delete r.env_file;
    if (Object.keys(s.depends_on).length) r.depends_on = s.depends_on;
    if (Object.keys(s.networks).length) r.networks = Object.fromEntries(Object.entries(s.networks).map(([k, v]) => [k, v.aliases.length || v.ipv4_address ? v : null]));
    if (s.volumes.length) r.volumes = s.volumes.map((v) => ({ type: v.type, source: v.source, target: v.target, read_only: v.readOnly || undefined }));
    services[s.name] = JSON.parse(JSON.stringify(r));
  }
  const res = (m: Record<string, { name: string; external: boolean; raw: Record<string, unknown> }>) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, JSON.parse(JSON.stringify({ ...v.raw, name: v.name, external: v.external || undefined }))]));
  const out: Record<string, unknown> = { name: proj.name, services };
  if (Object.keys(proj.networks).length) out.networks = res(proj.networks);
  if (Object.keys(proj.volumes).length) out.volumes = res(proj.volumes);
  return out;
}

function help(prog: string): string {
  return (
    `\nUsage:  ${prog} compose [OPTIONS] COMMAND\n\nDefine and run multi-container applications with Docker\n\nOptions:\n${flagHelp(globalFlags)}\n\nCommands:\n` +
    Object.entries(subcommands)
      .map(([k, s]) => `  ${k.padEnd(10)}${s.desc}`)
      .join('\n') +
    '\n'
  );
}

/** Split `compose` global flags (before the subcommand) from the rest. */
function splitGlobal(argv: string[]): { global: string[]; rest: string[] } {
  const withValue = new Set(['-f', '--file', '-p', '--project-name', '--project-directory', '--env-file', '--profile', '--ansi', '--progress', '--parallel']);
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-')) {
    if (withValue.has(argv[i])) i++;
    i++;
  }
  return { global: argv.slice(0, i), rest: argv.slice(i) };
}

/** Entry for `berth compose ARGS…`; returns the exit code. */
export async function composeMain(cli: CliContext, argv: string[]): Promise<number> {
  const prog = cli.prog;
  const { global, rest } = splitGlobal(argv);
  let g: Parsed;
  try {
    g = parseFlags(globalFlags, global);
  } catch (e) {
    cli.io.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  if (!rest.length || g.flags.help || rest[0] === 'help' || rest[0] === '--help') {
    cli.io.stdout.write(help(prog));
    return 0;
  }
  if (rest[0] === 'version') {
    cli.io.stdout.write(`Docker Compose version v${(await import('./convert.js')).COMPOSE_VERSION}\n`);
    return 0;
  }
  const sub = subcommands[rest[0]];
  if (!sub) {
    cli.io.stderr.write(`unknown docker command: "compose ${rest[0]}"\n`);
    return 1;
  }
  const args = rest.slice(1);
  if (args[0] === '--help' || (args.includes('--help') && !sub.stopAtArg)) {
    cli.io.stdout.write(`\nUsage:  ${prog} compose ${sub.usage}\n\n${sub.desc}\n\nOptions:\n${flagHelp(sub.flags)}\n`);
    return 0;
  }
  let p: Parsed;
  try {
    p = parseFlags(sub.flags, args, { interspersed: !sub.stopAtArg });
  } catch (e) {
    if (e instanceof FlagError) {
      cli.io.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const ansi = get.str(g, 'ansi');
  const colorErr = ansi === 'always' || (ansi === 'auto' && (cli.io.stderr as { isTTY?: boolean }).isTTY === true);
  const envFiles = get.list(g, 'env-file');
  const lo: LoadOptions = {
    files: get.list(g, 'file'),
    projectName: get.str(g, 'project-name') || undefined,
    projectDir: get.str(g, 'project-directory') || undefined,
    envFile: envFiles[envFiles.length - 1],
    profiles: get.list(g, 'profile'),
  };
  let cached: Project | undefined;
  const x: Ctx = {
    cli,
    c: cli.client(),
    load: (services) => (cached ??= loadProject({ ...lo, services })),
    out: {
      event: (kind, name, status) => {
        const mark = colorErr ? (/ed$|Running/.test(status) ? '\x1b[32m✔\x1b[0m ' : '  ') : '';
        cli.io.stderr.write(` ${mark}${kind} ${name}  ${status}\n`);
      },
      write: (s) => cli.io.stdout.write(s),
    },
  };
  try {
    return await sub.run(x, p);
  } catch (e) {
    if (e instanceof ComposeError || e instanceof ops.OpError) {
      cli.io.stderr.write(`${e.message}\n`);
      return e instanceof ComposeError ? 15 : 1;
    }
    if (e instanceof ClientError) {
      cli.io.stderr.write(`Error response from daemon: ${e.message}\n`);
      return 1;
    }
    if (e instanceof Error && /^(services|invalid|.*: invalid)/.test(e.message)) {
      cli.io.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
