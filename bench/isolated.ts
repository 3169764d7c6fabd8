// Benchmarks run berthd in throwaway namespaces, like test/harness/run-isolated.sh, so its bridges,
// rules and mounts cannot outlive them.
import { spawnSync } from 'node:child_process';

/** Re-runs `file` with BERTH_ISOLATED=1 in fresh net/mount/pid namespaces; its exit status. */
export function reexecIsolated(file: string, env: NodeJS.ProcessEnv = process.env): number {
  const setup = [
    'mount --make-rprivate /',
    'ip link set lo up',
    'mkdir -p /run/netns',
    'mount -t tmpfs -o mode=0755 tmpfs /run/netns',
  ].join(' && ');
  // bash stays pid 1 of the namespace to reap orphans (conmon's children)
  const script = `${setup} || exit 1; "$0" "$1" & wait $!`;
  const args = ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', '--kill-child'];
  const r = spawnSync('unshare', [...args, 'env', 'BERTH_ISOLATED=1', 'bash', '-c', script, process.execPath, file], {
    stdio: 'inherit',
    env,
  });
  return r.status ?? 1;
}
