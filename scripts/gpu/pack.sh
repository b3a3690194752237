#!/usr/bin/env bash
# Packs a Release build for the GPU machine: the gpuscope binary, its injection
# libraries and the non-system shared libraries they need (from Debian 12), into
# DIR (default .device), small enough to travel (< 64 MiB). On the GPU machine:
#   export LD_LIBRARY_PATH=$PWD/.device/lib:$LD_LIBRARY_PATH; .device/bin/gpuscope ...
# cuDNN, cuBLAS(Lt) and NVRTC are not packed (hundreds of MiB): the GPU machine
# has them (CUDA toolkit; cuDNN in PyTorch's wheel, see scripts/gpu/engine_check.sh).
# Extra binaries of the build (test executables) go to DIR/bin too.
# Usage: scripts/gpu/pack.sh BUILD_DIR [DIR [EXTRA_BINARY...]]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?build dir}
dest=${2:-.device}
shift; shift || true
rm -rf "$dest"
mkdir -p "$dest/bin" "$dest/lib"
cp "$build/gpuscope" "$build/gpuscope-bench" "$dest/bin/"
for extra in "$@"; do cp "$build/$extra" "$dest/bin/"; done
find "$build" -maxdepth 3 -name 'libgpuscope_*.so' -exec cp {} "$dest/lib/" \;
for f in "$dest"/bin/* "$dest"/lib/*.so; do
  ldd "$f" | awk '/=> \// {print $3}' | while read -r lib; do
    case "$(basename "$lib")" in
      libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|ld-linux*|libcuda.so*|libcupti.so*|libnvperf*|libcudart.so*|libcublas*|libcudnn*|libnvrtc*) ;;
      *) cp -n "$lib" "$dest/lib/" ;;
    esac
  done
done
strip "$dest"/bin/* 2>/dev/null || true
du -sh "$dest"
