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
# shellcheck source=scripts/netns-berthd.sh
. scripts/netns-berthd.sh
export DOCKER_HOST=unix://$sock
trap berthd_cleanup EXIT
berthd_start

tar=/tmp/berth-fixtures/busybox-rootfs.tar
if [ ! -f "$tar" ]; then
  mkdir -p "$(dirname "$tar")"
  bash scripts/busybox-rootfs.sh "$tar.tmp.$$" && mv "$tar.tmp.$$" "$tar"
fi
docker import -c 'CMD ["sh"]' "$tar" busybox:latest >/dev/null

rc=0
HOSTNS="nsenter --net=/var/run/netns/$ns" "$scen/run.sh" "$@" || rc=$?
berthd_survived || rc=1
exit $rc
