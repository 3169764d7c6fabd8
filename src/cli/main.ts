// berth: the docker command line over the Engine API. `runCli()` is the process entry (bin/berth);
// `main()` is the testable core returning an exit code.
import { basename } from 'node:path';
import { Client } from '../client/client.js';
import { ClientError, ConnectError } from '../client/client-error.js';
import type { CliContext, CliGlobals, Command, Io } from './command.js';
import { StatusError, commandPath, parseCommandFlags } from './command.js';
import { flagHelp, parseFlags, splitLeading, type FlagSpec, type Parsed } from './flags/parser.js';
import { attach, create, exec, run, start } from './commands/run.js';
import * as C from './commands/containers.js';
import * as I from './commands/images.js';
import * as D from './commands/distribution.js';
import { info, version, CLIENT_VERSION } from './commands/system.js';
import { build } from './commands/build.js';
import { StreamError } from './progress.js';
import { registryGc, registryServe } from './commands/registry.js';
import { composeMain } from './compose/commands.js';
import { volumeGroup } from './commands/volumes.js';
import { networkGroup } from './commands/networks.js';
import { kubeCommands } from './commands/kube.js';
import { cp } from './commands/cp.js';
import { commit, diff, exportCmd } from './commands/commit.js';
import { port, update } from './commands/update.js';
import { events, systemDf, systemPrune } from './commands/system-more.js';
import { login, logout } from './commands/login.js';
import { contextGroup, currentName } from './commands/context.js';
import { ContextStore, configDirOf, DEFAULT_CONTEXT } from './context-store.js';
import { search } from './commands/search.js';
import { completionCommand, UNSUPPORTED } from './commands/completion.js';
import { builderPrune } from './commands/system-more.js';
import { flagTable } from './flags/table.js';

/** Container commands: top-level and under `container` by the same names (docker's aliases). */
const containerCommands: Record<string, Command> = {
  run,
  create,
  start,
  attach,
  exec,
  ps: C.ps,
  stop: C.stop,
  kill: C.kill,
  restart: C.restart,
  wait: C.wait,
  rm: C.rm,
  pause: C.pause,
  unpause: C.unpause,
  rename: C.rename,
  top: C.top,
  logs: C.logs,
  stats: C.stats,
  cp,
  commit,
  diff,
  export: exportCmd,
  port,
  update,
};

const topLevel: Record<string, Command> = {
  ...containerCommands,
  inspect: C.inspect,
  images: I.images,
  import: I.importCmd,
  tag: I.tag,
  rmi: I.rmi,
  history: I.history,
  pull: D.pull,
  push: D.push,
  save: D.save,
  load: D.load,
  version,
  info,
  build,
  events,
  login,
  logout,
  search,
  completion: completionCommand(() => ({ topLevel, groups })),
};

const groups: Record<string, Record<string, Command>> = {
  container: {
    ...containerCommands,
    ls: C.ps,
    list: C.ps,
    remove: C.rm,
    inspect: C.containerInspect,
    prune: C.prune,
  },
  image: {
    ls: I.images,
    list: I.images,
    inspect: I.imageInspect,
    rm: I.rmi,
    remove: I.rmi,
    prune: I.imagePrune,
    history: I.history,
    tag: I.tag,
    import: I.importCmd,
    build,
    pull: D.pull,
    push: D.push,
    save: D.save,
    load: D.load,
  },
  system: { df: systemDf, events, info, prune: systemPrune },
  registry: { serve: registryServe, gc: registryGc },
  volume: volumeGroup,
  network: networkGroup,
  builder: { prune: builderPrune },
  context: contextGroup,
  kube: kubeCommands,
};

const groupDesc: Record<string, string> = {
  container: 'Manage containers',
  image: 'Manage images',
  network: 'Manage networks',
  registry: 'Run or collect an OCI distribution registry',
  system: 'Manage Docker',
  volume: 'Manage volumes',
  builder: 'Manage builds',
  context: 'Manage contexts',
  compose: 'Define and run multi-container applications',
  kube: 'Generate Kubernetes YAML from containers and play it',
};

const globalFlags: FlagSpec[] = flagTable(`
  host,H       list         Daemon socket to connect to
  debug,D      bool         Enable debug mode
  log-level,l  string=info
  config       string
  context,c    string
  version,v    bool         Print version information and quit
  help         bool
  tls          bool
  tlsverify    bool
`);

function plural(n: number): string {
  return n === 1 ? 'argument' : 'arguments';
}

function topHelp(prog: string): string {
  const names = Object.keys(topLevel).sort();
  return (
    `\nUsage:  ${prog} [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n\nCommands:\n` +
    names.map((n) => `  ${n.padEnd(11)}${topLevel[n].desc}`).join('\n') +
    '\n\nManagement Commands:\n' +
    [...Object.keys(groups), 'compose']
      .sort()
      .map((n) => `  ${n.padEnd(11)}${groupDesc[n] ?? ''}`)
      .join('\n') +
    `\n\nGlobal Options:\n${flagHelp(globalFlags)}\n`
  );
}

export interface MainOptions {
  io?: Io;
  env?: NodeJS.ProcessEnv;
  prog?: string;
}

export async function main(argv: string[], o: MainOptions = {}): Promise<number> {
  const io: Io = o.io ?? { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  const prog = o.prog ?? 'berth';
  const { global, rest } = splitLeading(globalFlags, argv, { dashDashEnds: true });
  let g: Parsed;
  try {
    g = parseFlags(globalFlags, global);
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\nSee '${prog} --help'.\n`);
    return 125;
  }
  if (g.flags.version) {
    io.stdout.write(`Docker version ${CLIENT_VERSION}, build berth\n`);
    return 0;
  }
  if (rest.length === 0 || g.flags.help || rest[0] === 'help') {
    io.stdout.write(topHelp(prog));
    return 0;
  }
  const hosts = g.flags.host as string[];
  const env = o.env ?? process.env;
  const globals: CliGlobals = {
    context: (g.flags.context as string) || undefined,
    hosts,
    env,
    configDir: configDirOf(g.flags.config as string, env),
  };
  let client: Client | undefined;
  let host: string | undefined;
  const ctx: CliContext = {
    prog,
    io,
    globals,
    client: () => (client ??= new Client({ host: host ?? hostEnv(o.env).host })),
  };
  try {
    // the context's endpoint, resolved up front as docker does (`context` itself must work to repair it)
    if (rest[0] !== 'context') host = contextHost(globals);
    // compose has its own flag layer and subcommands (src/cli/compose/)
    if (rest[0] === 'compose') return await composeMain(ctx, rest.slice(1));
    const found = findCommand(prog, io, rest);
    return typeof found === 'number' ? found : await runCommand(ctx, found);
  } catch (e) {
    return report(io, e);
  } finally {
    client?.close();
  }
}

interface Found {
  cmd: Command;
  /** The command as typed: "ps", "container ls". */
  path: string;
  args: string[];
}

/** The command `rest` names, or the exit status after printing a group's help or an unknown command. */
function findCommand(prog: string, io: Io, rest: string[]): Found | number {
  const group = groups[rest[0]];
  if (!group) {
    const cmd = topLevel[rest[0]];
    if (cmd) return { cmd, path: rest[0], args: rest.slice(1) };
    const why = UNSUPPORTED[rest[0]];
    if (why) {
      io.stderr.write(`${prog}: '${rest[0]}' is not supported: ${why}\n`);
      return 1;
    }
    io.stderr.write(`${prog}: unknown command: ${prog} ${rest[0]}\n\nRun '${prog} --help' for more information\n`);
    return 1;
  }
  if (rest.length === 1 || rest[1] === '--help') {
    // cobra: the group's help, on stdout when asked for, else on stderr (still exit 0)
    (rest.length === 1 ? io.stderr : io.stdout).write(groupHelp(prog, rest[0], group));
    return 0;
  }
  const cmd = group[rest[1]];
  const path = `${rest[0]} ${rest[1]}`;
  if (cmd) return { cmd, path, args: rest.slice(2) };
  io.stderr.write(
    `${prog}: unknown command: ${prog} ${path}\n\nUsage:  ${prog} ${rest[0]} COMMAND\n\nRun '${prog} ${rest[0]} --help' for more information\n`,
  );
  return 1;
}

/** A management command's help: its subcommands under their own names (aliases left out), sorted. */
function groupHelp(prog: string, name: string, group: Record<string, Command>): string {
  const rows = Object.entries(group)
    .filter(([k, c]) => {
      const own = commandPath(c);
      return own.split(' ').pop() === k || !own.includes(' ');
    })
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, c]) => `  ${k.padEnd(11)} ${c.desc}\n`)
    .join('');
  const desc = groupDesc[name] ? `${groupDesc[name]}\n\n` : '';
  return `Usage:  ${prog} ${name} COMMAND\n\n${desc}Commands:\n${rows}\nRun '${prog} ${name} COMMAND --help' for more information on a command.\n`;
}

/** --help, flags and the argument count as the docker CLI checks them, then the command itself. */
async function runCommand(ctx: CliContext, { cmd, path: typed, args }: Found): Promise<number> {
  const { prog, io } = ctx;
  // cobra names a group's command by its own name whatever alias was typed ("container list" is
  // "container ls"); a top-level shorthand ("ps", "images") is a command of its own
  const own = commandPath(cmd);
  const path = typed.includes(' ') ? `${typed.split(' ')[0]} ${own.split(' ').pop()}` : typed;
  const usage = `${prog} ${path}${cmd.usage.slice(own.length)}`;
  if (args.includes('--help') && (!cmd.stopAtArg || args.indexOf('--help') < firstPositional(args))) {
    io.stdout.write(`\nUsage:  ${usage}\n\n${cmd.desc}\n\nOptions:\n${flagHelp(cmd.flags)}\n`);
    return 0;
  }
  const p = parseCommandFlags(cmd, args, (message) => {
    io.stderr.write(`${message}\n\nUsage:  ${usage}\n\nRun '${prog} ${path} --help' for more information\n`);
    return 125;
  });
  if (typeof p === 'number') return p;
  const countError = argCountError(cmd, p.args.length);
  if (countError) {
    io.stderr.write(
      `${prog}: '${prog} ${path}' ${countError.text}\n\nUsage:  ${usage}\n\n${countError.verb} '${prog} ${path} --help' for more information\n`,
    );
    return 1;
  }
  return cmd.run(ctx, p);
}

/** Docker's text when `n` arguments are not what `cmd` takes, and its hint's verb (cli/required.go). */
function argCountError(cmd: Command, n: number): { text: string; verb: string } | undefined {
  const { min = 0, max = Infinity } = cmd.args ?? {};
  if (n >= min && n <= max) return undefined;
  if (max === 0) return { text: 'accepts no arguments', verb: 'Run' };
  if (min === max) return { text: `requires ${min} ${plural(min)}`, verb: 'Run' };
  if (max === Infinity) return { text: `requires at least ${min} ${plural(min)}`, verb: 'See' };
  // "SRun" is docker 28's own typo for RequiresMaxArgs, kept so outputs compare equal
  if (min === 0) return { text: `requires at most ${max} ${plural(max)}`, verb: 'SRun' };
  return { text: `requires at least ${min} and at most ${max} ${plural(max)}`, verb: 'Run' };
}

/** -H for the default context, else the chosen context's docker endpoint. */
function contextHost(g: CliGlobals): string | undefined {
  const name = currentName(g);
  if (name === DEFAULT_CONTEXT) return g.hosts[g.hosts.length - 1];
  try {
    return new ContextStore(g.configDir).get(name).Endpoints?.docker?.Host;
  } catch (e) {
    throw new StatusError(1, `Failed to initialize: unable to resolve docker endpoint: ${(e as Error).message}`);
  }
}

function hostEnv(env: NodeJS.ProcessEnv | undefined): { host?: string } {
  return env?.DOCKER_HOST ? { host: env.DOCKER_HOST } : {};
}

function firstPositional(args: string[]): number {
  const i = args.findIndex((a) => !a.startsWith('-'));
  return i < 0 ? args.length : i;
}

function report(io: Io, e: unknown): number {
  if (e instanceof StatusError) {
    if (e.message) io.stderr.write(e.message + '\n');
    return e.code;
  }
  if (e instanceof ClientError) io.stderr.write(`Error response from daemon: ${e.message}\n`);
  else if (e instanceof ConnectError || e instanceof StreamError) io.stderr.write(e.message + '\n');
  else io.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
}

/** Process entry: exit with the command's status once output is written. */
export async function runCli(): Promise<void> {
  const prog = basename(process.argv[1] ?? 'berth');
  const code = await main(process.argv.slice(2), { prog });
  process.exit(code);
}
