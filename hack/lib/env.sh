# shellcheck shell=bash
# Sourced by the README's commands: makes a fresh machine ready, idempotently.
# - npm dependencies, reinstalled when package-lock.json changes;
# - Node 24 from the npm package `node@24` (the machine's Node may be older):
#   node_modules/.bin goes first on PATH, so every `node` below is Node 24;
# - the control-plane binaries are built on first use by hack/k8s-binaries.sh.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

command -v npm >/dev/null || { echo "fastflow: npm is needed (any Node >= 18 with npm)" >&2; exit 1; }
stamp="node_modules/.fastflow-install"
if [[ ! -x node_modules/.bin/node || ! -f "$stamp" || package-lock.json -nt "$stamp" ]]; then
  echo "fastflow: installing npm dependencies and Node 24 (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  touch "$stamp"
fi
# The test suite runs shellcheck on hack/'s scripts; Debian has it.
if ! command -v shellcheck >/dev/null && command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
  echo "fastflow: installing shellcheck (apt-get)" >&2
  { apt-get install -y -qq shellcheck || { apt-get update -qq && apt-get install -y -qq shellcheck; }; } >/dev/null 2>&1 || true
fi
export PATH="$repo/node_modules/.bin:$PATH"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 22 )); then
  echo "fastflow: node_modules/.bin/node is Node $node_major; expected 24 (npm package node@24)" >&2
  exit 1
fi
