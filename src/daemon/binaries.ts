// Finding the binaries berthd runs: the OCI runtime (runc, or --default-runtime) and conmon.
import fs from 'node:fs';
import path from 'node:path';
import { unavailable } from '../errdefs.js';
import { resolveRuntimes, type RuntimeTable } from '../runtime/oci-runtimes.js';

const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
/** Debian installs conmon for podman outside PATH. */
const CONMON_DIRS = ['/usr/libexec/podman', '/usr/lib/podman'];

/** The first executable `bin` in PATH, the system directories, then `extra`; null if none. */
export function which(bin: string, extra: string[] = [], envPath = process.env.PATH ?? ''): string | null {
  for (const dir of [...envPath.split(':'), ...SYSTEM_DIRS, ...extra]) {
    const p = path.join(dir, bin);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

export interface Binaries {
  /** The default runtime's binary. */
  runc: string;
  conmon: string;
  /** Every runtime a container may name, and the default (runtime/oci-runtimes.ts). */
  runtimes: RuntimeTable;
}

/** The runtimes (a configured path wins) and conmon; unavailable with the fix when the default or conmon is missing. */
export function findBinaries(o: {
  runtimes: Record<string, string>;
  runtimeArgs?: Record<string, string[]>;
  defaultRuntime: string;
}): Binaries {
  const runtimes = resolveRuntimes(o, (bin) => which(bin));
  const runc = runtimes.runtimes[runtimes.default]?.path;
  const conmon = which('conmon', CONMON_DIRS);
  // a bare name left as configured was not found in PATH
  if (!runc?.includes('/')) throw unavailable(`OCI runtime "${runtimes.default}" not found in PATH (install runc)`);
  if (!conmon) throw unavailable('conmon not found in PATH (install conmon)');
  return { runc, conmon, runtimes };
}
