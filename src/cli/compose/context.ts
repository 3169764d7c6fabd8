// Compose's command context and the helpers its commands share.
import type { Client } from '../../client/client.js';
import type { ContainerSummary } from '../../client/types.js';
import type { CliContext, CommandSpec } from '../command.js';
import { get, type FlagSpec, type Parsed } from '../flags/parser.js';
import { L } from './convert.js';
import * as ops from './ops.js';
import type { Project } from './types.js';

/** What a compose subcommand runs with: the CLI's, the client, the project (loaded once) and progress. */
export interface ComposeContext {
  cli: CliContext;
  c: Client;
  load(services?: string[]): Project;
  out: ops.Out;
}

/** A `compose` subcommand: the CLI's command model over the compose context. */
export type ComposeCommand = CommandSpec<ComposeContext>;

export const timeoutFlag: FlagSpec = {
  name: 'timeout',
  short: 't',
  type: 'int',
  default: -1,
  help: 'Specify a shutdown timeout in seconds',
};

/** `-t N` as the client's stop/restart option; unset (-1), the container's own timeout. */
export const timeoutOf = (p: Parsed) => (get.int(p, 'timeout') >= 0 ? { t: get.int(p, 'timeout') } : {});

/** Runs `fn` on the containers of the services named in `p.args` (or all), in dependency order. */
export async function forEachContainer(
  x: ComposeContext,
  p: Parsed,
  fn: (c: ContainerSummary) => Promise<void>,
  o: { oneoff?: boolean | 'any' } = {},
): Promise<void> {
  const proj = x.load();
  // no names: every service of the file, profiles or not (containers of a disabled profile still belong to it)
  const names = p.args.length ? p.args : [...proj.services, ...proj.disabled].map((s) => s.name);
  for (const n of p.args) ops.serviceByName(proj, n);
  const order = ops.orderServices(proj, names).map((s) => s.name);
  const cs = (await ops.projectContainers(x.c, proj.name, { oneoff: o.oneoff })).filter((c) =>
    names.includes(c.Labels?.[L.service] ?? ''),
  );
  cs.sort((a, b) => order.indexOf(a.Labels?.[L.service] ?? '') - order.indexOf(b.Labels?.[L.service] ?? ''));
  for (const c of cs) await fn(c);
}
