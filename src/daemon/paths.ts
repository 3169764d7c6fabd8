// Where berthd keeps things: --data-root (persistent) and --exec-root (runtime, tmpfs).
import { chmod, chown, mkdir } from 'node:fs/promises';
import path from 'node:path';

export interface Paths {
  dataRoot: string;
  execRoot: string;
  containers: string; // <data-root>/containers/<id>/
  storage: string; // <data-root> (content/, snapshots/, images/ live here)
  snapshots: string; // <data-root>/snapshots (the overlay snapshotter's)
  bundles: string; // <exec-root>/c/<id>/ (config.json, the mounted rootfs, conmon's files)
  execs: string; // <exec-root>/x (exec process specs and conmon exec sessions)
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
    snapshots: path.join(dataRoot, 'snapshots'),
    bundles: path.join(execRoot, 'c'),
    execs: path.join(execRoot, 'x'),
    runcRoot: path.join(execRoot, 'runc'),
    exits: path.join(execRoot, 'exits'),
    pidfile: pidfile || path.join(execRoot, 'berthd.pid'),
    lockfile: path.join(dataRoot, 'berthd.lock'),
  };
}

const inside = (dir: string, p: string) => !path.relative(dir, p).startsWith('..');

/** Modes for the roots, given the API sockets berthd will listen on. */
export function rootModes(p: Paths, sockets: readonly string[]): Array<[string, number]> {
  return [
    // moby setupDaemonRoot, daemon.go (containers/) and overlay2 (its home): 0710 root:root, so
    // other users can neither list nor traverse into layers, configs or logs.
    [p.dataRoot, 0o710],
    [p.containers, 0o710],
    [p.snapshots, 0o710],
    // dockerd's exec-root is 0700; ours holds the default API socket, which the socket's group
    // must reach: then others may traverse (0711) but not list, and what holds container
    // rootfs mounts and process specs stays 0700.
    [p.execRoot, sockets.some((s) => inside(p.execRoot, s)) ? 0o711 : 0o700],
    [p.bundles, 0o700],
    [p.execs, 0o700],
    [p.runcRoot, 0o700],
    [p.exits, 0o700],
  ];
}

/**
 * Creates the roots, and sets their modes and root ownership even when they already exist
 * (mkdir's mode is ignored for an existing dir, and umask trims it for a new one), as dockerd
 * does for its data-root. An exec-root that already existed is left as it is, like dockerd's:
 * it may be a shared directory (`--exec-root /run`); the dirs we own inside it are fixed.
 */
export async function setupRoots(p: Paths, sockets: readonly string[]): Promise<void> {
  for (const [dir, mode] of rootModes(p, sockets)) {
    const created = await mkdir(dir, { recursive: true, mode });
    if (dir === p.execRoot && created === undefined) continue;
    await chown(dir, 0, 0);
    await chmod(dir, mode);
  }
}
