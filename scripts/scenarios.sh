#!/usr/bin/env bash
# Acceptance: run ../shared/scenarios/run.sh against a berthd of its own, in a network namespace
# of its own (netns "berthacc") with temporary data and exec roots, then stop it and clean up.
#   bash scripts/scenarios.sh [scenario regex]
# Needs root and a build (dist/). Env: SCENARIOS_DIR (default ../shared/scenarios).
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "scenarios: needs root" >&2; exit 2; }
scen=${SCENARIOS_DIR:-$(cd .. && pwd)/shared/scenarios}
[ -x "$scen/run.sh" ] || { echo "scenarios: no run.sh in $scen" >&2; exit 2; }

ns=berthacc
root=$(mktemp -d /tmp/berth-acc.XXXXXX)
sock=$root/berth.sock
export DOCKER_HOST=unix://$sock
pid=

cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    # remove what the run may have left, then stop berthd
    docker ps -aq | xargs -r docker rm -f >/dev/null 2>&1 || true
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  grep -F "$root" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT

ip netns del "$ns" 2>/dev/null || true
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
# nsenter keeps the host's cgroup and mount view (ip netns exec would hide cgroups).
nsenter --net=/var/run/netns/$ns node dist/src/daemon/main.js -H "unix://$sock" \
  --data-root "$root/data" --exec-root "$root/exec" >"$root/berthd.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
  [ "$(curl -s --max-time 2 --unix-socket "$sock" http://localhost/_ping 2>/dev/null)" = OK ] && break
  kill -0 "$pid" 2>/dev/null || { tail -n 30 "$root/berthd.log" >&2; exit 1; }
  sleep 0.1
done

tar=/tmp/berth-fixtures/busybox-rootfs.tar
if [ ! -f "$tar" ]; then
  mkdir -p "$(dirname "$tar")"
  bash scripts/busybox-rootfs.sh "$tar.tmp.$$" && mv "$tar.tmp.$$" "$tar"
fi
docker import -c 'CMD ["sh"]' "$tar" busybox:latest >/dev/null

rc=0
HOSTNS="nsenter --net=/var/run/netns/$ns" "$scen/run.sh" "$@" || rc=$?
if ! kill -0 "$pid" 2>/dev/null; then
  echo "scenarios: berthd died during the run; last lines of its log:" >&2
  tail -n 40 "$root/berthd.log" >&2
  rc=1
fi
exit $rc
