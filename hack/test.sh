#!/usr/bin/env bash
# The whole test suite on a fresh machine: typecheck, lint, unit tests and
# integration tests on a real local control plane. See README.md.
# shellcheck source=lib/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
# Build (or find) the control-plane binaries before vitest starts, so a first
# run prints the build progress instead of looking stuck.
bash hack/k8s-binaries.sh --with-helm >/dev/null
exec npm test
