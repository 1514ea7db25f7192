#!/usr/bin/env bash
# scripts/chromium.sh — makes sure Debian's Chromium is installed for the web UI tests
# (driven by playwright-core; never `npx playwright install`, which downloads its own build).
#
#   bash scripts/chromium.sh        # installs with apt-get when missing (root), prints the path
#
# RIGHTSIZE_CHROMIUM names another Chromium/Chrome binary to use instead.
set -euo pipefail
log() { printf 'chromium.sh: %s\n' "$*" >&2; }
die() { printf 'chromium.sh: ERROR: %s\n' "$*" >&2; exit 1; }

bin="${RIGHTSIZE_CHROMIUM:-}"
if [[ -n "${bin}" ]]; then
  [[ -x "${bin}" ]] || die "RIGHTSIZE_CHROMIUM=${bin} is not an executable"
else
  bin="$(command -v chromium || true)"
  if [[ -z "${bin}" ]]; then
    [[ "${EUID}" -eq 0 ]] || die "chromium is not installed; as root: apt-get install -y chromium (or set RIGHTSIZE_CHROMIUM)"
    command -v apt-get >/dev/null 2>&1 || die "chromium is not installed and there is no apt-get; set RIGHTSIZE_CHROMIUM"
    log "installing chromium with apt-get"
    apt-get update -qq >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2 || die "apt-get install chromium failed"
    bin="$(command -v chromium)" || die "chromium still missing after apt-get install"
  fi
fi
"${bin}" --version >&2 || die "${bin} --version failed"
printf '%s\n' "${bin}"
