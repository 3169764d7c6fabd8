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
export BERTHD_FLAGS=${BERTHD_FLAGS---experimental} # docker-py's CI runs dockerd --experimental
root=$(mktemp -d /tmp/berth-dpy.XXXXXX)
# shellcheck source=scripts/netns-berthd.sh
. scripts/netns-berthd.sh
trap berthd_cleanup EXIT
berthd_start

rc=0
DOCKER_HOST=unix://$sock DOCKER_TEST_API_VERSION=${DOCKER_TEST_API_VERSION:-1.44} DPY_CLEANUP=1 \
  nsenter --net=/var/run/netns/$ns "$conf/run.sh" "$@" || rc=$?
berthd_survived || rc=1
grep -iE 'uncaught|unhandled' "$root/berthd.log" | head -20 || true
exit $rc
