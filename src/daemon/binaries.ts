// Finding the binaries berthd runs: the OCI runtime (runc, or --default-runtime) and conmon.
import fs from 'node:fs';
import path from 'node:path';
import { unavailable } from '../errdefs.js';

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

/** The default runtime's binary (a configured path wins) and conmon's; unavailable with the fix when missing. */
export function findBinaries(o: { runtimes: Record<string, string>; defaultRuntime: string }): {
  runc: string;
  conmon: string;
} {
  const runc = o.runtimes[o.defaultRuntime] ?? which(o.defaultRuntime);
  const conmon = which('conmon', CONMON_DIRS);
  if (!runc) throw unavailable(`OCI runtime "${o.defaultRuntime}" not found in PATH (install runc)`);
  if (!conmon) throw unavailable('conmon not found in PATH (install conmon)');
  return { runc, conmon };
}
