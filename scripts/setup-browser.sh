#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser tests (test/integration/web/), driven by
# playwright-core. Idempotent; never fails the caller: prints why Chromium is missing instead
# (the browser test then skips with that reason).
#   Env: BERTH_SKIP_APT=1 skips installing.
set -uo pipefail

log() { printf 'setup-browser: %s\n' "$*" >&2; }

find_chromium() {
  local c
  for c in chromium chromium-browser; do
    command -v "$c" >/dev/null 2>&1 && { command -v "$c"; return 0; }
  done
  return 1
}

if path=$(find_chromium); then
  log "chromium present ($path)"
  exit 0
fi
if [ "${BERTH_SKIP_APT:-0}" = 1 ]; then log "chromium missing and BERTH_SKIP_APT=1: not installing"; exit 0; fi
if [ "$(id -u)" != 0 ]; then log "chromium missing and not root: cannot apt-get install it"; exit 0; fi
if ! command -v apt-get >/dev/null; then log "chromium missing and no apt-get on this host"; exit 0; fi

export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show chromium >/dev/null 2>&1; then
  log "apt-get update (no chromium package known yet)"
  apt-get update -qq || log "apt-get update failed"
fi
log "apt-get install chromium"
if ! apt-get install -y -qq --no-install-recommends chromium >/dev/null; then
  log "could not install chromium (apt-get install failed: offline or no such package?)"
  exit 0
fi
path=$(find_chromium) && log "chromium installed ($path)" || log "chromium installed but not on PATH"
exit 0
