#!/usr/bin/env bash
# The demo on a fresh machine: local control plane, two operators, two
# workers, the examples run to completion. See README.md.
# shellcheck source=lib/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
exec node hack/demo.ts "$@"
