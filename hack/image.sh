#!/usr/bin/env bash
# The fastflow image without a Docker engine: builds it as an OCI image with
# umoci and runs it with runc, as the chart's pods run it (uid 1000, read-only
# root filesystem).
#
#   bash hack/image.sh build              # prints the OCI layout's path (image:tag)
#   bash hack/image.sh run NAME KUBECONFIG -- operator|worker [ARGS...]
#
# The Dockerfile is the source of truth: `build` reads its final stage (COPY
# sources, ENV, WORKDIR, USER, ENTRYPOINT) and runs its deps stage's command
# (`npm ci --omit=dev ...`), so a line changed there changes this image. Only
# the base differs: `FROM node:24-slim` cannot be pulled here (no registry but
# npm, Go's proxy and Debian), so the base is the Node 24 binary of the npm
# package node@24 (the repo's own Node) and the shared libraries it links.
#
# `run` passes the caller's FASTFLOW_* variables into the container, shares
# the host's network (so a loopback API server is reachable) and mounts a copy
# of the kubeconfig read-only. Needs root; installs umoci and runc with apt-get if
# missing. FASTFLOW_IMAGE_CACHE (default ~/.cache/fastflow/image) holds the
# layout, unpacked roots and per-lockfile production node_modules.
# shellcheck source=lib/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cache="${FASTFLOW_IMAGE_CACHE:-$HOME/.cache/fastflow/image}"
layout="$cache/oci"
tag=dev

need_tools() {
  if [[ $(id -u) != 0 ]]; then
    echo "fastflow: hack/image.sh needs root (umoci keeps file owners; runc runs the container)" >&2
    exit 1
  fi
  mkdir -p "$cache"
  command -v umoci >/dev/null && command -v runc >/dev/null && return
  echo "fastflow: installing umoci and runc (apt-get)" >&2
  { apt-get install -y -qq umoci runc || { apt-get update -qq && apt-get install -y -qq umoci runc; }; } >/dev/null 2>&1
  if ! command -v umoci >/dev/null || ! command -v runc >/dev/null; then
    echo "fastflow: umoci and runc are needed (apt-get install umoci runc)" >&2
    exit 1
  fi
}

# The Dockerfile's instructions of its final stage (after the last FROM).
final_stage() {
  awk '/^FROM /{n=NR} {line[NR]=$0} END{for(i=n+1;i<=NR;i++) print line[i]}' Dockerfile
}
json_words() { node -e 'for (const w of JSON.parse(process.argv[1])) console.log(w)' "$1"; }

# node_modules of `npm ci --omit=dev` (the deps stage's RUN), once per lockfile.
production_modules() {
  local key dir run
  key="$(cat package.json package-lock.json | sha256sum | cut -c1-16)"
  dir="$cache/modules-$key"
  if [[ ! -d "$dir/node_modules" ]]; then
    run="$(awk '/^FROM .* AS deps/{d=1} d && /^RUN /{sub(/^RUN /,""); print; exit}' Dockerfile)"
    [[ "$run" == "npm ci "* ]] || { echo "fastflow: Dockerfile's deps stage has no 'RUN npm ci'" >&2; exit 1; }
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    cp package.json package-lock.json "$dir.tmp/"
    (cd "$dir.tmp" && eval "$run" >&2)
    # Older lockfiles' modules go; not the ones just installed (modules-<key>.tmp).
    find "$cache" -maxdepth 1 -name 'modules-*' ! -name "modules-$key.tmp" -exec rm -rf {} +
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir/node_modules"
}

# Node and its shared libraries (ldd), an /etc/passwd naming uid 1000 `node`
# as node:24-slim does, and the final stage's files under its WORKDIR.
rootfs() {
  local root="$1" node workdir src dest lib
  node="$(readlink -f node_modules/.bin/node)"
  workdir="$(final_stage | awk '/^WORKDIR /{print $2}' | tail -1)"
  mkdir -p "$root/usr/local/bin" "$root/etc" "$root/tmp" "$root/$workdir"
  chmod 1777 "$root/tmp"
  cp "$node" "$root/usr/local/bin/node"
  command -v strip >/dev/null && strip --strip-debug "$root/usr/local/bin/node"
  for lib in $(ldd "$node" | grep -o '/[^ ]*'); do cp -L --parents "$lib" "$root/"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' >"$root/etc/group"
  cp -a "$(production_modules)" "$root/$workdir/node_modules"
  local words
  while read -r -a words; do
    dest="${words[-1]}"
    [[ "$dest" == ./* ]] && dest="$workdir/${dest#./}"
    mkdir -p "$root/$dest"
    # Docker's COPY: a folder's contents go into dest; a file goes into dest/.
    for src in "${words[@]:0:${#words[@]}-1}"; do
      if [[ -d "$src" ]]; then cp -a "$src/." "$root/$dest/"; else cp -a "$src" "$root/$dest/"; fi
    done
  done < <(final_stage | awk '/^COPY / && !/--from/ {$1=""; print}')
  # .dockerignore's exclusions (its `*` and `!` lines are what COPY names
  # anyway); every COPY keeps its path under WORKDIR, so a context path maps there.
  while read -r pattern; do
    if [[ "$pattern" == '**/'* ]]; then
      find "$root/$workdir" -name "${pattern#'**/'}" -exec rm -rf {} +
    else
      rm -rf "${root:?}/$workdir/${pattern%/}"
    fi
  done < <(grep -v -e '^#' -e '^!' -e '^\*$' -e '^$' .dockerignore)
}

build() {
  need_tools
  local root config=() line
  root="$(mktemp -d)"
  trap 'rm -rf "$root"' RETURN
  rootfs "$root/rootfs"
  rm -rf "$layout"
  umoci init --layout "$layout"
  umoci new --image "$layout:$tag"
  umoci insert --image "$layout:$tag" "$root/rootfs" /
  while read -r line; do
    case "$line" in
      ENV\ *) config+=(--config.env "${line#ENV }") ;;
      WORKDIR\ *) config+=(--config.workingdir "${line#WORKDIR }") ;;
      USER\ *) config+=(--config.user "${line#USER }") ;;
      ENTRYPOINT\ *) while read -r w; do config+=(--config.entrypoint "$w"); done < <(json_words "${line#ENTRYPOINT }") ;;
    esac
  done < <(final_stage)
  umoci config --image "$layout:$tag" --clear=config.entrypoint \
    --config.env PATH=/usr/local/bin:/usr/bin:/bin "${config[@]}"
  umoci gc --layout "$layout"
  # Roots and bundles of earlier builds are stale now.
  rm -rf "$cache"/unpacked-* "$cache"/run-*
  unpack >/dev/null
  echo "$layout:$tag"
}

# The image's root, unpacked once per image (containers share it read-only).
# Unpacked aside and renamed, so containers started together never see half of it.
unpack() {
  local digest dir
  digest="$(umoci stat --image "$layout:$tag" --json | sha256sum | cut -c1-16)"
  dir="$cache/unpacked-$digest"
  if [[ ! -d "$dir" ]]; then
    rm -rf "$dir.$$" && umoci unpack --image "$layout:$tag" "$dir.$$" >/dev/null
    mv -T "$dir.$$" "$dir" 2>/dev/null || rm -rf "$dir.$$"
  fi
  echo "$dir"
}

# One container: the image's root (unpacked once per image digest) read-only,
# the image's user and entrypoint, the host's network, `args` after the
# entrypoint. Replaces this shell with `runc run`, so signals reach the container.
run() {
  need_tools
  local name="$1" kubeconfig="$2" unpacked bundle
  shift 2
  [[ "${1:-}" == "--" ]] && shift
  [[ -d "$layout" ]] || build >/dev/null
  unpacked="$(unpack)"
  bundle="$cache/run-$name"
  rm -rf "$bundle" && mkdir -p "$bundle"
  # A copy the container's uid 1000 can read (kubeconfigs are often 0600 root).
  install -m 0444 "$kubeconfig" "$bundle/kubeconfig"
  node - "$unpacked" "$bundle" "$name" "$@" <<'EOF'
const { readFileSync, writeFileSync } = require('node:fs');
const [unpacked, bundle, name, ...args] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(`${unpacked}/config.json`, 'utf8'));
// The container's name as its hostname, as a pod's name is (fastflow's default identity).
spec.hostname = name;
spec.root = { path: `${unpacked}/rootfs`, readonly: true };
spec.process.terminal = false;
spec.process.args = [...spec.process.args, ...args];
const passed = Object.entries(process.env).filter(([k]) => k.startsWith('FASTFLOW_'));
spec.process.env = [
  ...spec.process.env,
  'KUBECONFIG=/etc/fastflow/kubeconfig',
  ...passed.map(([k, v]) => `${k}=${v}`),
];
// The chart's securityContext: no capabilities, no privilege escalation, and
// /tmp an emptyDir (here a tmpfs of the same size limit).
spec.process.noNewPrivileges = true;
spec.process.capabilities = { bounding: [], effective: [], permitted: [], ambient: [] };
spec.mounts.push({
  destination: '/tmp',
  type: 'tmpfs',
  source: 'tmpfs',
  options: ['nosuid', 'nodev', 'mode=1777', 'size=64m'],
});
spec.mounts.push({
  destination: '/etc/fastflow/kubeconfig',
  type: 'bind',
  source: `${bundle}/kubeconfig`,
  options: ['rbind', 'ro'],
});
// The host's network: the local control plane listens on loopback.
spec.linux.namespaces = spec.linux.namespaces.filter((n) => n.type !== 'network');
writeFileSync(`${bundle}/config.json`, JSON.stringify(spec, null, 2));
EOF
  runc delete --force "$name" >/dev/null 2>&1 || true
  exec runc run --bundle "$bundle" "$name"
}

case "${1:-}" in
  build) build ;;
  run) shift && run "$@" ;;
  *) echo "usage: bash hack/image.sh build | run NAME KUBECONFIG -- ARGS..." >&2 && exit 2 ;;
esac
