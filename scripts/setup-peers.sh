#!/usr/bin/env bash
# Installs the local peers the tests talk to, idempotently, under .peers/ (gitignored):
#   .peers/venv  Python venv: a2a-sdk (official A2A client), moto (AWS), boto3, slack_sdk, PyNaCl, pytest
#   kubectl      Debian's kubernetes-client when no kubectl is on PATH
#   .peers/node  npm packages (the MCP reference server)
# Re-running does nothing when everything is already in place.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
peers="$root/.peers"
mkdir -p "$peers"

say() { printf '[setup-peers] %s\n' "$*"; }

# --- Python venv -----------------------------------------------------------------------------
req="$root/tests/python/requirements.txt"
stamp="$peers/venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ ! -x "$peers/venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "creating Python venv with $(python3 --version)"
  python3 -m venv "$peers/venv"
  "$peers/venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
  "$peers/venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
else
  say "Python venv up to date"
fi

# --- kubectl ---------------------------------------------------------------------------------
if command -v kubectl >/dev/null 2>&1; then
  say "kubectl: $(command -v kubectl)"
else
  say "installing Debian's kubernetes-client (kubectl)"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq kubernetes-client >/dev/null
fi

# --- npm packages ----------------------------------------------------------------------------
node_pkgs="$root/tests/node/package.json"
if [ -f "$node_pkgs" ]; then
  mkdir -p "$peers/node"
  cp "$node_pkgs" "$peers/node/package.json"
  [ -f "$root/tests/node/package-lock.json" ] && cp "$root/tests/node/package-lock.json" "$peers/node/"
  if [ ! -d "$peers/node/node_modules" ] || [ "$node_pkgs" -nt "$peers/node/node_modules" ]; then
    say "installing npm peers"
    (cd "$peers/node" && npm install --silent --no-audit --no-fund >/dev/null)
    touch "$peers/node/node_modules"
  else
    say "npm peers up to date"
  fi
fi
say "ready"
