// Shapes shared by the object commands (volume, network, …): flag specs, "each argument, collect
// the errors" loops, list/inspect/prune bodies, so each command only names its endpoint and rows.
import { filtersArg } from '../../client/client.js';
import { ClientError } from '../../client/client-error.js';
import type { CliContext, Command } from '../command.js';
import { StatusError, errText } from '../command.js';
import { get, type FlagSpec, type Parsed } from '../flags/parser.js';
import { renderRows, type Row } from '../format/render.js';
import { humanSize } from '../format/units.js';
import { compile } from '../format/template.js';
import { goMapOrder } from '../format/go-values.js';

/** opts.FilterOpt: a filter without `=` is a usage error. */
const checkFilter = (v: string) => {
  if (!v.includes('=')) throw new Error('bad format of filter (expected name=value)');
};

export const flag = {
  format: { name: 'format', type: 'string', help: 'Format output using a custom template' } as FlagSpec,
  formatF: { name: 'format', short: 'f', type: 'string', help: 'Format output using a custom template' } as FlagSpec,
  quiet: (what: string): FlagSpec => ({ name: 'quiet', short: 'q', type: 'bool', help: `Only display ${what}` }),
  filterF: {
    name: 'filter',
    short: 'f',
    type: 'list',
    help: 'Provide filter values (e.g. "dangling=true")',
    check: checkFilter,
    valueName: 'filter',
  } as FlagSpec,
  filter: {
    name: 'filter',
    type: 'list',
    help: 'Provide filter values (e.g. "until=<timestamp>")',
    check: checkFilter,
    valueName: 'filter',
  } as FlagSpec,
  force: (help: string): FlagSpec => ({ name: 'force', short: 'f', type: 'bool', help }),
  output: { name: 'output', short: 'o', type: 'string', help: 'Write to a file, instead of STDOUT' } as FlagSpec,
  label: (help: string): FlagSpec => ({ name: 'label', type: 'list', help }),
};

/**
 * Runs `fn` for each of `refs`, printing what it returns (when a string), then all errors joined
 * on stderr with exit 1: docker's multi-object commands (volume rm, network rm, …).
 */
export async function eachRef(
  ctx: CliContext,
  refs: string[],
  fn: (ref: string) => Promise<string | undefined>,
  o: { skip?: (e: unknown) => boolean; statusLine?: boolean } = {},
): Promise<number> {
  const errs: string[] = [];
  for (const r of refs) {
    try {
      const out = await fn(r);
      if (out !== undefined) ctx.io.stdout.write(`${out}\n`);
    } catch (e) {
      if (o.skip?.(e)) continue;
      errs.push(errText(e));
    }
  }
  // network rm ends with cli.StatusError's text
  if (errs.length) ctx.io.stderr.write(errs.join('\n') + (o.statusLine ? '\nexit status 1\n' : '\n'));
  return errs.length ? 1 : 0;
}

/** Go's json.MarshalIndent(v, "", "    ") with HTML escaping, as docker inspect prints. */
export function goJSONIndent(v: unknown): string {
  return JSON.stringify(v, null, 4).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** An inspect's error line for a failed `ref`; undefined throws the error on. */
export type InspectFailure = (e: unknown, ref: string) => string | undefined;

/** The typed inspects print the daemon's error text, the 404's too. */
const daemonFailure: InspectFailure = (e) =>
  e instanceof ClientError ? `Error response from daemon: ${e.message}` : undefined;

/** The generic `inspect` says "No such object" for a 404. */
export const noSuchObject: InspectFailure = (e, r) =>
  isNotFound(e) ? `Error: No such object: ${r}` : daemonFailure(e, r);

/** docker's inspect: a template or JSON line per object, else all of them as one indented array. */
export async function printInspect(
  ctx: CliContext,
  refs: string[],
  format: string,
  fetch: (ref: string) => Promise<unknown>,
  failed: InspectFailure = daemonFailure,
): Promise<number> {
  const found: unknown[] = [];
  const errs: string[] = [];
  // inspect parses the template as given: no \t/\n rewriting (that is only for list formats)
  const t = format && format !== 'json' ? compile(format) : null;
  for (const r of refs) {
    try {
      const v = await fetch(r);
      // a template sees the typed document docker decoded (maps' keys sorted)
      if (t) ctx.io.stdout.write(t.execute(goMapOrder(v)) + '\n');
      else if (format === 'json') ctx.io.stdout.write(JSON.stringify(v) + '\n');
      else found.push(v);
    } catch (e) {
      const line = failed(e, r);
      if (line === undefined) throw e;
      errs.push(line);
    }
  }
  if (!t && format !== 'json') ctx.io.stdout.write(goJSONIndent(found) + '\n');
  if (errs.length) ctx.io.stderr.write(errs.join('\n') + '\n');
  return errs.length ? 1 : 0;
}

export async function confirm(ctx: CliContext, warning: string): Promise<boolean> {
  ctx.io.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const stdin = ctx.io.stdin as NodeJS.ReadStream;
  const line = await new Promise<string>((resolve) => {
    let buf = '';
    const onData = (b: Buffer) => {
      buf += b.toString();
      if (buf.includes('\n')) done();
    };
    const done = () => {
      stdin.off('data', onData);
      stdin.off('end', done);
      stdin.pause();
      resolve(buf.split('\n')[0]);
    };
    stdin.on('data', onData);
    stdin.on('end', done);
    stdin.resume();
  });
  return /^y(es)?$/i.test(line.trim());
}

/** docker's container loops (start, stop, kill, wait…): print each argument, or what `fn` returned for it. */
export function forEach(ctx: CliContext, refs: string[], fn: (ref: string) => Promise<unknown>): Promise<number> {
  return eachRef(ctx, refs, async (r) => {
    const out = await fn(r);
    return typeof out === 'string' ? out : r;
  });
}

export const isNotFound = (e: unknown): boolean => e instanceof ClientError && e.status === 404;

export interface ListSpec<T> {
  usage: string;
  desc: string;
  quietHelp: string;
  quietField: string;
  defaultFormat: string;
  headers: Record<string, string>;
  noTrunc?: boolean;
  fetch(ctx: CliContext, filters: string | undefined): Promise<T[]>;
  row(item: T, trunc: boolean): Row;
}

/** `X ls`: filters, -q, --format (table/json/template), optionally --no-trunc. */
export function listCommand<T>(s: ListSpec<T>): Command {
  const flags: FlagSpec[] = [flag.filterF, flag.format];
  if (s.noTrunc) flags.push({ name: 'no-trunc', type: 'bool', help: 'Do not truncate the output' });
  flags.push(flag.quiet(s.quietHelp));
  return {
    usage: s.usage,
    desc: s.desc,
    flags,
    args: { max: 0 },
    async run(ctx, p) {
      const items = await s.fetch(ctx, filtersArg(get.list(p, 'filter')));
      const trunc = !(s.noTrunc && get.bool(p, 'no-trunc'));
      const rows = items.map((i) => s.row(i, trunc));
      const quiet = get.bool(p, 'quiet');
      const f = quiet ? `{{${s.quietField}}}` : get.str(p, 'format');
      ctx.io.stdout.write(renderRows(rows, f, s.defaultFormat, s.headers));
      return 0;
    },
  };
}

/** `X inspect`: docker's inspect output for each argument (404 → "Error: No such object"). */
export function inspectCommand(
  usage: string,
  desc: string,
  fetch: (ctx: CliContext, ref: string, p: Parsed) => Promise<unknown>,
  extra: FlagSpec[] = [],
): Command {
  return {
    usage,
    desc,
    flags: [flag.formatF, ...extra],
    args: { min: 1 },
    run: (ctx, p) => printInspect(ctx, p.args, get.str(p, 'format'), (r) => fetch(ctx, r, p)),
  };
}

export interface PruneSpec {
  name: string;
  desc: string;
  /** The confirmation's text. */
  warning: string;
  /** A -a/--all flag: its help, and the confirmation's text when it is given. */
  all?: { help: string; warning: string };
  /** Calls the endpoint; returns the "Deleted X:" block's title and items, and the space freed. */
  prune(ctx: CliContext, filters: string[], p: Parsed): Promise<{ title: string; items: string[]; space?: number }>;
}

/** `X prune`: confirmation unless -f, the daemon's report, "Total reclaimed space" when sized. */
export function pruneCommand(s: PruneSpec): Command {
  const all: FlagSpec[] = s.all ? [{ name: 'all', short: 'a', type: 'bool', help: s.all.help }] : [];
  return {
    usage: `${s.name} [OPTIONS]`,
    desc: s.desc,
    flags: [...all, flag.filter, flag.force('Do not prompt for confirmation')],
    args: { max: 0 },
    async run(ctx, p) {
      const warning = s.all && get.bool(p, 'all') ? s.all.warning : s.warning;
      if (!get.bool(p, 'force') && !(await confirm(ctx, warning))) return 0;
      const r = await s.prune(ctx, get.list(p, 'filter'), p);
      if (r.items.length) ctx.io.stdout.write(`${r.title}:\n${r.items.map((i) => i + '\n').join('')}`);
      if (r.space !== undefined) {
        if (r.items.length) ctx.io.stdout.write('\n');
        ctx.io.stdout.write(`Total reclaimed space: ${humanSize(r.space)}\n`);
      }
      return 0;
    },
  };
}

/** A usage error as docker prints it for a bad flag combination (exit 1, "invalid argument"). */
export function conflict(msg: string): StatusError {
  return new StatusError(1, msg);
}
