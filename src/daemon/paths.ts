// Where berthd keeps things: --data-root (persistent) and --exec-root (runtime, tmpfs).
import path from 'node:path';

export interface Paths {
  dataRoot: string;
  execRoot: string;
  containers: string; // <data-root>/containers/<id>/
  storage: string; // <data-root> (content/, snapshots/, images/ live here)
  runcRoot: string; // <exec-root>/runc
  exits: string; // <exec-root>/exits
  pidfile: string;
  lockfile: string;
}

export function paths(dataRoot: string, execRoot: string, pidfile: string): Paths {
  return {
    dataRoot,
    execRoot,
    containers: path.join(dataRoot, 'containers'),
    storage: dataRoot,
    runcRoot: path.join(execRoot, 'runc'),
    exits: path.join(execRoot, 'exits'),
    pidfile: pidfile || path.join(execRoot, 'berthd.pid'),
    lockfile: path.join(dataRoot, 'berthd.lock'),
  };
}
