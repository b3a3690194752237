#!/usr/bin/env bash
# GPU evidence for `gpuscope bench` (issue #10), run from the repo root on the
# GPU machine with the Release build at build/release:
#   OUT=/some/dir bash scripts/gpu/bench_check.sh
# Writes under $OUT (4 files):
#   bench_gpu_tests.txt / .xml  unit_bench_gpu_tests output (all must pass)
#   bench_logs.tar.gz           every bench run's log, timing/profile/layer-info/output JSON
#   summary.txt                 the performance summaries, and a gpuscope bench run per mode
# Success: the last line of bench_gpu_tests.txt is "[  PASSED  ] N tests." and
# summary.txt shows `&&&& PASSED` for every mode.
set -uo pipefail
B=${B:-build/release}
OUT=${OUT:-$B/gpu-out/bench_check}
mkdir -p "$OUT"
rc=0
OUT="$OUT" timeout 240 "$B/tests/unit_bench_gpu_tests" --gtest_output="xml:$OUT/bench_gpu_tests.xml" \
  > "$OUT/bench_gpu_tests.txt" 2>&1 || rc=$?
{
  echo "# unit_bench_gpu_tests exit $rc"
  for f in "$OUT"/bench_logs/*.log; do
    [ -e "$f" ] || continue
    echo "## $(basename "$f")"
    grep -E "&&&& (PASSED|FAILED)|Throughput|Enqueue Time|GPU Compute Time|H2D Latency|Total Host|\[W\] \*|CUDA graph" "$f"
  done
  # The binary itself, as a trtexec user calls it, on the model the tests wrote.
  model=$(ls "$OUT"/bench_logs/*cnn.onnx 2>/dev/null | head -1)
  if [ -n "$model" ]; then
    for mode in "" "--useCudaGraph" "--noDataTransfers" "--useCudaGraph --noDataTransfers"; do
      echo "## gpuscope bench --onnx=cnn.onnx --shapes=input:8x3x16x16 --duration=1 $mode"
      # shellcheck disable=SC2086
      "$B/gpuscope" bench --onnx="$model" --shapes=input:8x3x16x16 --duration=1 $mode 2>&1 |
        grep -E "&&&&|Throughput|Enqueue Time|GPU Compute Time|\[W\]|\[E\]"
    done
  fi
} > "$OUT/summary.txt" 2>&1
tar -czf "$OUT/bench_logs.tar.gz" -C "$OUT" bench_logs 2>/dev/null && rm -rf "$OUT/bench_logs"
exit $rc
