#!/usr/bin/env bash
# For users with Docker: the demo against a kind cluster instead of the local
# control plane. The operators and workers run as local processes against it,
# exactly as out of cluster. Run the integration tests against the same
# cluster with: FASTFLOW_TEST_KUBECONFIG=<kubeconfig> bash hack/test.sh
set -euo pipefail
cluster="${FASTFLOW_KIND_CLUSTER:-fastflow}"
command -v kind >/dev/null || { echo "fastflow: kind is needed (https://kind.sigs.k8s.io)" >&2; exit 1; }
if ! kind get clusters | grep -qx "$cluster"; then
  kind create cluster --name "$cluster"
fi
kubeconfig="${TMPDIR:-/tmp}/fastflow-kind-$cluster.kubeconfig"
kind get kubeconfig --name "$cluster" > "$kubeconfig"
echo "fastflow: kind cluster $cluster, KUBECONFIG=$kubeconfig"
exec bash "$(dirname "${BASH_SOURCE[0]}")/demo.sh" --kubeconfig "$kubeconfig"
