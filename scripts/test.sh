#!/usr/bin/env bash
# Runs every test that needs no GPU: builds (Release), runs each libFuzzer
# target for a bounded time on its seed corpus (clang build, ASan+UBSan), then
# the CTest suite (unit, CLI, golden, fuzz-corpus replay).
# GPUSCOPE_FUZZ_SECONDS=N sets the time per fuzz target (default 20; 0 skips).
set -euo pipefail
cd "$(dirname "$0")/.."

cmake --preset release >/dev/null
cmake --build --preset release

fuzz_seconds=${GPUSCOPE_FUZZ_SECONDS:-20}
if [[ "$fuzz_seconds" -gt 0 ]]; then
  cmake --preset fuzz >/dev/null
  targets=(kineto_json nsys_rows trace_file onnx engine_file pointwise_program ncu_csv)
  cmake --build --preset fuzz --target "${targets[@]/#/fuzz_}"
  for t in "${targets[@]}"; do
    work="build/fuzz/corpus-$t"
    mkdir -p "$work"
    echo "fuzz: $t for ${fuzz_seconds}s"
    "build/fuzz/fuzz/fuzz_$t" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 \
      -print_final_stats=0 "$work" "fuzz/corpus/$t" 2>"build/fuzz/fuzz_$t.log" ||
      { tail -50 "build/fuzz/fuzz_$t.log"; echo "fuzz: $t FAILED"; exit 1; }
    grep -E "^#[0-9]+.*DONE" "build/fuzz/fuzz_$t.log" | tail -1 || true
  done
fi

ctest --preset release -LE gpu -j2
