#!/usr/bin/env bash
# GPU evidence for `gpuscope kernels` (issue 8): the same kernels profiled by
# gpuscope and by ncu in one run, values compared metric by metric, and the
# time each tool takes. Run from the repo root on the GPU machine with the
# Release build at build/release (gpuscope + libgpuscope_profiler_inject.so):
#   OUT=/some/dir scripts/gpu/profiler_check.sh
# Writes under $OUT (8 files): compare.txt (the verdicts, timings, exit-code
# checks), log.txt (stderr of every run, console report sample), and the six
# CSVs the comparison read: {gpuscope,ncu}_{basic,metrics,torch}.csv.
set -uo pipefail
OUT=${OUT:-$PWD/profiler_out}
mkdir -p "$OUT"
ROOT=$PWD
BIN=$ROOT/build/release/gpuscope
NCU=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
NVCC=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# The verdicts collect in $REPORT; compare.txt is written at the end with
# the clock and cache settings (and what each tool measured) on top.
REPORT=$WORK/body.txt
LOG=$OUT/log.txt
# Both tools get the same, explicit clock and cache control (ncu's defaults).
CLOCK=${CLOCK:-base}
CACHE=${CACHE:-all}
CTL=(--clock-control "$CLOCK" --cache-control "$CACHE")
: >"$REPORT"
: >"$LOG"
say() { echo "$*" | tee -a "$REPORT"; }

# Runs a command with a wall-clock limit, stdout to $1, stderr to the log;
# prints the seconds taken and records the exit code in RC.
timed() {
  local out=$1 name=$2
  shift 2
  echo "### $name: $*" >>"$LOG"
  local t0 t1
  t0=$(date +%s.%N)
  timeout 150 "$@" >"$out" 2>>"$LOG"
  RC=$?
  t1=$(date +%s.%N)
  ELAPSED=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
  say "time $name: ${ELAPSED} s (exit $RC)"
}

say "== environment"
SMI_BEFORE=$(nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,clocks.applications.graphics --format=csv 2>&1)
echo "$SMI_BEFORE" | tee -a "$REPORT"
"$NCU" --version 2>&1 | tail -1 | tee -a "$REPORT"
say "user: $(id -un); gpuscope: $BIN"
ls -la "$ROOT/build/release/libgpuscope_profiler_inject.so" >>"$REPORT" 2>&1

say "== build tests/gpu/profiler/prog.cu"
if ! "$NVCC" -O2 -std=c++17 -arch=native -o "$WORK/prog" tests/gpu/profiler/prog.cu -lcublas >>"$LOG" 2>&1; then
  say "nvcc failed (see log.txt)"; cp "$REPORT" "$OUT/compare.txt"; exit 1
fi
timed "$WORK/native.txt" "native ./prog" "$WORK/prog"
cat "$WORK/native.txt" >>"$LOG"

SECTIONS="SpeedOfLight,LaunchStats,Occupancy"
NCU_SECTIONS=(--section SpeedOfLight --section LaunchStats --section Occupancy)

say "== pair 1: ${SECTIONS} on prog (cuBLAS SGEMM/HGEMM, saxpy, reduction)"
timed "$OUT/gpuscope_basic.csv" "gpuscope basic" "$BIN" kernels "${CTL[@]}" --section "$SECTIONS" --csv -- "$WORK/prog"
timed "$OUT/ncu_basic.csv" "ncu basic" "$NCU" "${CTL[@]}" "${NCU_SECTIONS[@]}" --csv "$WORK/prog"
python3 tests/gpu/profiler/compare.py basic "$OUT/gpuscope_basic.csv" "$OUT/ncu_basic.csv" | tee -a "$REPORT"

say "== pair 2: memory workload + roofline counters on prog"
M=smsp__sass_thread_inst_executed_op_fadd_pred_on.sum.per_cycle_elapsed
M=$M,smsp__sass_thread_inst_executed_op_fmul_pred_on.sum.per_cycle_elapsed
M=$M,smsp__sass_thread_inst_executed_op_ffma_pred_on.sum.per_cycle_elapsed
M=$M,smsp__sass_thread_inst_executed_op_hfma_pred_on.sum.per_cycle_elapsed
M=$M,smsp__cycles_elapsed.avg.per_second,sm__cycles_elapsed.avg.per_second
M=$M,sm__sass_thread_inst_executed_op_ffma_pred_on.sum.peak_sustained
M=$M,dram__bytes.sum.peak_sustained,dram__cycles_elapsed.avg.per_second,dram__bytes.sum.per_second
M=$M,dram__bytes_read.sum,dram__bytes_write.sum,lts__t_bytes.sum,gpu__time_duration.sum
timed "$OUT/gpuscope_metrics.csv" "gpuscope metrics" "$BIN" kernels "${CTL[@]}" --section MemoryWorkloadAnalysis,Roofline \
  --metrics "$M" --csv -- "$WORK/prog"
timed "$OUT/ncu_metrics.csv" "ncu metrics" "$NCU" "${CTL[@]}" --section MemoryWorkloadAnalysis --metrics "$M" --csv "$WORK/prog"
python3 tests/gpu/profiler/compare.py metrics "$OUT/gpuscope_metrics.csv" "$OUT/ncu_metrics.csv" | tee -a "$REPORT"
# The application's own result under gpuscope: user replay restores memory
# after the passes, so the program must compute as natively.
for f in gpuscope_basic gpuscope_metrics; do
  say "application result under $f: $(grep -h -m1 'sum after two saxpy passes' "$OUT/$f.csv" |
    sed -E 's/.*: ([0-9.]+) \(expected ([0-9.]+)\).*/\1 \2/' |
    awk '{ print ($1 == $2 ? "OK" : "WRONG") " (" $0 ")" }')"
done

say "== pair 3: ${SECTIONS} on a small PyTorch model (first 40 kernels)"
if python3 -c "import torch; assert torch.cuda.is_available()" 2>>"$LOG"; then
  timed "$WORK/torch_native.txt" "native torch" python3 tests/gpu/profiler/torch_model.py
  timed "$OUT/gpuscope_torch.csv" "gpuscope torch" "$BIN" kernels "${CTL[@]}" --section "$SECTIONS" -c 40 --csv -- \
    python3 tests/gpu/profiler/torch_model.py
  timed "$OUT/ncu_torch.csv" "ncu torch" "$NCU" "${CTL[@]}" "${NCU_SECTIONS[@]}" -c 40 --csv \
    python3 tests/gpu/profiler/torch_model.py
  python3 tests/gpu/profiler/compare.py torch "$OUT/gpuscope_torch.csv" "$OUT/ncu_torch.csv" | tee -a "$REPORT"
else
  say "torch with CUDA not available: pair 3 skipped"
fi

say "== errors and filters"
"$BIN" kernels --metrics bogus__not_a_metric.sum -o "$WORK/bad.csv" -- "$WORK/prog" >>"$LOG" 2>&1
say "unsupported CUPTI metric: exit $? (expected 2); output written: $([ -e "$WORK/bad.csv" ] && echo yes || echo no)"
"$BIN" kernels --metrics launch__bogus -- "$WORK/prog" >>"$LOG" 2>&1
say "unknown launch__ metric: exit $? (expected 2)"
"$BIN" kernels -k regex:saxpy -s 1 -c 1 --csv -o "$WORK/filter.csv" -- "$WORK/prog" >>"$LOG" 2>&1
say "filter -k regex:saxpy -s 1 -c 1: exit $?; kernels: $(python3 -c "
import csv,sys; r=[l for l in open('$WORK/filter.csv') if l.startswith('\"')]
print(sorted({x['ID']+':'+x['Kernel Name'] for x in csv.DictReader(r)}))" 2>&1)"

"$BIN" kernels -q -c 4 -o "$WORK/k.gpuscope" -- "$WORK/prog" >>"$LOG" 2>&1
say "store output: exit $?; $(python3 -c "
import sqlite3; db=sqlite3.connect('$WORK/k.gpuscope')
print('kernel_metrics rows:', db.execute('select count(*) from kernel_metrics').fetchone()[0],
      '| durations (ns):', [r[0] for r in db.execute(\"select value from kernel_metrics_named where label='Duration'\")])" 2>&1)"

say "== console report sample (all sections, first 3 kernels)"
echo "### console" >>"$LOG"
"$BIN" kernels --section SpeedOfLight,LaunchStats,Occupancy,MemoryWorkloadAnalysis,Roofline -c 3 -- "$WORK/prog" \
  >>"$LOG" 2>&1
say "console run exit $?"
# Header: the settings each tool ran with and what they measured, so a clock
# or cache difference is visible before any verdict.
median_clock() {  # CSV -> median "SM Frequency" in GHz
  python3 - "$1" <<'PY'
import csv, statistics, sys
try:
    lines = [l for l in open(sys.argv[1], errors="replace") if l.startswith('"')]
    v = [float(r["Metric Value"].replace(",", "")) for r in csv.DictReader(lines)
         if r.get("Metric Name") == "SM Frequency"]
    print(f"{statistics.median(v) / 1e9:.3f} GHz (median of {len(v)} kernels)" if v else "n/a")
except Exception as e:
    print(f"n/a ({e})")
PY
}
{
  echo "== settings (both tools, every pair)"
  echo "gpuscope: --clock-control $CLOCK --cache-control $CACHE  (clocks: NVML lock to the base/TDP clock;" \
       "cache: user replay, L2 flushed by a 2x-L2 read before every pass)"
  echo "ncu:      --clock-control $CLOCK --cache-control $CACHE"
  echo "measured SM Frequency, basic pair: gpuscope $(median_clock "$OUT/gpuscope_basic.csv"); ncu $(median_clock "$OUT/ncu_basic.csv")"
  echo "measured SM Frequency, torch pair: gpuscope $(median_clock "$OUT/gpuscope_torch.csv"); ncu $(median_clock "$OUT/ncu_torch.csv")"
  W=$(grep -h -i -E "gpuscope: warning: .*(clock|cache|replay|activity)|==WARNING==.*(clock|cache)" "$LOG" | sort | uniq -c)
  echo "clock/cache/replay warnings in log.txt: ${W:-none}"
  echo "nvidia-smi after the runs:"
  nvidia-smi --query-gpu=clocks.sm,clocks.max.sm,clocks.mem,clocks.applications.graphics --format=csv 2>&1
  echo
  cat "$REPORT"
} >"$OUT/compare.txt"
grep -h "^RESULT" "$REPORT"
