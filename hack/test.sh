#!/usr/bin/env bash
# The whole test suite on a fresh machine: typecheck, lint, unit tests,
# integration tests on a real local control plane, and the short fault suite.
# See README.md.
# shellcheck source=lib/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
# Build (or find) the control-plane binaries before vitest starts, so a first
# run prints the build progress instead of looking stuck.
bash hack/k8s-binaries.sh --with-helm >/dev/null
# The web view's tests drive Debian's Chromium (installed or unpacked on first use).
FASTFLOW_CHROMIUM="$(bash hack/chromium.sh)"
export FASTFLOW_CHROMIUM
npm test
# The short profile of the fault suite (issue "Never lose, never hang"): kill -9
# of the leader and of a worker, a zombie worker, 122 bad inputs; ~1-2 minutes.
exec npm run faults -- --profile short
