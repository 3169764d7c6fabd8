// crun on a hybrid cgroup host (v1 controllers plus a cgroup2 mount at /sys/fs/cgroup/unified that
// holds a controller, hugetlb here). crun decides the host's mode from the mounts it sees
// (libcrun/cgroup-utils.c detect_cgroup_mode: statfs of /sys/fs/cgroup, then of .../unified) and
// refuses only at one point: libcrun_cgroup_enter, reached by create, run and restore, reads
// unified/cgroup.controllers and fails with "cgroups in hybrid mode not supported" when it is not
// empty. Everywhere else (update, pause, exec, kill, delete, the container's /sys/fs/cgroup) hybrid
// is handled exactly as v1. Neither the cgroup manager (cgroupfs, systemd, disabled) nor
// cgroupsPath changes that check. So those three commands run in a mount namespace of their own in
// which /sys/fs/cgroup/unified is unmounted: crun sees a v1 host, which is what it treats hybrid as;
// every other command runs crun directly. The wrapper is named crun so berth knows its flavour.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const UNIFIED = '/sys/fs/cgroup/unified';

/** The controllers cgroup2 holds on a hybrid host ('' when none, or on a v1-only or v2-only host). */
export async function hybridControllers(file = `${UNIFIED}/cgroup.controllers`): Promise<string> {
  return (await readFile(file, 'utf8').catch(() => '')).trim();
}

/**
 * Whether /sys/fs/cgroup is a shared mount in this mount namespace (systemd hosts): then its copy in
 * the wrapper's namespace must be made private first, or the umount would propagate to the host.
 */
export function cgroupRootShared(mountinfo: string): boolean {
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-');
    if (f[4] === '/sys/fs/cgroup' && sep > 6) return f.slice(6, sep).some((o) => o.startsWith('shared:'));
  }
  return false;
}

/** The wrapper script: create/run/restore in a namespace without the cgroup2 mount, the rest direct. */
export function crunHybridScript(crun: string, rootShared: boolean): string {
  const q = `'${crun.replaceAll("'", `'\\''`)}'`;
  const hide = `${rootShared ? 'mount --make-private /sys/fs/cgroup && ' : ''}umount ${UNIFIED} || exit 1`;
  return `#!/bin/sh
# written by berthd (runtime/crun-hybrid.ts): crun refuses to create containers on this hybrid cgroup
# host; create/run/restore run where ${UNIFIED} is unmounted, so crun treats the host as v1.
if [ "$1" = --berth-hidden-unified ]; then
  shift
  ${hide}
  exec ${q} "$@"
fi
for a; do
  case $a in
  create | run | restore) exec unshare --mount --propagation unchanged "$0" --berth-hidden-unified "$@" ;;
  checkpoint | delete | exec | features | kill | list | pause | ps | resume | spec | start | state | update) break ;;
  esac
done
exec ${q} "$@"
`;
}

/** Writes the wrapper for runtime `name` under `dir` (atomically, 0755) and returns its path. */
export async function writeCrunWrapper(dir: string, name: string, crun: string, rootShared: boolean): Promise<string> {
  const d = path.join(dir, name);
  await mkdir(d, { recursive: true });
  const file = path.join(d, 'crun');
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, crunHybridScript(crun, rootShared));
  await chmod(tmp, 0o755);
  await rename(tmp, file);
  return file;
}
