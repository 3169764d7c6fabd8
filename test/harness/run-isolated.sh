#!/usr/bin/env bash
# Run one compiled integration test file in throwaway namespaces:
#   test/harness/run-isolated.sh dist/test/integration/x.test.js [extra node --test flags]
# New network, mount and pid namespaces; / made private so mounts stay inside; lo up.
# bash stays pid 1 (not exec'd away) because it reaps orphans such as conmon's children;
# when it exits the kernel kills everything left in the pid namespace, and --kill-child
# makes it exit when unshare is killed (e.g. by a timeout).
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 TEST_FILE [node --test flags...]" >&2
  exit 2
fi

if [ "${BERTH_ISOLATED:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "run-isolated: needs root" >&2; exit 2; }
  exec unshare --net --mount --pid --fork --mount-proc --propagation private --kill-child \
    env BERTH_ISOLATED=1 bash "$0" "$@"
fi

file=$1
shift
mount --make-rprivate /
ip link set lo up
# Our own /run/netns, so `ip netns` bind mounts made by the daemon stay in this namespace.
mkdir -p /run/netns
mount -t tmpfs -o mode=0755 tmpfs /run/netns
# BERTH_TEST_CGROUP=v1 on a hybrid host: hide the cgroup2 'unified' mount here, so berthd and its
# runtimes see a v1-only host (crun 1.8 refuses a hybrid host whose cgroup2 holds any controller).
if [ "${BERTH_TEST_CGROUP:-}" = v1 ] && mountpoint -q /sys/fs/cgroup/unified; then
  umount /sys/fs/cgroup/unified
fi

node --test --test-timeout="${BERTH_TEST_TIMEOUT_MS:-300000}" "$@" "$file" &
wait $!
