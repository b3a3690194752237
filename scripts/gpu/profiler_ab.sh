#!/usr/bin/env bash
# A/B of `gpuscope kernels` settings against ncu (issue 8): ncu profiles
# profiler_check.sh's three sets once, then gpuscope profiles them once per
# variant (environment switches of the injection, docs/kernels.md), and every
# variant is compared with the same ncu CSVs. Run from the repo root on the
# GPU machine with the Release build at build/release:
#   OUT=/some/dir VARIANTS="default|;no_touch|GPUSCOPE_PROFILER_TLB_TOUCH=0" \
#     scripts/gpu/profiler_ab.sh
# VARIANTS: "name|VAR=VALUE VAR=VALUE;..." (default: the default and the
# default without the instruction-cache eviction; run X used
# "default|;no_touch|GPUSCOPE_PROFILER_TLB_TOUCH=0;flush_read|GPUSCOPE_PROFILER_FLUSH=read",
# run Z8 "default|;icache|GPUSCOPE_PROFILER_ICACHE_FLUSH=1;..." when it was off).
# NCU_ARGS: more ncu options, e.g. "--replay-mode application"; CAP: seconds
# each command may take (default 75). Writes $OUT/ab.txt (RESULT lines and the
# per-metric tables of every variant), $OUT/log.txt (stderr) and the CSVs.
set -uo pipefail
OUT=${OUT:-$PWD/profiler_ab_out}
mkdir -p "$OUT"
BIN=$PWD/build/release/gpuscope
NCU=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
NVCC=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
VARIANTS=${VARIANTS:-"default|;no_icache|GPUSCOPE_PROFILER_ICACHE_FLUSH=0"}
CTL=(--clock-control base --cache-control all)
SECTIONS=SpeedOfLight,LaunchStats,Occupancy
NCU_SECTIONS=(--section SpeedOfLight --section LaunchStats --section Occupancy)
MEM=dram__bytes_read.sum,dram__bytes_write.sum,lts__t_bytes.sum,gpu__time_duration.sum
LOG=$OUT/log.txt
REPORT=$OUT/ab.txt
: >"$LOG"
: >"$REPORT"
say() { echo "$*" | tee -a "$REPORT"; }
CAP=${CAP:-75}
# shellcheck disable=SC2206
NCU_ARGS=(${NCU_ARGS:-})
timed() {  # OUT_CSV NAME CMD...: runs CMD ($CAP s cap), prints the seconds taken
  local out=$1 name=$2 t0
  shift 2
  t0=$(date +%s.%N)
  timeout -k 5 "$CAP" "$@" >"$out" 2>>"$LOG"
  local rc=$?
  say "time $name: $(python3 -c "print(f'{$(date +%s.%N) - $t0:.2f}')") s (exit $rc)"
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if ! timeout -k 5 120 "$NVCC" -O2 -std=c++17 -arch=native -o "$WORK/prog" tests/gpu/profiler/prog.cu -lcublas >>"$LOG" 2>&1; then
  say "nvcc failed (see log.txt)"
  exit 1
fi
TORCH=(python3 tests/gpu/profiler/torch_model.py)
timed "$OUT/ncu_basic.csv" "ncu basic" "$NCU" "${NCU_ARGS[@]}" "${CTL[@]}" "${NCU_SECTIONS[@]}" --csv "$WORK/prog"
timed "$OUT/ncu_mem.csv" "ncu memory" "$NCU" "${NCU_ARGS[@]}" "${CTL[@]}" --metrics "$MEM" --csv "$WORK/prog"
timed "$OUT/ncu_torch.csv" "ncu torch" "$NCU" "${NCU_ARGS[@]}" "${CTL[@]}" "${NCU_SECTIONS[@]}" -c 40 --csv "${TORCH[@]}"

IFS=';' read -r -a LIST <<<"$VARIANTS"
for v in "${LIST[@]}"; do
  IFS='|' read -r name envs <<<"$v"
  # shellcheck disable=SC2206
  E=(env $envs)
  say "== $name (${envs:-defaults})"
  echo "== variant $name" >>"$LOG"  # stderr of each variant apart (e.g. GPUSCOPE_PROFILER_TIMING=1 lines)
  timed "$OUT/${name}_basic.csv" "$name basic" "${E[@]}" "$BIN" kernels "${CTL[@]}" --section "$SECTIONS" --csv -- "$WORK/prog"
  timed "$OUT/${name}_mem.csv" "$name memory" "${E[@]}" "$BIN" kernels "${CTL[@]}" --metrics "$MEM" --csv -- "$WORK/prog"
  timed "$OUT/${name}_torch.csv" "$name torch" "${E[@]}" "$BIN" kernels "${CTL[@]}" --section "$SECTIONS" -c 40 --csv -- \
    "${TORCH[@]}"
  for set in basic mem torch; do
    python3 tests/gpu/profiler/compare.py "${name}_$set" "$OUT/${name}_$set.csv" "$OUT/ncu_$set.csv" >>"$REPORT" 2>>"$LOG" ||
      say "compare.py ${name}_$set failed (see log.txt)"
  done
done
echo "== summary"
grep -h "^RESULT" "$REPORT"
