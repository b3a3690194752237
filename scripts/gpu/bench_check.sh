#!/usr/bin/env bash
# GPU evidence for `gpuscope bench` (issue #10), run from the repo root on the
# GPU machine with the Release build at build/release:
#   OUT=/some/dir bash scripts/gpu/bench_check.sh
# Writes under $OUT (5 files):
#   bench_gpu_tests.txt / .xml  unit_bench_gpu_tests output (all must pass; a failed bench run's
#                               assertion holds its status, stdout and stderr)
#   bench_logs.tar.gz           every bench run's log, timing/profile/layer-info/output JSON, and the
#                               trace/analyze/profile files of the layer comparison
#   summary.txt                 the performance summaries, and a gpuscope bench run per mode
#   layers_vs_profile.txt       `gpuscope trace -- gpuscope bench --dumpProfile` on the tiny BERT
#                               (fp16, batch 2): per layer, the trace's kernel time per inference
#                               (analyze --layers) against the profile's average, and the ratio
# Success: the last line of bench_gpu_tests.txt is "[  PASSED  ] N tests.", summary.txt shows
# `&&&& PASSED` for every mode, and layers_vs_profile.txt ends with "layers within 10%: K of K".
# The tests' logs go to a directory outside $OUT (the runner brings back 8 files), packed at the end.
set -uo pipefail
B=${B:-build/release}
OUT=${OUT:-$B/gpu-out/bench_check}
mkdir -p "$OUT"
LOGS=$(mktemp -d)/bench_logs
mkdir -p "$LOGS"
rc=0
GPUSCOPE_BENCH_LOG_DIR="$LOGS" timeout 240 "$B/tests/unit_bench_gpu_tests" \
  --gtest_output="xml:$OUT/bench_gpu_tests.xml" > "$OUT/bench_gpu_tests.txt" 2>&1 || rc=$?
{
  echo "# unit_bench_gpu_tests exit $rc"
  for f in "$LOGS"/*.log; do
    [ -e "$f" ] || continue
    echo "## $(basename "$f")"
    grep -E "&&&& (PASSED|FAILED)|Throughput|Enqueue Time|GPU Compute Time|H2D Latency|Total Host|\[W\] \*|CUDA graph" "$f"
  done
  # The binary itself, as a trtexec user calls it, on the model the tests wrote.
  model=$(ls "$LOGS"/*cnn.onnx 2>/dev/null | head -1)
  if [ -n "$model" ]; then
    for mode in "" "--useCudaGraph" "--noDataTransfers" "--useCudaGraph --noDataTransfers" "--streams=2 --threads"; do
      echo "## gpuscope bench --onnx=cnn.onnx --shapes=input:8x3x16x16 --duration=1 $mode"
      # shellcheck disable=SC2086
      "$B/gpuscope" bench --onnx="$model" --shapes=input:8x3x16x16 --duration=1 $mode 2>&1 |
        grep -E "&&&&|Throughput|Enqueue Time|GPU Compute Time|\[W\]|\[E\]"
    done
  fi
} > "$OUT/summary.txt" 2>&1

# Trace of a bench run with a separate profiling run: the timed run launches layer by layer (one
# NVTX range per layer: analyze --layers maps its kernels), the profiling run launches the CUDA
# graph with the per-layer events.
bert=$(ls "$LOGS"/*encoder.onnx 2>/dev/null | head -1)
{
  if [ -z "$bert" ]; then
    echo "no encoder.onnx written by the tests"
  else
    W="$LOGS/layers"
    mkdir -p "$W"
    timeout 120 "$B/gpuscope" trace -f -q -o "$W/bert.gpuscope" -- "$B/gpuscope" bench --onnx="$bert" --fp16 \
      --shapes=input_ids:2x8,attention_mask:2x8 --noDataTransfers --warmUp=200 --duration=1 --separateProfileRun \
      --dumpProfile --exportProfile="$W/bert.profile.json" > "$W/bert.bench.log" 2>&1
    echo "# trace+bench exit $?"
    grep -E "&&&&|profiling run|GPU Compute Time" "$W/bert.bench.log"
    "$B/gpuscope" analyze "$W/bert.gpuscope" --layers --format json > "$W/bert.analyze.json" 2> "$W/bert.analyze.err"
    echo "# analyze exit $?"
    rm -f "$W/bert.gpuscope"  # large; the analysis JSON is kept
    python3 - "$W/bert.analyze.json" "$W/bert.profile.json" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1]))
p = json.load(open(sys.argv[2]))
rows = {r["layer"]: r for r in a.get("layers", {}).get("rows", [])}
print("iterations in trace:", a.get("layers", {}).get("iterations"), "profile count:", p[0]["count"])
print(f'{"trace ms/inf":>12} {"profile avg":>12} {"ratio":>7}  layer')
ok = n = 0
tt = tp = 0.0
for rec in p[1:]:
    r = rows.get(rec["name"])
    if r is None:
        print(f'{"-":>12} {rec["averageMs"]:12.5f} {"-":>7}  {rec["name"]} (not in the trace table)')
        continue
    t = r["per_iteration_ns"] / 1e6
    ratio = rec["averageMs"] / t if t > 0 else float("inf")
    n += 1
    ok += abs(ratio - 1) <= 0.10
    tt += t
    tp += rec["averageMs"]
    print(f'{t:12.5f} {rec["averageMs"]:12.5f} {ratio:7.3f}  {rec["name"]}')
print(f"total: trace {tt:.5f} ms, profile {tp:.5f} ms")
print(f"layers within 10%: {ok} of {n}")
EOF
  fi
} > "$OUT/layers_vs_profile.txt" 2>&1
tar -czf "$OUT/bench_logs.tar.gz" -C "$(dirname "$LOGS")" bench_logs 2>/dev/null
rm -rf "$(dirname "$LOGS")"
exit $rc
