#!/usr/bin/env bash
# GPU evidence for the engine runtime (issue 9, runtime part): the RuntimeGpu
# tests (fixtures built for the GPU in fp32/fp16 vs the CPU reference, CUDA
# graph capture and replay, legacy-stream capture fallback, per-layer
# profiling, save/load, timing cache, compute-capability check), then the
# profiled test traced by `gpuscope trace` and mapped by `analyze --layers`
# (our NVTX ranges, domain "TensorRT", one per layer). Run from the repo root
# on the GPU machine with the Release build at build/release:
#   OUT=/some/dir scripts/gpu/runtime_check.sh
# Writes under $OUT: gtest.txt, gtest.xml, trace_layers.txt, verdict.txt.
# Success: verdict.txt says "runtime_check: PASS".
set -uo pipefail
OUT=${OUT:-$PWD/runtime_out}
mkdir -p "$OUT"
ROOT=$PWD
TESTS=$ROOT/build/release/tests/unit_engine_gpu_tests
BIN=$ROOT/build/release/gpuscope
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
VERDICT=$OUT/verdict.txt
: >"$VERDICT"
status=PASS

timeout 240 "$TESTS" --gtest_filter='RuntimeGpu.*' --gtest_output="xml:$OUT/gtest.xml" >"$OUT/gtest.txt" 2>&1
rc=$?
echo "gtest RuntimeGpu.*: exit $rc" | tee -a "$VERDICT"
grep -E '^\[  (PASSED|FAILED|SKIPPED) ' "$OUT/gtest.txt" | tee -a "$VERDICT"
[ $rc -eq 0 ] || status=FAIL
grep -q 'SKIPPED' "$OUT/gtest.txt" && { echo "tests were skipped (no GPU?)" | tee -a "$VERDICT"; status=FAIL; }

if [ -x "$BIN" ]; then
  timeout 120 "$BIN" trace -f -q -o "$WORK/rt.gpuscope" -- "$TESTS" \
    --gtest_filter='RuntimeGpu.ProfileLayersWithAndWithoutCapturedGraph' >"$WORK/trace_run.txt" 2>&1
  echo "trace: exit $?" | tee -a "$VERDICT"
  timeout 120 "$BIN" analyze --layers "$WORK/rt.gpuscope" >"$OUT/trace_layers.txt" 2>&1
  echo "analyze --layers: exit $?" | tee -a "$VERDICT"
  # Every layer name of the tiny CNN's first fused conv must appear as a layer row.
  if grep -q '/conv1/Conv' "$OUT/trace_layers.txt"; then
    echo "layer rows from NVTX: found /conv1/Conv" | tee -a "$VERDICT"
  else
    echo "layer rows from NVTX: /conv1/Conv missing" | tee -a "$VERDICT"
    status=FAIL
  fi
else
  echo "no $BIN: trace step skipped" | tee -a "$VERDICT"
fi
echo "runtime_check: $status" | tee -a "$VERDICT"
[ "$status" = PASS ]
