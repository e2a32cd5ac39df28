#!/usr/bin/env bash
# Installs what the project needs to build and test: npm packages (from the lock file) and, for the tests,
# Debian's redis-server, dash and shellcheck. Cheap when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_NO_CLOUD=true NX_DAEMON=false

stamp=node_modules/.ci-stack-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "ensure-deps: installing npm packages" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  touch "$stamp"
fi

# For the tests: redis-server (Redis store), dash and shellcheck (cimaster's shell client), chromium (the browser
# tests drive Debian's Chromium with playwright-core; no browser is ever downloaded).
if [ "${1:-}" = "--test" ]; then
  missing=()
  for tool in redis-server dash shellcheck chromium; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "ensure-deps: installing ${missing[*]} (Debian)" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
fi
