// `berth compose …`: Compose v2 command line over the Engine API client. The subcommands live in
// files by what they act on; this is the table, the global flags and the entry.
import { ClientError } from '../../client/client-error.js';
import { type CliContext, parseCommandFlags } from '../command.js';
import { flagHelp, get, parseFlags, splitLeading, type FlagSpec, type Parsed } from '../flags/parser.js';
import { kill, restart, rm, start, stop } from './container-commands.js';
import type { ComposeCommand, ComposeContext } from './context.js';
import { build, pull, push } from './image-commands.js';
import { ComposeError, loadProject, type LoadOptions } from './load.js';
import * as ops from './ops.js';
import { config, logs, ps } from './ps-logs-config.js';
import { exec, run } from './run.js';
import type { Project } from './types.js';
import { down, up } from './up.js';
import { flagTable } from '../flags/table.js';

const globalFlags: FlagSpec[] = flagTable(`
  file,f             list         Compose configuration files
  project-name,p     string       Project name
  project-directory  string       Specify an alternate working directory
  env-file           list         Specify an alternate environment file
  profile            list         Specify a profile to enable
  ansi               string=auto  Control when to print ANSI control characters
  progress           string=auto
  compatibility      bool
  parallel           int=-1
  help               bool
`);

export const subcommands: Record<string, ComposeCommand> = {
  up,
  down,
  ps,
  logs,
  exec,
  run,
  build,
  pull,
  push,
  config,
  restart,
  stop,
  start,
  kill,
  rm,
};

function help(prog: string): string {
  return (
    `\nUsage:  ${prog} compose [OPTIONS] COMMAND\n\nDefine and run multi-container applications with Docker\n\nOptions:\n${flagHelp(globalFlags)}\n\nCommands:\n` +
    Object.entries(subcommands)
      .map(([k, s]) => `  ${k.padEnd(10)}${s.desc}`)
      .join('\n') +
    '\n'
  );
}

/** Entry for `berth compose ARGS…`; returns the exit code. */
export async function composeMain(cli: CliContext, argv: string[]): Promise<number> {
  const prog = cli.prog;
  const { global, rest } = splitLeading(globalFlags, argv);
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
  const p = parseCommandFlags(sub, args, (message) => {
    cli.io.stderr.write(`${message}\n`);
    return 1;
  });
  if (typeof p === 'number') return p;
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
  const x: ComposeContext = {
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
