# Sourced by scenarios.sh and dockerpy.sh: a berthd of its own in network namespace $ns with
# temporary data and exec roots under $root; berthd_start starts it and waits for /_ping,
# berthd_cleanup (their EXIT trap) removes its containers, stops it, unmounts and deletes all.
# Needs: ns, root (mktemp -d) set by the caller. Sets: sock, pid.
sock=$root/berth.sock
pid=

berthd_cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    DOCKER_HOST=unix://$sock docker ps -aq | xargs -r env DOCKER_HOST="unix://$sock" docker rm -f >/dev/null 2>&1 || true
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  grep -F "$root" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$root"
}

berthd_start() {
  ip netns del "$ns" 2>/dev/null || true
  ip netns add "$ns"
  ip netns exec "$ns" ip link set lo up
  # nsenter keeps the host's cgroup and mount view (ip netns exec would hide cgroups).
  nsenter --net=/var/run/netns/$ns bin/berthd -H "unix://$sock" \
    --data-root "$root/data" --exec-root "$root/exec" ${BERTHD_FLAGS:-} >"$root/berthd.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do
    [ "$(curl -s --max-time 2 --unix-socket "$sock" http://localhost/_ping 2>/dev/null)" = OK ] && return 0
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$root/berthd.log" >&2; return 1; }
    sleep 0.1
  done
  echo "berthd did not answer /_ping; last lines of its log:" >&2
  tail -n 30 "$root/berthd.log" >&2
  return 1
}

# After the run: fails, printing berthd's last log lines, if berthd died during it.
berthd_survived() {
  kill -0 "$pid" 2>/dev/null && return 0
  echo "berthd died during the run; last lines of its log:" >&2
  tail -n 40 "$root/berthd.log" >&2
  return 1
}
