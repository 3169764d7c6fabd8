#!/usr/bin/env bash
# Prepare a fresh Debian 12 (as root, no stdin) to build, run and test berth.
# Idempotent: installs only what is missing, runs `apt-get update` at most once,
# `npm ci` only when node_modules is stale, then builds.
#
# Exit status: 0 ok; 2 the build reported type errors (dist/ was still emitted,
# callers decide whether that is fatal); anything else: setup failed.
#
# Env: BERTH_SKIP_APT=1 skips system packages; BERTH_SKIP_BUILD=1 skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

export DEBIAN_FRONTEND=noninteractive

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" = 0 ]; then
    log "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
}

apt_install() {
  apt_update_once
  log "apt-get install $*"
  apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "$@" >/dev/null
}

install_system_packages() {
  [ "$(id -u)" = 0 ] || { log "not root: skipping system packages"; return 0; }
  command -v apt-get >/dev/null || { log "no apt-get: skipping system packages"; return 0; }

  # attr: getfattr finds overlay's opaque dirs when a layer is diffed (python3's fallback costs ~0.1 s per layer).
  # zstd: Node 20's zlib has no zstd; pull and load decompress tar+zstd layers through it.
  local want=(runc conmon iptables iproute2 busybox-static util-linux jq curl psmisc
    docker-registry docker-compose skopeo tini attr zstd crun)
  local missing=() p
  for p in "${want[@]}"; do installed "$p" || missing+=("$p"); done
  # `script`, `unshare`, `nsenter` live in util-linux (bsdutils for script on some releases).
  command -v script >/dev/null || missing+=(bsdutils)

  local need_docker=0
  command -v docker >/dev/null || need_docker=1

  if [ ${#missing[@]} -eq 0 ] && [ $need_docker = 0 ]; then
    log "system packages present"
    return 0
  fi

  [ ${#missing[@]} -gt 0 ] && apt_install "${missing[@]}"

  if [ $need_docker = 1 ]; then
    # Debian's docker.io brings the docker CLI; its dockerd must never run on the
    # default socket here. policy-rc.d stops the postinst from starting it.
    local made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
      chmod +x /usr/sbin/policy-rc.d
      made_policy=1
    fi
    apt_install docker.io || { [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d; return 1; }
    [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
      systemctl disable --now docker.service docker.socket >/dev/null 2>&1 || true
    fi
  fi
}

node_modules_stale() {
  [ -d node_modules ] || return 0
  [ -f node_modules/.package-lock.json ] || return 0
  [ package-lock.json -nt node_modules/.package-lock.json ] && return 0
  [ package.json -nt node_modules/.package-lock.json ] && return 0
  return 1
}

if [ "${BERTH_SKIP_APT:-0}" != 1 ]; then install_system_packages; fi

if node_modules_stale; then
  log "npm ci"
  # The lock file holds every platform's optional packages (see docs/decisions.md), so a clean
  # checkout installs exactly what it pins; a lock file out of sync is an error, not a fallback.
  npm ci --no-audit --no-fund --loglevel=error || { log "npm ci failed"; exit 1; }
  touch node_modules/.package-lock.json
else
  log "node_modules up to date"
fi

if [ "${BERTH_SKIP_BUILD:-0}" != 1 ]; then
  log "npm run build"
  if ! npm run --silent build; then
    log "the build reported type errors (dist/ was still emitted)"
    exit 2
  fi
fi
