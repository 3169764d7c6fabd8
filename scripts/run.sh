#!/usr/bin/env bash
# Set up, start berthd on /run/berth/berth.sock (or reuse one that answers), load the
# busybox image and run a first container with the real docker CLI.
# Env: BERTH_SOCK, BERTH_DATA_ROOT, BERTH_EXEC_ROOT, BERTH_LOG to move things elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."

sock=${BERTH_SOCK:-/run/berth/berth.sock}
data_root=${BERTH_DATA_ROOT:-/var/lib/berth}
exec_root=${BERTH_EXEC_ROOT:-/run/berth}
logfile=${BERTH_LOG:-/var/log/berthd.log}
export DOCKER_HOST="unix://$sock"

say() { printf 'berth: %s\n' "$*"; }
ping_ok() { [ "$(curl -s --max-time 2 --unix-socket "$sock" http://localhost/_ping 2>/dev/null)" = OK ]; }

rc=0
bash scripts/setup.sh || rc=$?
case $rc in
  0) ;;
  2) say "warning: the build reported type errors; trying to run anyway" ;;
  *) say "setup failed"; exit 1 ;;
esac

if ping_ok; then
  say "berthd already answers on $sock: reusing it"
else
  [ -f dist/berthd/main.js ] || { say "dist/berthd/main.js is missing: the build did not produce berthd"; exit 1; }
  mkdir -p "$(dirname "$sock")" "$data_root" "$exec_root" "$(dirname "$logfile")"
  say "starting berthd (log: $logfile)"
  # setsid + nohup: berthd outlives this script and its terminal.
  setsid nohup node --max-semi-space-size=1 dist/berthd/main.js -H "unix://$sock" --data-root "$data_root" \
    --exec-root "$exec_root" --pidfile "$exec_root/berthd.pid" >>"$logfile" 2>&1 </dev/null &
  pid=$!
  for _ in $(seq 1 300); do
    ping_ok && break
    if ! kill -0 "$pid" 2>/dev/null; then
      say "berthd exited during startup; last lines of $logfile:"
      tail -n 30 "$logfile" >&2
      exit 1
    fi
    sleep 0.1
  done
  ping_ok || { say "berthd did not answer /_ping within 30 s; see $logfile"; exit 1; }
  say "berthd is up (pid $pid)"
fi

if ! docker image inspect busybox:latest >/dev/null 2>&1; then
  tar=/tmp/berth-fixtures/busybox-rootfs.tar
  mkdir -p "$(dirname "$tar")"
  if [ ! -f "$tar" ]; then
    say "building the busybox rootfs"
    bash scripts/busybox-rootfs.sh "$tar.tmp" && mv "$tar.tmp" "$tar"
  fi
  say "importing busybox:latest"
  docker import -c 'CMD ["sh"]' "$tar" busybox:latest >/dev/null
fi

say "docker run --rm busybox echo hello from berth"
docker run --rm busybox echo hello from berth

cat <<EOF

berthd is running on $sock (data in $data_root, log in $logfile).
Use it with the docker CLI, docker-compose or any Docker SDK:

  export DOCKER_HOST=unix://$sock
  docker run -it --rm busybox sh
  docker ps -a

Stop it with: kill \$(cat $exec_root/berthd.pid)
EOF
