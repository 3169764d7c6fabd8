#!/usr/bin/env bash
# Conformance: docker-py's integration suite (../shared/conformance/docker-py/run.sh) against a
# berthd of its own, in netns "berthdpy" with temporary data and exec roots; stops and cleans up.
#   bash scripts/dockerpy.sh <docker-py git dir> [pytest args]
# The git dir comes from the search tool's `fetch github:docker/docker-py`. Needs root and dist/.
# Prints berthd's uncaught errors, if any, after the suite's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "dockerpy: needs root" >&2; exit 2; }
[ $# -ge 1 ] || { echo "usage: $0 <docker-py git dir> [pytest args]" >&2; exit 2; }
conf=${CONFORMANCE_DIR:-$(cd .. && pwd)/shared/conformance/docker-py}
ns=berthdpy
root=$(mktemp -d /tmp/berth-dpy.XXXXXX)
sock=$root/berth.sock
pid=

cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    DOCKER_HOST=unix://$sock docker ps -aq | xargs -r env DOCKER_HOST=unix://$sock docker rm -f >/dev/null 2>&1 || true
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
nsenter --net=/var/run/netns/$ns node dist/src/daemon/main.js -H "unix://$sock" \
  --data-root "$root/data" --exec-root "$root/exec" >"$root/berthd.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
  [ "$(curl -s --max-time 2 --unix-socket "$sock" http://localhost/_ping 2>/dev/null)" = OK ] && break
  kill -0 "$pid" 2>/dev/null || { tail -n 30 "$root/berthd.log" >&2; exit 1; }
  sleep 0.1
done

rc=0
DOCKER_HOST=unix://$sock DOCKER_TEST_API_VERSION=${DOCKER_TEST_API_VERSION:-1.44} DPY_CLEANUP=1 \
  nsenter --net=/var/run/netns/$ns "$conf/run.sh" "$@" || rc=$?
if ! kill -0 "$pid" 2>/dev/null; then
  echo "dockerpy: berthd died during the run; last lines of its log:" >&2
  tail -n 40 "$root/berthd.log" >&2
  rc=1
fi
grep -iE 'uncaught|unhandled' "$root/berthd.log" | head -20 || true
exit $rc
