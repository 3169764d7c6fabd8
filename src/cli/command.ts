// The command model: a flag table, an argument rule and an async run returning the exit code.
import type { Client } from '../client/client.js';
import { FlagError, type FlagSpec, type Parsed, parseFlags } from './flags/parser.js';

export interface Io {
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: NodeJS.WritableStream;
}

/** The global options that pick the daemon: --context, -H, the environment and the config directory. */
export interface CliGlobals {
  context?: string;
  hosts: string[];
  env: NodeJS.ProcessEnv;
  configDir: string;
}

export interface CliContext {
  /** Program name used in messages ("berth" or "docker"). */
  prog: string;
  io: Io;
  client(): Client;
  /** Set by main; commands that need no daemon (context) read them. */
  globals?: CliGlobals;
}

/** A command over a context `C`: docker's (CliContext) or compose's, which adds the project. */
export interface CommandSpec<C> {
  /** Its path, then the arguments' synopsis: "container rename CONTAINER NEW_NAME" (cobra's Use). */
  usage: string;
  desc: string;
  /** None when left out. */
  flags?: FlagSpec[];
  /** Stop flag parsing at the first positional (run, create, exec). */
  stopAtArg?: boolean;
  run(ctx: C, p: Parsed): Promise<number>;
}

/** A docker command; its shorthand aliases ("ps", "images") live in main's table. */
export interface Command extends CommandSpec<CliContext> {
  args?: { min?: number; max?: number };
}

/** The command words that open `usage` ("container ls" of "container ls [OPTIONS]"); the rest is the synopsis. */
export function commandPath(cmd: { usage: string }): string {
  const words = cmd.usage.split(' ');
  const n = words.findIndex((w) => !/^[a-z][a-z-]*$/.test(w));
  return words.slice(0, n < 0 ? words.length : n).join(' ');
}

/**
 * Parses `cmd`'s flags (stopping at the first positional when it says so). A usage error (FlagError)
 * goes to `usageError`, which prints it the caller's way; its exit code is returned instead.
 */
export function parseCommandFlags<C>(
  cmd: CommandSpec<C>,
  args: string[],
  usageError: (message: string) => number,
): Parsed | number {
  try {
    return parseFlags(cmd.flags ?? [], args, { interspersed: !cmd.stopAtArg });
  } catch (e) {
    if (e instanceof FlagError) return usageError(e.message);
    throw e;
  }
}

/** An exit with a status, optionally with a message for stderr (docker's cli.StatusError). */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
    this.name = 'StatusError';
  }
}

export function write(s: NodeJS.WritableStream, text: string): void {
  s.write(text);
}

export function errText(e: unknown): string {
  if (e && typeof e === 'object' && 'status' in e && e instanceof Error)
    return `Error response from daemon: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}
