#!/usr/bin/env bash
# `npm run soak` (not part of npm test): bench/soak.ts against a berthd it starts on temp roots,
# inside throwaway net/mount/pid namespaces like test/harness/run-isolated.sh, so nothing it makes
# (bridges, iptables rules, mounts, processes) can outlive it. Counts come from the environment:
#   SOAK_RUNS=1000 SOAK_STREAMS=200 SOAK_CONCURRENCY=4 SOAK_SEED=1 SOAK_MAX_MINUTES=40 npm run soak
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

if [ "${BERTH_ISOLATED:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "soak: needs root" >&2; exit 2; }
  [ -f "$here/dist/bench/soak.js" ] || { echo "soak: run npm run build first" >&2; exit 2; }
  exec unshare --net --mount --pid --fork --mount-proc --propagation private --kill-child \
    env BERTH_ISOLATED=1 bash "$0" "$@"
fi

mount --make-rprivate /
ip link set lo up
mkdir -p /run/netns
mount -t tmpfs -o mode=0755 tmpfs /run/netns
# bash stays pid 1 of the namespace and reaps orphans; leaving it kills whatever is left
node "$here/dist/bench/soak.js" "$@" &
wait $!
