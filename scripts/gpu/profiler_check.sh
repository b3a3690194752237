#!/usr/bin/env bash
# GPU evidence for `gpuscope kernels` (issue 8): the same kernels profiled by
# gpuscope and by ncu in one run, values compared metric by metric, and the
# time each tool takes. Run from the repo root on the GPU machine with the
# Release build at build/release (gpuscope + libgpuscope_profiler_inject.so):
#   OUT=/some/dir scripts/gpu/profiler_check.sh
# Writes under $OUT (10 files): compare.txt (the verdicts, timings, exit-code
# checks, diagnostics), log.txt (stderr of every run, the diagnostics' CSVs,
# console report sample), and the eight CSVs the comparison read:
# {gpuscope,ncu}_{basic,metrics,workload,torch}.csv (pair 4, workload: the
# compute, scheduler and warp state sections, added in session 9, not yet
# run as part of this script).
# EXTRA_RUNS_AB=1: diagnostic 5, pairs 1-3 again with the SASS and timing
# runs of sessions 5-6 (GPUSCOPE_PROFILER_{SASS_SPLIT,TIMING_RUN}=1).
# NCU_TWICE=1: ncu profiles each of the four sets a second time, and the
# comparison also reports how often ncu's second run agrees with its first
# on the same values (the ceiling for a second profiler; compare.py).
# Time: every command runs under a timeout that also respects a whole-run
# budget (BUDGET_S, default 225 s of the 240 s allowed); a command that
# fails or times out is recorded with its exit code and the run goes on;
# steps that no longer fit the budget are reported as skipped.
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
T_START=$(date +%s)
BUDGET_S=${BUDGET_S:-225}
# Both tools get the same, explicit clock and cache control (ncu's defaults).
CLOCK=${CLOCK:-base}
CACHE=${CACHE:-all}
CTL=(--clock-control "$CLOCK" --cache-control "$CACHE")
: >"$REPORT"
: >"$LOG"
say() { echo "$*" | tee -a "$REPORT"; }

# Seconds a command may take: its own cap ($1), cut to what is left of the
# run's budget; 0 when fewer than 8 s are left.
allowance() {
  local left=$((BUDGET_S - ($(date +%s) - T_START)))
  if [ "$left" -lt 8 ]; then echo 0; elif [ "$left" -lt "$1" ]; then echo "$left"; else echo "$1"; fi
}

# Runs a command with a wall-clock limit (GS_CAP seconds, default 60, within the
# budget), stdout to $1, stderr to the log; prints the seconds taken and
# records the exit code in RC (124: timed out; 125: skipped, no time left).
timed() {
  local out=$1 name=$2
  shift 2
  echo "### $name: $*" >>"$LOG"
  local limit
  limit=$(allowance "${GS_CAP:-60}")
  if [ "$limit" -eq 0 ]; then
    : >"$out"
    RC=125
    say "time $name: skipped (run budget of ${BUDGET_S} s used up)"
    return
  fi
  local t0 t1
  t0=$(date +%s.%N)
  timeout -k 5 "$limit" "$@" >"$out" 2>>"$LOG"
  RC=$?
  t1=$(date +%s.%N)
  ELAPSED=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
  local note=""
  [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ] && note=" TIMED OUT after ${limit} s"
  say "time $name: ${ELAPSED} s (exit $RC)$note"
}

# compare.py on two CSVs; a crash of the comparison is recorded, not fatal.
compare() {
  python3 tests/gpu/profiler/compare.py "$@" 2>>"$LOG" | tee -a "$REPORT"
  [ "${PIPESTATUS[0]}" -eq 0 ] || say "compare.py $1 failed (see log.txt)"
  # ncu's guidance rules (since session 10): the rule rows of both CSVs.
  python3 tests/gpu/profiler/compare.py rules "$1" "$2" "$3" 2>>"$LOG" | grep "^RULES" | tee -a "$REPORT"
}

csv_value() {  # CSV METRIC -> the first value of that metric name, or n/a
  python3 - "$1" "$2" <<'PY' 2>>"$LOG"
import csv, sys
lines = [l for l in open(sys.argv[1], errors="replace") if l.startswith('"')]
v = [r["Metric Value"] for r in csv.DictReader(lines) if r.get("Metric Name") == sys.argv[2]]
print(v[0] if v else "n/a")
PY
}

say "== environment"
SMI_BEFORE=$(nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,clocks.applications.graphics --format=csv 2>&1)
echo "$SMI_BEFORE" | tee -a "$REPORT"
"$NCU" --version 2>&1 | tail -1 | tee -a "$REPORT"
say "user: $(id -un); gpuscope: $BIN"
ls -la "$ROOT/build/release/libgpuscope_profiler_inject.so" >>"$REPORT" 2>&1

say "== build tests/gpu/profiler/prog.cu"
if ! timeout -k 5 120 "$NVCC" -O2 -std=c++17 -arch=native -o "$WORK/prog" tests/gpu/profiler/prog.cu -lcublas >>"$LOG" 2>&1; then
  say "nvcc failed (see log.txt)"; cp "$REPORT" "$OUT/compare.txt"; exit 1
fi
timed "$WORK/native.txt" "native ./prog" "$WORK/prog"
cat "$WORK/native.txt" >>"$LOG"

# Pair 2's metric list (SASS per-cycle counters mixed with hardware ones):
# run 5 (e201ce0) died with SIGSEGV on it inside the injected process.
M=smsp__sass_thread_inst_executed_op_fadd_pred_on.sum.per_cycle_elapsed
M=$M,smsp__sass_thread_inst_executed_op_fmul_pred_on.sum.per_cycle_elapsed
M=$M,smsp__sass_thread_inst_executed_op_ffma_pred_on.sum.per_cycle_elapsed
M=$M,smsp__sass_thread_inst_executed_op_hfma_pred_on.sum.per_cycle_elapsed
M=$M,smsp__cycles_elapsed.avg.per_second,sm__cycles_elapsed.avg.per_second
M=$M,sm__sass_thread_inst_executed_op_ffma_pred_on.sum.peak_sustained
M=$M,dram__bytes.sum.peak_sustained,dram__cycles_elapsed.avg.per_second,dram__bytes.sum.per_second
M=$M,dram__bytes_read.sum,dram__bytes_write.sum,lts__t_bytes.sum,gpu__time_duration.sum

say "== quick step: pair 2's mixed SASS + hardware metrics on saxpy only (issue #8 crash check)"
# The lead's backtrace-printing preload, when present: LD_PRELOAD reaches the
# profiled program through the environment, so a crash prints a backtrace
# into log.txt.
SEGV=()
[ -f "$ROOT/.device/libsegv.so" ] && SEGV=(env "LD_PRELOAD=$ROOT/.device/libsegv.so")
QM=$M,smsp__sass_thread_inst_executed_op_ffma_pred_on.sum
GS_CAP=40 timed "$WORK/quick.csv" "gpuscope quick mixed (${SEGV[*]:-no preload})" "${SEGV[@]}" "$BIN" kernels "${CTL[@]}" \
  --section MemoryWorkloadAnalysis,Roofline --metrics "$QM" -k regex:saxpy -c 1 --csv -- "$WORK/prog"
echo "### csv quick" >>"$LOG"
cat "$WORK/quick.csv" >>"$LOG"
say "quick mixed: exit $RC; saxpy FFMA count $(csv_value "$WORK/quick.csv" smsp__sass_thread_inst_executed_op_ffma_pred_on.sum)" \
    "(expected 16,777,216); FFMA/cycle $(csv_value "$WORK/quick.csv" smsp__sass_thread_inst_executed_op_ffma_pred_on.sum.per_cycle_elapsed);" \
    "duration $(csv_value "$WORK/quick.csv" gpu__time_duration.sum) ns"

SECTIONS="SpeedOfLight,LaunchStats,Occupancy"
NCU_SECTIONS=(--section SpeedOfLight --section LaunchStats --section Occupancy)

say "== pair 1: ${SECTIONS} on prog (cuBLAS SGEMM/HGEMM, saxpy, reduction)"
timed "$OUT/gpuscope_basic.csv" "gpuscope basic" "$BIN" kernels "${CTL[@]}" --section "$SECTIONS" --csv -- "$WORK/prog"
timed "$OUT/ncu_basic.csv" "ncu basic" "$NCU" "${CTL[@]}" "${NCU_SECTIONS[@]}" --csv "$WORK/prog"
# ncu's second run of a set (NCU_TWICE=1), kept in log.txt; its path, or nothing.
again() {
  [ "${NCU_TWICE:-0}" = 1 ] || return 0
  local out=$WORK/ncu2_$1.csv
  shift
  timed "$out" "ncu again ${out##*/ncu2_}" "$@" >&2
  keep_csv "${out##*/}" "$out"
  [ -s "$out" ] && echo "$out"
}
keep_csv() { echo "### csv $1" >>"$LOG"; cat "$2" >>"$LOG" 2>/dev/null; }
compare basic "$OUT/gpuscope_basic.csv" "$OUT/ncu_basic.csv" \
  $(again basic "$NCU" "${CTL[@]}" "${NCU_SECTIONS[@]}" --csv "$WORK/prog")

say "== pair 2: memory workload + roofline counters on prog"
timed "$OUT/gpuscope_metrics.csv" "gpuscope metrics" "$BIN" kernels "${CTL[@]}" --section MemoryWorkloadAnalysis,Roofline \
  --metrics "$M" --csv -- "$WORK/prog"
timed "$OUT/ncu_metrics.csv" "ncu metrics" "$NCU" "${CTL[@]}" --section MemoryWorkloadAnalysis --metrics "$M" --csv "$WORK/prog"
compare metrics "$OUT/gpuscope_metrics.csv" "$OUT/ncu_metrics.csv" \
  $(again metrics "$NCU" "${CTL[@]}" --section MemoryWorkloadAnalysis --metrics "$M" --csv "$WORK/prog")
# The application's own result under gpuscope: user replay restores memory
# after the passes, so the program must compute as natively.
for f in gpuscope_basic gpuscope_metrics; do
  say "application result under $f: $(grep -h -m1 'sum after two saxpy passes' "$OUT/$f.csv" |
    sed -E 's/.*: ([0-9.]+) \(expected ([0-9.]+)\).*/\1 \2/' |
    awk '{ print ($1 == $2 ? "OK" : "WRONG") " (" $0 ")" }')"
done

say "== pair 4: ComputeWorkloadAnalysis, SchedulerStats, WarpStateStats on prog"
WORK_SECTIONS=(--section ComputeWorkloadAnalysis --section SchedulerStats --section WarpStateStats)
timed "$OUT/gpuscope_workload.csv" "gpuscope workload" "$BIN" kernels "${CTL[@]}" \
  --section ComputeWorkloadAnalysis,SchedulerStats,WarpStateStats --csv -- "$WORK/prog"
timed "$OUT/ncu_workload.csv" "ncu workload" "$NCU" "${CTL[@]}" "${WORK_SECTIONS[@]}" --csv "$WORK/prog"
compare workload "$OUT/gpuscope_workload.csv" "$OUT/ncu_workload.csv" \
  $(again workload "$NCU" "${CTL[@]}" "${WORK_SECTIONS[@]}" --csv "$WORK/prog")

say "== pair 3: ${SECTIONS} on a small PyTorch model (first 40 kernels)"
if timeout -k 5 60 python3 -c "import torch; assert torch.cuda.is_available()" 2>>"$LOG"; then
  timed "$WORK/torch_native.txt" "native torch" python3 tests/gpu/profiler/torch_model.py
  GS_CAP=75 timed "$OUT/gpuscope_torch.csv" "gpuscope torch" "$BIN" kernels "${CTL[@]}" --section "$SECTIONS" -c 40 --csv -- \
    python3 tests/gpu/profiler/torch_model.py
  GS_CAP=75 timed "$OUT/ncu_torch.csv" "ncu torch" "$NCU" "${CTL[@]}" "${NCU_SECTIONS[@]}" -c 40 --csv \
    python3 tests/gpu/profiler/torch_model.py
  compare torch "$OUT/gpuscope_torch.csv" "$OUT/ncu_torch.csv" \
    $(GS_CAP=75 again torch "$NCU" "${CTL[@]}" "${NCU_SECTIONS[@]}" -c 40 --csv python3 tests/gpu/profiler/torch_model.py)
else
  say "torch with CUDA not available: pair 3 skipped"
fi

# Runs a short check command under the budget (cap $1 seconds), output to
# the log; RC as in timed().
bounded() {
  local limit
  limit=$(allowance "$1")
  shift
  if [ "$limit" -eq 0 ]; then RC=125; return; fi
  timeout -k 5 "$limit" "$@" >>"$LOG" 2>&1
  RC=$?
}

say "== errors and filters"
bounded 30 "$BIN" kernels --metrics bogus__not_a_metric.sum -o "$WORK/bad.csv" -- "$WORK/prog"
say "unsupported CUPTI metric: exit $RC (expected 2); output written: $([ -e "$WORK/bad.csv" ] && echo yes || echo no)"
bounded 30 "$BIN" kernels --metrics launch__bogus -- "$WORK/prog"
say "unknown launch__ metric: exit $RC (expected 2)"
bounded 30 "$BIN" kernels -k regex:saxpy -s 1 -c 1 --csv -o "$WORK/filter.csv" -- "$WORK/prog"
say "filter -k regex:saxpy -s 1 -c 1: exit $RC; kernels: $(python3 -c "
import csv,sys; r=[l for l in open('$WORK/filter.csv') if l.startswith('\"')]
print(sorted({x['ID']+':'+x['Kernel Name'] for x in csv.DictReader(r)}))" 2>&1)"

bounded 30 "$BIN" kernels -q -c 4 -o "$WORK/k.gpuscope" -- "$WORK/prog"
say "store output: exit $RC; $(python3 -c "
import sqlite3; db=sqlite3.connect('$WORK/k.gpuscope')
print('kernel_metrics rows:', db.execute('select count(*) from kernel_metrics').fetchone()[0],
      '| durations (ns):', [r[0] for r in db.execute(\"select value from kernel_metrics_named where label='Duration'\")])" 2>&1)"

# Diagnostics: measurements that say why a metric differs, not verdicts.
# Their CSVs go to log.txt (the 8-file limit), their tables to compare.txt.
say "== diagnostic 1: L2 flush A/B (DRAM bytes inside the kernel; run 4's device-to-host copy flush vs the kernels)"
F=dram__bytes_read.sum,dram__bytes_write.sum,lts__t_bytes.sum,gpu__time_duration.sum
timed "$WORK/flush_copy.csv" "gpuscope, copy flush" env GPUSCOPE_PROFILER_FLUSH=copy "$BIN" kernels "${CTL[@]}" \
  --metrics "$F" --csv -- "$WORK/prog"
keep_csv flush_copy "$WORK/flush_copy.csv"
python3 tests/gpu/profiler/compare.py table --only "$F" ncu="$OUT/ncu_metrics.csv" \
  kernels="$OUT/gpuscope_metrics.csv" copy="$WORK/flush_copy.csv" 2>>"$LOG" | tee -a "$REPORT"

say "== diagnostic 2: gpu__time_duration.sum alone, by timing source"
# replay: the default, user replay's one pass; run: the timing run of
# sessions 5-6 (GPUSCOPE_PROFILER_TIMING_RUN=1, a second program run with
# kernel replay in one pass).
timed "$WORK/dur_ncu.csv" "ncu duration-only" "$NCU" "${CTL[@]}" --metrics gpu__time_duration.sum --csv "$WORK/prog"
timed "$WORK/dur_replay.csv" "gpuscope duration-only, replay" "$BIN" kernels "${CTL[@]}" \
  --metrics gpu__time_duration.sum --csv -- "$WORK/prog"
timed "$WORK/dur_run.csv" "gpuscope duration-only, timing run" env GPUSCOPE_PROFILER_TIMING_RUN=1 "$BIN" kernels \
  "${CTL[@]}" --metrics gpu__time_duration.sum --csv -- "$WORK/prog"
for f in dur_ncu dur_replay dur_run; do keep_csv "$f" "$WORK/$f.csv"; done
python3 tests/gpu/profiler/compare.py table ncu="$WORK/dur_ncu.csv" replay="$WORK/dur_replay.csv" \
  run="$WORK/dur_run.csv" 2>>"$LOG" | tee -a "$REPORT"

say "== diagnostic 3: SASS instruction counter (saxpy: one FFMA per thread, 2^24 threads -> 16,777,216)"
# Default: in the one user-replay run, like every other metric; runs 4 and U
# read 0 there while kernel activity instrumented the passes.
# GPUSCOPE_PROFILER_SASS_SPLIT=1: a SASS-only run with kernel replay.
S=smsp__sass_thread_inst_executed_op_ffma_pred_on.sum
timed "$WORK/sass_user.csv" "gpuscope sass (user replay)" "$BIN" kernels "${CTL[@]}" --metrics "$S,gpu__time_duration.sum" \
  -k regex:saxpy -c 1 --csv -- "$WORK/prog"
timed "$WORK/sass_split.csv" "gpuscope sass, SASS run (kernel replay)" env GPUSCOPE_PROFILER_SASS_SPLIT=1 "$BIN" kernels \
  "${CTL[@]}" --metrics "$S,gpu__time_duration.sum" -k regex:saxpy -c 1 --csv -- "$WORK/prog"
timed "$WORK/sass_ncu.csv" "ncu sass" "$NCU" "${CTL[@]}" --metrics "$S" -k regex:saxpy -c 1 --csv "$WORK/prog"
say "$S of saxpy: gpuscope $(csv_value "$WORK/sass_user.csv" "$S"); gpuscope SASS run" \
    "$(csv_value "$WORK/sass_split.csv" "$S"); ncu $(csv_value "$WORK/sass_ncu.csv" "$S")"

say "== diagnostic 3b: kernel activity instrumentation in the measured passes (run U: saxpy +8 instructions per warp)"
# Instruction counts of both saxpy launches in user replay (SASS counter
# included, SASS_SPLIT=0, where runs 4 and U read 0): ncu; the default
# (kernel activity enabled only around the application's own launch, after
# the passes); GPUSCOPE_PROFILER_ACTIVITY=all (enabled for the whole program,
# the way before run U). The second launch shows whether code once
# instrumented for the first launch's activity record stays instrumented.
IM=sm__inst_executed.sum,sm__inst_executed_pipe_adu.sum,sm__pipe_alu_cycles_active.sum,$S
timed "$WORK/inst_ncu.csv" "ncu saxpy instructions" "$NCU" "${CTL[@]}" --metrics "$IM" -k regex:saxpy --csv "$WORK/prog"
timed "$WORK/inst_launch.csv" "gpuscope saxpy instructions, activity around the launch" env GPUSCOPE_PROFILER_SASS_SPLIT=0 \
  GPUSCOPE_PROFILER_TIMING_RUN=0 "$BIN" kernels "${CTL[@]}" --metrics "$IM" -k regex:saxpy --csv -- "$WORK/prog"
timed "$WORK/inst_all.csv" "gpuscope saxpy instructions, activity all along" env GPUSCOPE_PROFILER_SASS_SPLIT=0 \
  GPUSCOPE_PROFILER_TIMING_RUN=0 GPUSCOPE_PROFILER_ACTIVITY=all "$BIN" kernels "${CTL[@]}" --metrics "$IM" \
  -k regex:saxpy --csv -- "$WORK/prog"
for f in inst_ncu inst_launch inst_all; do keep_csv "$f" "$WORK/$f.csv"; done
python3 tests/gpu/profiler/compare.py table ncu="$WORK/inst_ncu.csv" launch="$WORK/inst_launch.csv" \
  all="$WORK/inst_all.csv" 2>>"$LOG" | tee -a "$REPORT"

say "== diagnostic 4: SpeedOfLight throughput breakdowns (ncu's sub-metrics, first 3 kernels)"
BD=sm__throughput.avg.pct_of_peak_sustained_elapsed,sm__memory_throughput.avg.pct_of_peak_sustained_elapsed
BD=$BD,gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed
BD=$BD,breakdown:sm__throughput.avg.pct_of_peak_sustained_elapsed
BD=$BD,breakdown:gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed
timed "$WORK/bd_ncu.csv" "ncu breakdown" "$NCU" "${CTL[@]}" --metrics "$BD" -c 3 --csv "$WORK/prog"
keep_csv bd_ncu "$WORK/bd_ncu.csv"
SUBS=$(python3 tests/gpu/profiler/compare.py names "$WORK/bd_ncu.csv" 2>>"$LOG")
if [ -n "$SUBS" ]; then
  for attempt in 1 2; do
    timed "$WORK/bd_gpuscope.csv" "gpuscope breakdown (try $attempt)" "$BIN" kernels "${CTL[@]}" --metrics "$SUBS" \
      -c 3 --csv -- "$WORK/prog"
    [ "$RC" -eq 2 ] || break
    # Drop the sub-metrics CUPTI rejects on this chip and ask again.
    BAD=$(grep -h -o "unsupported metric on [^:]*: .*" "$LOG" | tail -1 | sed 's/^[^:]*: //')
    [ -n "$BAD" ] || break
    say "CUPTI rejects: $BAD"
    SUBS=$(python3 -c "import sys; bad=set(sys.argv[2].split(', ')); print(','.join(m for m in sys.argv[1].split(',') if m not in bad))" "$SUBS" "$BAD")
  done
  keep_csv bd_gpuscope "$WORK/bd_gpuscope.csv"
  python3 tests/gpu/profiler/compare.py table ncu="$WORK/bd_ncu.csv" gpuscope="$WORK/bd_gpuscope.csv" 2>>"$LOG" |
    tee -a "$REPORT"
else
  say "ncu printed no breakdown rows (see log.txt)"
fi

if [ "${EXTRA_RUNS_AB:-0}" = 1 ]; then
  say "== diagnostic 5: pairs 1-3 with the extra runs of sessions 5-6 (GPUSCOPE_PROFILER_TIMING_RUN=1, GPUSCOPE_PROFILER_SASS_SPLIT=1)"
  # The default since run V is one user-replay run; this is the way before.
  THREE=(env GPUSCOPE_PROFILER_TIMING_RUN=1 GPUSCOPE_PROFILER_SASS_SPLIT=1)
  timed "$WORK/three_basic.csv" "gpuscope basic, extra runs" "${THREE[@]}" "$BIN" kernels "${CTL[@]}" --section "$SECTIONS" \
    --csv -- "$WORK/prog"
  compare basic_extra_runs "$WORK/three_basic.csv" "$OUT/ncu_basic.csv"
  timed "$WORK/three_metrics.csv" "gpuscope metrics, extra runs" "${THREE[@]}" "$BIN" kernels "${CTL[@]}" \
    --section MemoryWorkloadAnalysis,Roofline --metrics "$M" --csv -- "$WORK/prog"
  compare metrics_extra_runs "$WORK/three_metrics.csv" "$OUT/ncu_metrics.csv"
  if [ -s "$OUT/ncu_torch.csv" ]; then
    GS_CAP=75 timed "$WORK/three_torch.csv" "gpuscope torch, extra runs" "${THREE[@]}" "$BIN" kernels "${CTL[@]}" \
      --section "$SECTIONS" -c 40 --csv -- python3 tests/gpu/profiler/torch_model.py
    compare torch_extra_runs "$WORK/three_torch.csv" "$OUT/ncu_torch.csv"
  fi
  for f in three_basic three_metrics three_torch; do keep_csv "$f" "$WORK/$f.csv"; done
fi

say "== console report sample (all sections, first 3 kernels)"
echo "### console" >>"$LOG"
bounded 40 "$BIN" kernels --section SpeedOfLight,LaunchStats,Occupancy,MemoryWorkloadAnalysis,Roofline -c 3 -- "$WORK/prog"
say "console run exit $RC"
say "total wall time: $(($(date +%s) - T_START)) s (budget ${BUDGET_S} s)"
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
       "cache: user replay; before every pass the L2 is emptied by a read and a discard.global.L2 kernel over a 4x-L2 buffer, then the kernel's argument pages are touched to refill the TLBs)"
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
grep -h -E "^(RESULT|RULES)" "$REPORT"
