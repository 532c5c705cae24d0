#!/usr/bin/env bash
# For users with Docker: fastflow on a kind cluster as it runs in production.
# Builds the image from this repository, loads it into kind, installs the Helm
# chart (CRDs, the operator's 2 replicas, a worker pool), runs the
# examples/diamond DAG (built-in actions only) and prints how it went.
#
#   bash hack/kind-install.sh              # create or reuse the cluster, install, run
#   kind delete cluster --name fastflow    # remove everything
#
# Needs docker, kind, kubectl and helm. kubectl and helm are taken from PATH,
# else built by hack/k8s-binaries.sh --with-helm (needs Go; minutes, once).
# Settings: FASTFLOW_KIND_CLUSTER (fastflow), FASTFLOW_INSTALL_NAMESPACE
# (fastflow-system), FASTFLOW_RELEASE (fastflow), FASTFLOW_EXAMPLES_NAMESPACE
# (fastflow-examples), FASTFLOW_WAIT_SECS (180).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cluster="${FASTFLOW_KIND_CLUSTER:-fastflow}"
namespace="${FASTFLOW_INSTALL_NAMESPACE:-fastflow-system}"
release="${FASTFLOW_RELEASE:-fastflow}"
examples="${FASTFLOW_EXAMPLES_NAMESPACE:-fastflow-examples}"
wait_secs="${FASTFLOW_WAIT_SECS:-180}"
image_repo="fastflow"
image_tag="dev"
image="$image_repo:$image_tag"
example_dir="$repo/examples/diamond"

log() { echo "fastflow: $*" >&2; }
die() {
  log "$*"
  exit 1
}

command -v docker >/dev/null || die "docker is needed (https://docs.docker.com/get-docker/)"
command -v kind >/dev/null || die "kind is needed (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)"
docker info >/dev/null 2>&1 || die "docker is installed but its daemon does not answer (docker info)"

# kubectl and helm: PATH first, else the project's own build.
kubectl_bin="$(command -v kubectl || true)"
helm_bin="$(command -v helm || true)"
if [[ -z "$kubectl_bin" || -z "$helm_bin" ]]; then
  log "kubectl or helm not on PATH: using hack/k8s-binaries.sh --with-helm"
  bin_dir="$(bash "$repo/hack/k8s-binaries.sh" --with-helm)"
  [[ -n "$kubectl_bin" ]] || kubectl_bin="$bin_dir/kubectl"
  [[ -n "$helm_bin" ]] || helm_bin="$bin_dir/helm"
fi

if kind get clusters 2>/dev/null | grep -qx "$cluster"; then
  log "reusing kind cluster $cluster"
else
  log "creating kind cluster $cluster"
  kind create cluster --name "$cluster" --wait 120s
fi
kubeconfig="${TMPDIR:-/tmp}/fastflow-kind-$cluster.kubeconfig"
kind get kubeconfig --name "$cluster" >"$kubeconfig"
kubectl() { "$kubectl_bin" --kubeconfig "$kubeconfig" "$@"; }
helm() { "$helm_bin" --kubeconfig "$kubeconfig" "$@"; }

log "building $image"
docker build -t "$image" "$repo"
log "loading $image into kind cluster $cluster"
kind load docker-image "$image" --name "$cluster"
# A new image under the same tag must replace the running pods: its id goes
# into a pod annotation, so the pods roll exactly when the image changed.
image_id="$(docker image inspect --format '{{.Id}}' "$image")"

# Objects of crds/ applied earlier without Helm (e.g. by hack/demo.sh) are adopted by the
# release instead of making the install fail on their ownership.
for obj in $(kubectl get -f "$repo/crds" -o name --ignore-not-found); do
  owner="$(kubectl get "$obj" -o jsonpath='{.metadata.annotations.meta\.helm\.sh/release-name}')"
  if [[ -z "$owner" ]]; then
    log "adopting the existing $obj into release $release"
    kubectl label "$obj" app.kubernetes.io/managed-by=Helm --overwrite >/dev/null
    kubectl annotate "$obj" --overwrite >/dev/null \
      "meta.helm.sh/release-name=$release" "meta.helm.sh/release-namespace=$namespace"
  fi
done

log "installing the chart as release $release in namespace $namespace"
helm upgrade --install "$release" "$repo/charts/fastflow" \
  --namespace "$namespace" --create-namespace \
  --set "image.repository=$image_repo" \
  --set "image.tag=$image_tag" \
  --set image.pullPolicy=Never \
  --set-string "podAnnotations.fastflow\.io/image-id=$image_id" \
  --wait --timeout 5m
kubectl -n "$namespace" get deployments,pods -l "app.kubernetes.io/instance=$release"

log "running $example_dir in namespace $examples"
kubectl create namespace "$examples" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
instance="$(kubectl create --dry-run=client -o name -f "$example_dir/instance.yaml")"
# An instance's spec is immutable and a finished one stays finished: start afresh.
kubectl -n "$examples" delete "$instance" --ignore-not-found --wait >/dev/null
kubectl -n "$examples" apply -f "$example_dir"

deadline=$((SECONDS + wait_secs))
phase=""
shown=""
while ((SECONDS < deadline)); do
  phase="$(kubectl -n "$examples" get "$instance" -o jsonpath='{.status.phase} {.status.progress}')"
  if [[ "$phase" != "$shown" ]]; then
    log "$instance: ${phase:-Pending}"
    shown="$phase"
  fi
  case "${phase%% *}" in
    Succeeded | Failed | Canceled) break ;;
  esac
  sleep 1
done

echo
kubectl -n "$examples" get "$instance"
echo
printf 'TASK\tPHASE\tWORKER\tSTARTED\tFINISHED\n'
# shellcheck disable=SC2016 # a Go template, not shell expansions
kubectl -n "$examples" get "$instance" -o go-template='{{range $id, $t := .status.tasks}}{{$id}}{{"\t"}}{{$t.phase}}{{"\t"}}{{$t.worker}}{{"\t"}}{{or $t.startedAt "-"}}{{"\t"}}{{or $t.finishedAt "-"}}{{"\n"}}{{end}}'
echo

case "${phase%% *}" in
  Succeeded)
    log "$instance succeeded."
    ;;
  Failed | Canceled)
    kubectl -n "$examples" get "$instance" -o jsonpath='{.status.message}{"\n"}' >&2
    die "$instance ended ${phase%% *}; logs: kubectl --kubeconfig $kubeconfig -n $namespace logs -l app.kubernetes.io/instance=$release --prefix"
    ;;
  *)
    die "$instance did not finish within $wait_secs s (phase: ${phase:-none}); see kubectl --kubeconfig $kubeconfig -n $namespace get pods"
    ;;
esac
log "the cluster stays up: export KUBECONFIG=$kubeconfig (or kubectl --context kind-$cluster)"
log "try: kubectl get dag,dagi -A; remove it all with: kind delete cluster --name $cluster"
