#!/usr/bin/env bash
# Finds (or installs) the headless Chromium the web view's tests drive with
# playwright-core, and prints its path. No browser download exists here, so
# Debian's `chromium` package is used: installed with apt-get when the
# machine lets us (root), else its .deb and those of its missing libraries
# fetched with `apt-get download` and unpacked into ~/.cache/fastflow.
# FASTFLOW_CHROMIUM (a path to the binary) short-circuits all of this.
set -euo pipefail

if [[ -n "${FASTFLOW_CHROMIUM:-}" ]]; then
  echo "$FASTFLOW_CHROMIUM"
  exit 0
fi
cache_root="${FASTFLOW_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fastflow}"
unpacked="$cache_root/chromium/usr/lib/chromium/chromium"
for candidate in /usr/lib/chromium/chromium "$unpacked"; do
  if [[ -x "$candidate" ]]; then
    echo "$candidate"
    exit 0
  fi
done
command -v apt-get >/dev/null || {
  echo "fastflow: the web view's tests need Chromium: install it, or set FASTFLOW_CHROMIUM" >&2
  exit 1
}
if [[ $(id -u) == 0 ]]; then
  echo "fastflow: installing chromium (apt-get)" >&2
  { apt-get install -y -qq chromium || { apt-get update -qq && apt-get install -y -qq chromium; }; } >&2
  echo /usr/lib/chromium/chromium
  exit 0
fi
# Not root: unpack chromium and the libraries it needs that are not installed.
echo "fastflow: unpacking chromium into $cache_root/chromium (apt-get download)" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
missing=(chromium chromium-common)
while read -r dep; do
  dpkg -s "$dep" >/dev/null 2>&1 || missing+=("$dep")
done < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
  --no-breaks --no-replaces --no-enhances chromium | grep '^\w' | sort -u)
apt-get download "${missing[@]}" >&2
mkdir -p "$cache_root/chromium"
for deb in ./*.deb; do dpkg -x "$deb" "$cache_root/chromium"; done
echo "$unpacked"
