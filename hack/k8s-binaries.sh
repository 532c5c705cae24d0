#!/usr/bin/env bash
# Builds the control-plane binaries the tests, the demo and the benchmark run
# (etcd, kube-apiserver, kubectl) from the Go module proxy, once, into a cache
# outside the repo. Prints the directory that holds them.
#
# Why build: there is no other registry for them on a machine without Docker,
# and `go install k8s.io/kubernetes/cmd/...@vX` is refused because kubernetes'
# go.mod replaces its staging repos with local paths. A throw-away wrapper
# module that maps each staging repo to its published v0.Y.Z version works.
#
# KUBEBUILDER_ASSETS (the envtest convention) short-circuits all of this.
set -euo pipefail

KUBE_VERSION="${FASTFLOW_KUBE_VERSION:-v1.37.2}"
ETCD_VERSION="${FASTFLOW_ETCD_VERSION:-v3.6.16}"
HELM_VERSION="${FASTFLOW_HELM_VERSION:-v3.22.0}"

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

cache_root="${FASTFLOW_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fastflow}"
# Bump when the build recipe changes, so that stale caches are rebuilt
# (r2: kube binaries report their version instead of v0.0.0-master).
RECIPE=r2
out="$cache_root/k8s-$KUBE_VERSION-etcd-$ETCD_VERSION-$RECIPE"
want=(etcd kube-apiserver kubectl)
[[ "${1:-}" == "--with-helm" ]] && want+=(helm)

have_all() {
  local b
  for b in "${want[@]}"; do [[ -x "$out/$b" ]] || return 1; done
}
if have_all; then echo "$out"; exit 0; fi

command -v go >/dev/null || { echo "fastflow: Go is needed to build etcd and kube-apiserver (or set KUBEBUILDER_ASSETS)" >&2; exit 1; }
mkdir -p "$out"
# One build at a time, even when the demo and the tests start together.
exec 9>"$out.lock"
flock 9
if have_all; then echo "$out"; exit 0; fi

proxy="${GOPROXY:-https://proxy.golang.org}"
proxy="${proxy%%,*}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$SECONDS
log() { echo "fastflow: $*" >&2; }

build_etcd() {
  log "building etcd $ETCD_VERSION from the Go module proxy (about 1 minute, once)"
  mkdir -p "$work/etcd"
  cd "$work/etcd"
  cat > go.mod <<MOD
module fastflow.local/etcdbuild

go 1.24

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
MOD
  cat > main.go <<'SRC'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
SRC
  go mod tidy >&2
  go build -o "$out/.etcd.tmp" . >&2
  mv -f "$out/.etcd.tmp" "$out/etcd"
}

build_kube() {
  log "building kube-apiserver and kubectl $KUBE_VERSION from the Go module proxy (about 5-8 minutes on 2 cores, once)"
  mkdir -p "$work/kube"
  cd "$work/kube"
  local minor="v0.${KUBE_VERSION#v1.}"
  {
    echo "module fastflow.local/kubebuild"
    echo
    echo "go 1.26"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    echo "replace ("
    curl -fsSL "$proxy/k8s.io/kubernetes/@v/$KUBE_VERSION.mod" \
      | sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\t\1 => \1 '"$minor"'#p'
    echo ")"
  } > go.mod
  cat > tools.go <<'SRC'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
SRC
  go mod tidy >&2
  # What kubernetes' hack/lib/version.sh stamps in: without it the binaries
  # report v0.0.0-master+$Format:%H$ (clients and charts checking the server
  # version, and kubectl's version skew check, then misbehave).
  local ldflags="" pkg kube_minor="${KUBE_VERSION#v1.}"
  kube_minor="${kube_minor%%.*}"
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kube_minor"
    ldflags+=" -X $pkg.gitTreeState=clean"
  done
  go build -ldflags "$ldflags" -o "$out/.kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver >&2
  go build -ldflags "$ldflags" -o "$out/.kubectl.tmp" k8s.io/kubernetes/cmd/kubectl >&2
  mv -f "$out/.kube-apiserver.tmp" "$out/kube-apiserver"
  mv -f "$out/.kubectl.tmp" "$out/kubectl"
}

build_helm() {
  log "building helm $HELM_VERSION from the Go module proxy (about 2 minutes, once)"
  GOBIN="$out" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
}

[[ -x "$out/etcd" ]] || build_etcd
[[ -x "$out/kube-apiserver" && -x "$out/kubectl" ]] || build_kube
if [[ " ${want[*]} " == *" helm "* && ! -x "$out/helm" ]]; then build_helm; fi
log "control-plane binaries ready in $out ($((SECONDS - start)) s)"
echo "$out"
