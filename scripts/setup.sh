#!/usr/bin/env bash
# Installs what gpuscope needs on Debian 12 and builds it (Release).
# Usage: bash scripts/setup.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config ccache clang libclang-rt-14-dev
  libcli11-dev libfmt-dev libsimdjson-dev nlohmann-json3-dev
  libsqlite3-dev sqlite3 zlib1g-dev libzstd-dev
  libgtest-dev libgmock-dev libbenchmark-dev python3
  libgraphviz-dev graphviz chromium
  libonnx-dev libprotobuf-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ "${1:-}" != "--no-build" ]]; then
  cmake --preset release >/dev/null
  cmake --build --preset release
fi
