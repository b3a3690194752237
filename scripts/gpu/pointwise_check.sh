#!/usr/bin/env bash
# GPU evidence for the generated pointwise kernels (gpu/pointwise/): runs the
# PointwiseGpu tests (every elementwise op and fused programs vs the CPU
# interpreter, both tactics, NVRTC cache, CUDA-graph capture) and the CPU /
# NVRTC-compile suite. Run from the repo root with the Release build at
# build/release; writes logs and gtest XML under $OUT. Success: both logs end
# in "[  PASSED  ]" with no "SKIPPED" line in pointwise_gpu.log.
set -uo pipefail
OUT=${OUT:-$PWD/build/release/gpu-out/pointwise_check}
BUILD=${BUILD:-build/release}
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version,compute_cap --format=csv > "$OUT/gpu.csv" 2>&1 || true
rc=0
timeout 240 "$BUILD/tests/unit_engine_gpu_tests" --gtest_filter='PointwiseGpu.*' \
  --gtest_output="xml:$OUT/pointwise_gpu.xml" > "$OUT/pointwise_gpu.log" 2>&1 || rc=1
timeout 120 "$BUILD/tests/unit_engine_pointwise_tests" \
  --gtest_output="xml:$OUT/pointwise_cpu.xml" > "$OUT/pointwise_cpu.log" 2>&1 || rc=1
tail -3 "$OUT/pointwise_gpu.log" "$OUT/pointwise_cpu.log"
exit $rc
