#!/usr/bin/env bash
# GPU evidence for the engine (issue 9) and `gpuscope bench` (issue 10). Run from the repo
# root on the GPU machine with the Release build at build/release and LD_LIBRARY_PATH set:
#   OUT=/some/dir scripts/gpu/engine_check.sh [STAGE...]      (or STAGE=full scripts/gpu/...)
# Stages (default tiny), run in the order given, all inside one time budget (BUDGET_S,
# default 540 s; every command runs under `timeout`, failures are recorded and the run goes on):
#   tiny      export the tiny models, build fp32 and fp16 engines at batch 2, compare their
#             outputs with onnxruntime and PyTorch, one bench run each, a trace of bert_tiny
#   full      the four models (MODELS, default "resnet50 bert_base gpt2 vit_b16"): fp16 engines
#             at the issue's batch sizes and fp32 at batch 1 (--saveEngine), outputs at batch 1
#             vs onnxruntime (fp32 1e-4, fp16 1e-2), bench with/without --useCudaGraph and
#             --noDataTransfers, --exportTimes/--exportProfile/--exportLayerInfo/--dumpProfile
#             --separateProfileRun, `gpuscope trace -- gpuscope bench` + `analyze --layers`
#             checked against the profile, then torch_baseline.py with the time left
#   torch     the headline bench run (--useCudaGraph --noDataTransfers) of the fp16 engines a
#             previous `full` left in MODELS_DIR (same machine), then torch_baseline.py with
#             the rest of the budget (all compile modes), so both sides come from one run
#   gputests  ctest -L gpu -R engine_gpu (or build/release/tests/unit_engine_gpu_tests)
# Writes to $OUT: summary.md (the table), summary.json, engine-logs.tgz (every log, the
# exported JSON files, model sidecars, compare/torch results) and, when small enough,
# trace_<model>_fp16_b1.gpuscope. ONNX files and engines stay in MODELS_DIR (default
# /tmp/gpuscope-models; ONNX files are reused when present, engines rebuilt by every stage
# that builds); inputs and logs in a temp dir removed at exit (KEEP_WORK=1 keeps it).
# Knobs: MODELS, VARIANTS (bench variants of `full`, default "graph_nodt base graph nodt"),
# FP32_BENCH (0 skips timing the fp32 engines; they are still built and checked), BUDGET_S, TORCH_LIMIT (s, default: what is left), TORCH_RESERVE (s kept for
# torch in `full`, default 150), BENCH_DURATION (s, default 1), GPUSCOPE, PYTHON.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
OUT=${OUT:-$ROOT/engine_out}
mkdir -p "$OUT"
STAGES=("$@")
[ ${#STAGES[@]} -eq 0 ] && read -r -a STAGES <<<"${STAGE:-tiny}"
PY=${PYTHON:-python3}
GS=${GPUSCOPE:-$ROOT/build/release/gpuscope}
SM=$ROOT/scripts/models
MODELS_DIR=${MODELS_DIR:-/tmp/gpuscope-models}
FULL_MODELS=${MODELS:-resnet50 bert_base gpt2 vit_b16}
BENCH_DURATION=${BENCH_DURATION:-1}
BUDGET_S=${BUDGET_S:-540}
T0=$(date +%s)
DEADLINE=$((T0 + BUDGET_S))
RESERVE=25          # kept for the summary and the archive
EXTRA_RESERVE=0     # kept for later steps (torch in `full`)
WORK=$(mktemp -d /tmp/gpuscope-engine.XXXXXX)
LOGS=$WORK/logs
ENGINES=$MODELS_DIR/engines   # kept like the ONNX files, so the torch stage can bench them again
CASES=$WORK/cases
RUNS=$WORK/runs.jsonl
mkdir -p "$LOGS" "$ENGINES" "$CASES" "$MODELS_DIR" "$MODELS_DIR/tiny"
: >"$RUNS"
cleanup() { [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT

say() { echo "[engine_check $(date +%H:%M:%S) +$(($(date +%s) - T0))s] $*" | tee -a "$LOGS/progress.txt"; }
left() { echo $((DEADLINE - $(date +%s) - RESERVE - EXTRA_RESERVE)); }
clean() { local s=${1//\"/}; s=${s//\\/}; printf '%s' "$s" | tr '\n\t' '  '; }
record() {  # step what rc seconds log [meta-json-fragment starting with a comma]
  printf '{"step":"%s","what":"%s","rc":%s,"seconds":%s,"log":"%s"%s}\n' \
    "$1" "$(clean "$2")" "$3" "$4" "$5" "${6:-}" >>"$RUNS"
}
skip() {  # what reason
  say "SKIP $1: $2"
  printf '{"step":"skip","what":"%s","reason":"%s"}\n' "$(clean "$1")" "$(clean "$2")" >>"$RUNS"
}
# run_step STEP WHAT LIMIT LOG META -- command...   (stdout+stderr to LOG; rc in RC)
run_step() {
  local step=$1 what=$2 limit=$3 log=$4 meta=$5
  shift 6
  local l t
  l=$(left)
  t=$((limit < l ? limit : l))
  if [ "$t" -lt 8 ]; then
    skip "$what" "time budget spent (${l} s left)"
    RC=124
    return 0
  fi
  echo "+ $*" >"$log"
  local t0 t1
  t0=$(date +%s.%N)
  timeout -k 10 "$t" "$@" >>"$log" 2>&1
  RC=$?
  t1=$(date +%s.%N)
  local secs
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  [ $RC = 124 ] && echo "== killed by timeout after ${t} s" >>"$log"
  record "$step" "$what" "$RC" "$secs" "$log" "$meta"
  if [ $RC = 0 ]; then say "ok   $what (${secs} s)"; else say "FAIL $what (rc $RC, ${secs} s; $(basename "$log"))"; fi
  return 0
}
meta() {  # model precision batch variant
  printf ',"model":"%s","precision":"%s","batch":%s,"variant":"%s"' "$1" "$2" "$3" "$4"
}

# ------------------------------------------------------------------ environment
setup_env() {
  local P d f
  P=$("$PY" -c "import nvidia,os;print(os.path.dirname(nvidia.__path__[0]))" 2>/dev/null)
  if [ -n "$P" ]; then
    d=$P/nvidia/cudnn/lib
    if [ ! -d "$d" ]; then
      f=$(find "$P/nvidia" -maxdepth 4 -name 'libcudnn.so.9*' 2>/dev/null | head -1)
      [ -n "$f" ] && d=$(dirname "$f")
    fi
    if [ -d "$d" ]; then
      export LD_LIBRARY_PATH=$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
      say "cuDNN from PyTorch's wheel: $d"
    else
      say "WARNING: no cuDNN under $P/nvidia"
    fi
    # cuBLAS from the wheel only when the toolkit lacks libcublasLt.so.13.
    if ! compgen -G "/usr/local/cuda/lib64/libcublasLt.so.13*" >/dev/null &&
       ! ldconfig -p 2>/dev/null | grep -q 'libcublasLt.so.13'; then
      d=$P/nvidia/cublas/lib
      if [ ! -d "$d" ]; then
        f=$(find "$P/nvidia" -maxdepth 4 -name 'libcublasLt.so.13*' 2>/dev/null | head -1)
        [ -n "$f" ] && d=$(dirname "$f")
      fi
      if [ -d "$d" ]; then
        export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d
        say "cuBLAS from PyTorch's wheel (toolkit has no libcublasLt.so.13): $d"
      fi
    fi
  else
    say "WARNING: python package 'nvidia' not found; cuDNN must already be on LD_LIBRARY_PATH"
  fi
  {
    echo "date: $(date -u +%FT%TZ)"
    nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,memory.total --format=csv,noheader 2>&1 | head -2
    echo "gpuscope: $GS ($("$GS" --version 2>&1 | head -1))"
    "$PY" -c "import sys; sys.path.insert(0, '$SM'); import model_zoo, json; print('python', sys.version.split()[0], json.dumps(model_zoo.library_versions()))" 2>&1
    echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
    echo "missing libraries of gpuscope: $(ldd "$GS" 2>&1 | grep -c 'not found')"
    ldd "$GS" 2>&1 | grep 'not found'
  } >"$LOGS/env.txt" 2>&1
  cat "$LOGS/env.txt"
  HAVE_BENCH=0
  if [ -x "$GS" ] && "$GS" bench --help >"$LOGS/bench_help.txt" 2>&1; then HAVE_BENCH=1; fi
  [ $HAVE_BENCH = 1 ] || say "WARNING: '$GS bench --help' failed: the gpuscope steps will fail (see bench_help.txt)"
  # Options used only when this gpuscope knows them (the bench helper works in parallel).
  BUILD_OPTS=(--timingCacheFile="$MODELS_DIR/timing.cache" --verbose)
  grep -q -- '--profilingVerbosity' "$LOGS/bench_help.txt" && BUILD_OPTS+=(--profilingVerbosity=detailed)
  FP32_OPTS=()
  grep -q -- '--noTF32' "$LOGS/bench_help.txt" && FP32_OPTS+=(--noTF32)
  say "build options: ${BUILD_OPTS[*]}; fp32 extra: ${FP32_OPTS[*]:-none}"
}

batches_of() { "$PY" -c "import sys; sys.path.insert(0, '$SM'); import model_zoo; print(' '.join(map(str, model_zoo.MODELS['$1']['batches'])))"; }
engine_path() { echo "$ENGINES/$1_$2_b$3.engine"; }   # model precision batch
case_dir() { echo "$CASES/$1_b$2"; }

make_case() {  # model batch onnxdir
  local c; c=$(case_dir "$1" "$2")
  run_step inputs "inputs $1 b$2" 60 "$LOGS/inputs_$1_b$2.log" "$(meta "$1" - "$2" -)" -- \
    "$PY" "$SM/compare.py" inputs --model "$1" --batch "$2" --onnxdir "$3" --casedir "$c"
}

build() {  # model precision batch onnxdir export(0/1)
  local m=$1 p=$2 b=$3 dir=$4 exp=$5 c e
  c=$(case_dir "$m" "$b"); e=$(engine_path "$m" "$p" "$b")
  if [ ! -f "$dir/$m.onnx" ] || [ ! -f "$c/shapes.txt" ]; then skip "build $m $p b$b" "no ONNX file or inputs"; return; fi
  local args=(--onnx="$dir/$m.onnx" --shapes="$(cat "$c/shapes.txt")" --saveEngine="$e"
              --loadInputs="$(cat "$c/loadinputs.txt")" --warmUp=0 --duration=0 --iterations=1 "${BUILD_OPTS[@]}")
  [ "$p" = fp16 ] && args+=(--fp16)
  [ "$p" = fp32 ] && args+=("${FP32_OPTS[@]}")
  [ "$exp" = 1 ] && args+=(--exportOutput="$c/gpuscope_$p.json")
  rm -f "$e" "$c/gpuscope_$p.json"   # never bench or compare what an earlier run left
  run_step build "build $m $p b$b" 240 "$LOGS/build_${m}_${p}_b$b.log" "$(meta "$m" "$p" "$b" build)" -- \
    "$GS" bench "${args[@]}"
}

bench() {  # model precision batch variant
  local m=$1 p=$2 b=$3 v=$4 c e
  c=$(case_dir "$m" "$b"); e=$(engine_path "$m" "$p" "$b")
  if [ ! -f "$e" ]; then skip "bench $m $p b$b $v" "no engine (build failed)"; return; fi
  local args=(--loadEngine="$e" --shapes="$(cat "$c/shapes.txt")" --loadInputs="$(cat "$c/loadinputs.txt")"
              --warmUp=200 --duration="$BENCH_DURATION" --iterations=20)
  case $v in
    graph) args+=(--useCudaGraph) ;;
    nodt) args+=(--noDataTransfers) ;;
    graph_nodt) args+=(--useCudaGraph --noDataTransfers) ;;
  esac
  run_step bench "bench $m $p b$b $v" 90 "$LOGS/bench_${m}_${p}_b${b}_$v.log" "$(meta "$m" "$p" "$b" "$v")" -- \
    "$GS" bench "${args[@]}"
}

profile() {  # model precision batch
  local m=$1 p=$2 b=$3 c e tag
  c=$(case_dir "$m" "$b"); e=$(engine_path "$m" "$p" "$b"); tag=${m}_${p}_b$b
  if [ ! -f "$e" ]; then skip "profile $tag" "no engine"; return; fi
  run_step profile "profile $tag" 120 "$LOGS/profile_$tag.log" "$(meta "$m" "$p" "$b" profile)" -- \
    "$GS" bench --loadEngine="$e" --shapes="$(cat "$c/shapes.txt")" --loadInputs="$(cat "$c/loadinputs.txt")" \
    --noDataTransfers --warmUp=100 --duration="$BENCH_DURATION" --iterations=20 --separateProfileRun --dumpProfile \
    --exportProfile="$LOGS/profile_$tag.json" --exportTimes="$LOGS/times_$tag.json" \
    --exportLayerInfo="$LOGS/layerinfo_$tag.json"
}

trace_layers() {  # model precision batch [keep-trace-in-OUT]
  local m=$1 p=$2 b=$3 keep=${4:-0} c e tag tr
  c=$(case_dir "$m" "$b"); e=$(engine_path "$m" "$p" "$b"); tag=${m}_${p}_b$b; tr=$WORK/trace_$tag.gpuscope
  if [ ! -f "$e" ]; then skip "trace $tag" "no engine"; return; fi
  run_step traced_bench "trace $tag" 150 "$LOGS/trace_$tag.log" "$(meta "$m" "$p" "$b" traced)" -- \
    "$GS" trace -f -o "$tr" -- "$GS" bench --loadEngine="$e" --shapes="$(cat "$c/shapes.txt")" \
    --loadInputs="$(cat "$c/loadinputs.txt")" --noDataTransfers --warmUp=0 --duration=0 --iterations=200
  if [ ! -s "$tr" ]; then skip "analyze $tag" "no trace file"; return; fi
  run_step analyze "analyze --layers $tag" 90 "$LOGS/analyze_layers_$tag.txt" "" -- "$GS" analyze --layers "$tr"
  run_step analyze "analyze --layers --format json $tag" 90 "$LOGS/analyze_layers_$tag.log" "" -- \
    "$GS" analyze -q --layers --format json "$tr"
  # The JSON is the log's body after the command line echoed by run_step.
  tail -n +2 "$LOGS/analyze_layers_$tag.log" >"$LOGS/analyze_layers_$tag.json"
  if [ -f "$LOGS/profile_$tag.json" ]; then
    run_step layers "trace layers vs profile $tag" 60 "$LOGS/layers_vs_profile_$tag.txt" "" -- \
      "$PY" "$SM/layers_vs_profile.py" --analyze "$LOGS/analyze_layers_$tag.json" \
      --profile "$LOGS/profile_$tag.json" --label "$tag" --jsonl "$LOGS/layers.jsonl"
  else
    skip "layers vs profile $tag" "no --exportProfile file from the profile run"
  fi
  if [ "$keep" = 1 ] && [ -f "$tr" ] && [ "$(stat -c %s "$tr")" -lt 15000000 ]; then cp "$tr" "$OUT/trace_$tag.gpuscope"; fi
}

check() {  # model precision batch
  local m=$1 p=$2 b=$3 c
  c=$(case_dir "$m" "$b")
  if [ ! -f "$c/gpuscope_$p.json" ]; then skip "compare $m $p b$b" "gpuscope wrote no --exportOutput file"; return; fi
  run_step check "compare $m $p b$b" 120 "$LOGS/compare_${m}_${p}_b$b.log" "$(meta "$m" "$p" "$b" check)" -- \
    "$PY" "$SM/compare.py" check --casedir "$c" --gpuscope "$c/gpuscope_$p.json" --precision "$p" \
    --label "${m}_${p}_b$b" --summary "$LOGS/compare.jsonl"
}

copy_case_results() {  # keeps the small per-case files (not the .bin inputs) with the logs
  local c
  mkdir -p "$LOGS/cases"
  for c in "$CASES"/*/; do
    [ -d "$c" ] || continue
    mkdir -p "$LOGS/cases/$(basename "$c")"
    cp "$c"/*.json "$c"/*.txt "$LOGS/cases/$(basename "$c")/" 2>/dev/null
    # gpuscope's output dumps can be large: keep them only when small.
    find "$LOGS/cases/$(basename "$c")" -name 'gpuscope_*.json' -size +4M -delete
  done
}

torch_baseline() {  # configs limit
  local lim=$2
  [ "$lim" -gt 0 ] 2>/dev/null || lim=0
  if [ "$lim" -lt 30 ]; then skip "torch baseline" "only ${lim} s left"; return; fi
  run_step torch "torch baseline (${lim} s)" $((lim + 20)) "$LOGS/torch_baseline.log" "" -- \
    "$PY" "$SM/torch_baseline.py" --out "$LOGS/torch_baseline.json" --time-limit "$lim" --configs "$1"
}

# ------------------------------------------------------------------ stages
stage_tiny() {
  local dir=$MODELS_DIR/tiny m p
  say "== stage tiny"
  run_step models "make tiny models" 240 "$LOGS/make_models_tiny.log" "" -- \
    "$PY" "$SM/make_models.py" --tiny --outdir "$dir"
  cp "$dir"/*.json "$LOGS/" 2>/dev/null
  local cases=()
  for m in resnet_tiny bert_tiny gpt2_tiny vit_tiny; do
    [ -f "$dir/$m.onnx" ] || { skip "tiny $m" "export failed"; continue; }
    make_case "$m" 2 "$dir"
    cases+=(--casedir "$(case_dir "$m" 2)")
  done
  [ ${#cases[@]} -gt 0 ] || return
  run_step ref "tiny references (onnxruntime + torch)" 240 "$LOGS/ref_tiny.log" "" -- \
    "$PY" "$SM/compare.py" ref --ort --torch "${cases[@]}"
  for m in resnet_tiny bert_tiny gpt2_tiny vit_tiny; do
    [ -f "$dir/$m.onnx" ] || continue
    for p in fp32 fp16; do
      build "$m" "$p" 2 "$dir" 1
      check "$m" "$p" 2
    done
    bench "$m" fp16 2 graph_nodt
  done
  # Profile and trace one tiny engine: bert_tiny (attention, LayerNorm, GELU) when it exists.
  for m in bert_tiny gpt2_tiny vit_tiny resnet_tiny; do
    if [ -f "$(engine_path "$m" fp16 2)" ]; then
      profile "$m" fp16 2
      trace_layers "$m" fp16 2
      break
    fi
  done
}

stage_full() {
  local dir=$MODELS_DIR m p b v pids=() refcases=() configs=""
  say "== stage full: $FULL_MODELS"
  EXTRA_RESERVE=${TORCH_RESERVE:-150}
  # 1. Export in parallel (CPU only); existing files are reused.
  local t0 t1 rc
  t0=$(date +%s.%N)
  local lim; lim=$(left); [ "$lim" -gt 300 ] && lim=300; [ "$lim" -lt 10 ] && lim=10
  for m in $FULL_MODELS; do
    ( OMP_NUM_THREADS=4 timeout -k 10 "$lim" "$PY" "$SM/make_models.py" --outdir "$dir" --models "$m" --skip-existing \
        >"$LOGS/make_models_$m.log" 2>&1; echo $? >"$LOGS/make_models_$m.rc" ) &
    pids+=($!)
  done
  wait "${pids[@]}"
  t1=$(date +%s.%N)
  for m in $FULL_MODELS; do
    rc=$(cat "$LOGS/make_models_$m.rc" 2>/dev/null || echo 1)
    record models "export $m" "$rc" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" "$LOGS/make_models_$m.log"
    say "export $m: rc $rc ($(grep -h -E 'OK with|FAILED|kept the existing' "$LOGS/make_models_$m.log" | tail -1))"
    cp "$dir/$m.json" "$LOGS/" 2>/dev/null
  done
  # 2. Inputs for every case; onnxruntime references for batch 1 in the background (CPU).
  for m in $FULL_MODELS; do
    [ -f "$dir/$m.onnx" ] || continue
    for b in $(batches_of "$m"); do make_case "$m" "$b" "$dir"; done
    refcases+=(--casedir "$(case_dir "$m" 1)")
  done
  local ort_pid=""
  if [ ${#refcases[@]} -gt 0 ]; then
    lim=$(left); [ "$lim" -gt 400 ] && lim=400; [ "$lim" -lt 10 ] && lim=10
    ( OMP_NUM_THREADS=4 timeout -k 10 "$lim" "$PY" "$SM/compare.py" ref --ort --threads 4 "${refcases[@]}" \
        >"$LOGS/ref_ort.log" 2>&1; echo $? >"$LOGS/ref_ort.rc" ) &
    ort_pid=$!
  fi
  # 3. Batch-1 engines (they give the outputs to compare), fp16 first.
  for p in fp16 fp32; do
    for m in $FULL_MODELS; do build "$m" "$p" 1 "$dir" 1; done
  done
  # 4. References and comparisons.
  if [ -n "$ort_pid" ]; then
    t0=$(date +%s.%N)
    wait "$ort_pid"
    t1=$(date +%s.%N)
    rc=$(cat "$LOGS/ref_ort.rc" 2>/dev/null || echo 1)
    record ref "onnxruntime references" "$rc" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" \
      "$LOGS/ref_ort.log"
    say "onnxruntime references: rc $rc (waited $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s)"
    run_step ref "torch eager fp32 references" 240 "$LOGS/ref_torch.log" "" -- \
      "$PY" "$SM/compare.py" ref --torch "${refcases[@]}"
  fi
  for m in $FULL_MODELS; do for p in fp32 fp16; do check "$m" "$p" 1; done; done
  # 5. Large-batch fp16 engines.
  for m in $FULL_MODELS; do
    for b in $(batches_of "$m"); do [ "$b" = 1 ] || build "$m" fp16 "$b" "$dir" 0; done
  done
  # 6. Bench variants: the headline variant for every engine first.
  for v in ${VARIANTS:-graph_nodt base graph nodt}; do
    for m in $FULL_MODELS; do for b in $(batches_of "$m"); do bench "$m" fp16 "$b" "$v"; done; done
  done
  [ "${FP32_BENCH:-1}" = 1 ] && for m in $FULL_MODELS; do bench "$m" fp32 1 graph_nodt; done
  # 7. Per-layer profiles and exports, then traces of the batch-1 engines.
  for m in $FULL_MODELS; do for b in $(batches_of "$m"); do profile "$m" fp16 "$b"; done; done
  local first=1
  for m in $FULL_MODELS; do trace_layers "$m" fp16 1 "$first"; first=0; done
  # 8. PyTorch eager / torch.compile with what is left.
  EXTRA_RESERVE=0
  for m in $FULL_MODELS; do for b in $(batches_of "$m"); do configs+="${configs:+,}$m:$b"; done; done
  lim=${TORCH_LIMIT:-$(($(left) - 15))}
  [ "$lim" -gt "$(($(left) - 15))" ] && lim=$(($(left) - 15))
  torch_baseline "$configs" "$lim"
}

stage_torch() {
  local configs="" m b
  say "== stage torch"
  for m in $FULL_MODELS; do
    for b in $(batches_of "$m"); do
      configs+="${configs:+,}$m:$b"
      if [ -f "$(engine_path "$m" fp16 "$b")" ]; then
        make_case "$m" "$b" "$MODELS_DIR"
        bench "$m" fp16 "$b" graph_nodt
      fi
    done
  done
  torch_baseline "$configs" "${TORCH_LIMIT:-$(($(left) - 20))}"
}

stage_gputests() {
  say "== stage gputests"
  local bin=build/release/tests/unit_engine_gpu_tests n
  [ -x "$bin" ] || bin=$(find build/release -maxdepth 3 -type f -name unit_engine_gpu_tests 2>/dev/null | head -1)
  n=0
  if [ -f build/release/CTestTestfile.cmake ] && command -v ctest >/dev/null; then
    n=$(ctest --test-dir build/release -N -L gpu -R engine_gpu 2>/dev/null | awk '/Total Tests:/ {print $3}')
  fi
  if [ "${n:-0}" -gt 0 ]; then
    run_step gputests "ctest -L gpu -R engine_gpu ($n tests)" 400 "$LOGS/gputests.log" "" -- \
      ctest --test-dir build/release -L gpu -R engine_gpu --output-on-failure
  elif [ -n "$bin" ] && [ -x "$bin" ]; then
    run_step gputests "$bin" 400 "$LOGS/gputests.log" "" -- "$bin" --gtest_output="xml:$LOGS/gputests.xml"
  else
    skip "gputests" "no CTest files listing engine_gpu tests and no unit_engine_gpu_tests binary"
    return
  fi
  grep -E '^\[  (PASSED|FAILED) |tests passed|tests failed|^\[  FAILED  \]' "$LOGS/gputests.log" | tail -15 |
    tee -a "$LOGS/progress.txt"
}

# ------------------------------------------------------------------ main
say "stages: ${STAGES[*]}; budget ${BUDGET_S} s; work dir $WORK; models $MODELS_DIR"
setup_env
for s in "${STAGES[@]}"; do
  case $s in
    tiny) stage_tiny ;;
    full) stage_full ;;
    torch) stage_torch ;;
    gputests) stage_gputests ;;
    *) say "unknown stage '$s' (tiny, full, torch, gputests)" ;;
  esac
done

# ------------------------------------------------------------------ summary and archive
RESERVE=0
copy_case_results
"$PY" "$SM/summarize.py" --runs "$RUNS" --compare "$LOGS/compare.jsonl" --torch "$LOGS/torch_baseline.json" \
  --layers "$LOGS/layers.jsonl" --env "$LOGS/env.txt" --title "gpuscope engine check: ${STAGES[*]}" \
  --md "$OUT/summary.md" --json "$OUT/summary.json" >"$LOGS/summarize.log" 2>&1 ||
  { echo "summarize.py failed:"; tail -20 "$LOGS/summarize.log"; }
cp "$RUNS" "$LOGS/runs.jsonl"
# Logs over 8 MB keep their first and last 2 MB; the archive must stay under 16 MB.
find "$LOGS" -type f -size +8M | while read -r f; do
  { head -c 2000000 "$f"; printf '\n\n... [truncated by engine_check.sh] ...\n\n'; tail -c 2000000 "$f"; } >"$f.cut" && mv "$f.cut" "$f"
done
for _ in 1 2 3 4 5 6 7 8; do
  tar -czf "$OUT/engine-logs.tgz" -C "$WORK" logs
  [ "$(stat -c %s "$OUT/engine-logs.tgz")" -lt 15500000 ] && break
  big=$(find "$LOGS" -type f -printf '%s %p\n' | sort -rn | head -1 | cut -d' ' -f2-)
  { head -c 300000 "$big"; printf '\n... [truncated to fit the archive] ...\n'; tail -c 300000 "$big"; } >"$big.cut" &&
    mv "$big.cut" "$big"
done
say "done in $(($(date +%s) - T0)) s; files in $OUT: $(find "$OUT" -maxdepth 1 -type f -printf '%f ')"
echo
head -150 "$OUT/summary.md" 2>/dev/null
