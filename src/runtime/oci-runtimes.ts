// The OCI runtimes berthd knows, as dockerd has them: the stock `runc`, `crun` where its binary
// exists, and the ones configured with --add-runtime or daemon.json `runtimes`; one is the default.
import { accessSync, constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { invalid } from '../errdefs.js';
import { cgroupRootShared, hybridControllers, writeCrunWrapper } from './crun-hybrid.js';

/** daemon.json's legacy runtime entry: a runc-compatible binary and arguments put before every command. */
export interface OciRuntimeConfig {
  path: string;
  runtimeArgs: string[];
}

export interface RuntimeTable {
  default: string;
  runtimes: Record<string, OciRuntimeConfig>;
}

/** moby's StockRuntimeName: never configurable. */
export const STOCK_RUNTIME = 'runc';
/** Known without configuration when the binary is found (dockerd has only runc; crun is berth's). */
export const IMPLICIT_RUNTIMES: readonly string[] = ['runc', 'crun'];

/** A name berthd can use as a directory (the runtime's --root) and a conmon argument. */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

/** moby's RuntimeOpt.Set for `--add-runtime name=path` into `into`. */
export function addRuntimeFlag(into: Record<string, string>, val: string): void {
  const eq = val.indexOf('=');
  const k = eq < 0 ? '' : val.slice(0, eq).trim().toLowerCase();
  const v = eq < 0 ? '' : val.slice(eq + 1).trim();
  if (!k || !v) throw invalid(`invalid runtime argument: ${val}`);
  if (k === STOCK_RUNTIME) throw invalid(`runtime name '${STOCK_RUNTIME}' is reserved`);
  if (Object.hasOwn(into, k)) throw invalid(`runtime '${k}' was already defined`);
  into[k] = v;
}

/** One daemon.json `runtimes` entry checked as moby's setupRuntimes does (shims are containerd's: not here). */
export function runtimeFromJson(name: string, v: Record<string, unknown>): OciRuntimeConfig {
  if (name === STOCK_RUNTIME) throw invalid(`runtime name '${STOCK_RUNTIME}' is reserved`);
  const path = typeof v.path === 'string' ? v.path : '';
  if (v.runtimeType !== undefined) {
    if (path) throw invalid(`runtime ${name}: cannot configure both path and runtimeType for the same runtime`);
    throw invalid(`runtime ${name}: runtimeType (a containerd shim) is not supported by berthd; configure a path`);
  }
  if (!path) throw invalid(`runtime ${name}: either a runtimeType or a path must be configured`);
  if (v.options !== undefined) throw invalid(`runtime ${name}: options cannot be used with a path runtime`);
  const args = v.runtimeArgs;
  if (args !== undefined && args !== null && !(Array.isArray(args) && args.every((a) => typeof a === 'string')))
    throw invalid(`runtime ${name}: runtimeArgs must be a list of strings`);
  return { path, runtimeArgs: (args as string[] | null | undefined) ?? [] };
}

/**
 * The table berthd runs with: implicit runtimes whose binary `which` finds, then the configured
 * ones (which win). Errors are dockerd's: a reserved name, a default that does not exist.
 */
export function resolveRuntimes(
  o: { defaultRuntime: string; runtimes: Record<string, string>; runtimeArgs?: Record<string, string[]> },
  which: (bin: string) => string | null,
): RuntimeTable {
  if (Object.hasOwn(o.runtimes, STOCK_RUNTIME)) throw invalid(`runtime name '${STOCK_RUNTIME}' is reserved`);
  const runtimes: Record<string, OciRuntimeConfig> = {};
  for (const name of IMPLICIT_RUNTIMES) {
    const found = which(name);
    if (found) runtimes[name] = { path: found, runtimeArgs: [] };
  }
  for (const [name, path] of Object.entries(o.runtimes)) {
    if (!NAME_RE.test(name)) throw invalid(`invalid runtime name: ${name}`);
    // conmon runs the runtime by path: a bare name is looked up as dockerd's exec would
    const bin = path.includes('/') ? path : (which(path) ?? path);
    runtimes[name] = { path: bin, runtimeArgs: o.runtimeArgs?.[name] ?? [] };
  }
  const def = o.defaultRuntime || STOCK_RUNTIME;
  // runc is stock even when its binary is missing: findBinaries then says what to install
  if (!Object.hasOwn(runtimes, def) && def !== STOCK_RUNTIME)
    throw invalid(`specified default runtime '${def}' does not exist`);
  return { default: def, runtimes };
}

/** moby's runtimes.Get: a container's runtime by name, '' being the default. */
export function runtimeNamed(t: RuntimeTable, name: string): OciRuntimeConfig {
  const r = t.runtimes[name || t.default];
  if (!r) throw invalid(`unknown or invalid runtime name: ${name}`);
  return r;
}

/**
 * The table as this host needs it, and what to say once at start. crun (1.8 and later alike) refuses
 * every container on a hybrid host whose cgroup2 hierarchy holds a controller ("cgroups in hybrid
 * mode not supported"): each crun-like runtime is then run through a wrapper written under `dir`
 * that hides that hierarchy from crun's create (runtime/crun-hybrid.ts); without unshare and umount
 * it stays as it is, with a warning.
 */
export async function runtimesForHost(
  t: RuntimeTable,
  dir: string,
  o: { controllersFile?: string; mountinfo?: string; has?: (bin: string) => boolean } = {},
): Promise<{ table: RuntimeTable; warnings: string[]; notes: string[] }> {
  const crunLike = Object.entries(t.runtimes).filter(([, r]) => basename(r.path).startsWith('crun'));
  const held = crunLike.length ? await hybridControllers(o.controllersFile) : '';
  if (!held) return { table: t, warnings: [], notes: [] };
  const has = o.has ?? onPath;
  if (!['unshare', 'umount', 'mount'].every(has))
    return {
      table: t,
      warnings: crunLike.map(
        ([name]) =>
          `runtime ${name}: crun cannot create containers on this hybrid cgroup host: its cgroup2 hierarchy holds controllers (${held}); use runc, or install util-linux (unshare, umount)`,
      ),
      notes: [],
    };
  const shared = cgroupRootShared(o.mountinfo ?? (await readFile('/proc/self/mountinfo', 'utf8')));
  const runtimes = { ...t.runtimes };
  for (const [name, r] of crunLike) runtimes[name] = { ...r, path: await writeCrunWrapper(dir, name, r.path, shared) };
  const names = crunLike.map(([n]) => n).join(', ');
  return {
    table: { default: t.default, runtimes },
    warnings: [],
    notes: [
      `runtime ${names}: cgroup2 holds controllers (${held}) on this hybrid host; crun creates containers without seeing it`,
    ],
  };
}

/** An executable `bin` in PATH or the system directories. */
function onPath(bin: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  return dirs.some((d) => {
    try {
      accessSync(join(d, bin), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
