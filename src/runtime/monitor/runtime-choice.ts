// Which OCI runtime a container runs on, kept in its bundle: after a daemon restart (or a change of
// daemon.json) kill, exec, update, pause and delete still go to the runtime and state dir that created it.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { invalid } from '../../errdefs.js';
import { Runc, type RuncOptions } from '../runc.js';

const FILE = 'runtime.json';

/** The runtimes by name and the default one (always among them). */
export interface RuntimeClis {
  default: string;
  byName: ReadonlyMap<string, Runc>;
}

/** moby's runtimes.Get: '' is the default; an unknown name is a 400 with moby's text. */
export function cliNamed(c: RuntimeClis, name: string | undefined): Runc {
  const cli = c.byName.get(name || c.default);
  if (!cli) throw invalid(`unknown or invalid runtime name: ${name}`);
  return cli;
}

export async function saveChoice(bundleDir: string, cli: Runc): Promise<void> {
  const o: RuncOptions = { name: cli.o.name ?? 'runc', binary: cli.o.binary, root: cli.o.root, args: cli.o.args ?? [] };
  await fsp.writeFile(path.join(bundleDir, FILE), JSON.stringify(o));
}

/** The bundle's runtime; a bundle of an older berthd (no file) ran on runc. */
export async function loadChoice(bundleDir: string, c: RuntimeClis): Promise<Runc> {
  let o: Partial<RuncOptions>;
  try {
    o = JSON.parse(await fsp.readFile(path.join(bundleDir, FILE), 'utf8')) as Partial<RuncOptions>;
  } catch {
    return c.byName.get('runc') ?? cliNamed(c, '');
  }
  const known = o.name ? c.byName.get(o.name) : undefined;
  // the same binary and state dir as today's: share the instance; else the recorded one still works
  if (known && known.o.binary === o.binary && known.o.root === o.root) return known;
  if (typeof o.binary !== 'string' || typeof o.root !== 'string') return cliNamed(c, o.name);
  return new Runc({ name: o.name, binary: o.binary, root: o.root, args: Array.isArray(o.args) ? o.args : [] });
}
