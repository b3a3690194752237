#!/usr/bin/env bash
# A/B of the tracer's per-call cost on the GPU machine: the empty-launch loop and the
# small-kernel PyTorch loop, untraced vs traced with the default API filter (hot query
# APIs disabled per callback id) vs --cuda-trace-all-apis (no per-id disabling), three
# interleaved repetitions each. Writes $OUT/overhead_ab.txt.
set -uo pipefail
OUT=${OUT:-$PWD/overhead_out}; mkdir -p "$OUT"
GS=${GPUSCOPE:-$PWD/build/release/gpuscope}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
nvcc -O2 -arch=sm_90 -o "$W/eb" tests/gpu/empty_launch_bench.cu || exit 1
r="$OUT/overhead_ab.txt"; : >"$r"
for rep in 1 2 3; do
  echo "rep $rep empty untraced:      $("$W/eb" 100000)" | tee -a "$r"
  echo "rep $rep empty traced filter:  $("$GS" trace -q --force -o "$W/a.gpuscope" -- "$W/eb" 100000)" | tee -a "$r"
  echo "rep $rep empty traced all-api: $("$GS" trace -q --force --cuda-trace-all-apis -o "$W/b.gpuscope" -- "$W/eb" 100000)" | tee -a "$r"
done
for rep in 1 2 3; do
  echo "rep $rep small untraced:      $(python3 tests/gpu/torch_workloads.py small --steps 200 2>/dev/null | sed -n 's/^RESULT //p')" | tee -a "$r"
  echo "rep $rep small traced filter:  $("$GS" trace -q --force -o "$W/c.gpuscope" -- python3 tests/gpu/torch_workloads.py small --steps 200 2>/dev/null | sed -n 's/^RESULT //p')" | tee -a "$r"
  echo "rep $rep small traced all-api: $("$GS" trace -q --force --cuda-trace-all-apis -o "$W/d.gpuscope" -- python3 tests/gpu/torch_workloads.py small --steps 200 2>/dev/null | sed -n 's/^RESULT //p')" | tee -a "$r"
done
