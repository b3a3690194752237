#!/usr/bin/env bash
# Interleaved A/B of `gpuscope trace` overhead (issue 4) on the GPU machine.
# From the repo root, Release build at build/release (gpuscope +
# libgpuscope_inject.so), LD_LIBRARY_PATH already holding the CUDA libraries:
#   OUT=/some/dir scripts/gpu/overhead_ab2.sh
# Env: TIME_BUDGET (s, default 270: the whole script, compiles included),
# MAX_ROUNDS (default 7), GPUSCOPE, PYTHON, EB_LAUNCHES (default 50000),
# SMALL_STEPS (100), RESNET_STEPS (100), GEMM_STEPS (40), TORCH_WORKLOADS,
# VARIANTS_EB, VARIANTS_TORCH (see below), SKIP_COMPLETENESS=1, SKIP_PROFILER=1
# (no torch.profiler process: more rounds for knob-against-knob runs).
#
# Each round runs, in an order rotated per round:
#   empty-kernel launch loop (C++): untraced and traced with every variant
#     below (host us per launch);
#   one Python process per torch variant that times all three workloads
#     (small-kernel loop, ResNet-50 fp16 b8 eager, large GEMMs; ms/step):
#     untraced, torch.profiler (exits inside the profiler, so its
#     post-processing costs no wall time), and the torch-marked variants.
# Rounds repeat while the previous round's duration still fits the budget.
# Before round 1: environment facts (clock source, cost of clock_gettime,
# rdtsc, gettid) and a correctness check of the default knobs (the
# completeness program traced in node mode: exact counts, NVTX graph-node
# attribution), with the default knobs and with nvtx_cb=ids.
# Writes $OUT/overhead_ab2.txt (table), $OUT/overhead_ab2.json,
# $OUT/overhead_ab2_log.txt (every command and raw result).
set -u
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/overhead_ab2_out}
mkdir -p "$OUT"
BUDGET=${TIME_BUDGET:-270}
MAX_ROUNDS=${MAX_ROUNDS:-7}
EB_N=${EB_LAUNCHES:-50000}
SMALL_STEPS=${SMALL_STEPS:-100}
RESNET_STEPS=${RESNET_STEPS:-100}
GEMM_STEPS=${GEMM_STEPS:-40}
GS=${GPUSCOPE:-$PWD/build/release/gpuscope}
PY=${PYTHON:-python3}
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
LOG=$OUT/overhead_ab2_log.txt
RAW=$W/raw.tsv   # round variant workload value
INFO=$W/info.tsv # key value
: >"$LOG"; : >"$RAW"; : >"$INFO"
SECONDS=0
RESERVE=8  # seconds kept for the report
log() { echo "[$SECONDS s] $*" >>"$LOG"; }
# A step's time limit: its own cap, never past the budget (at least 5 s).
lim() { local left=$((BUDGET - RESERVE - SECONDS)); [ "$left" -lt "$1" ] && echo $((left > 5 ? left : 5)) || echo "$1"; }
info() { printf '%s\t%s\n' "$1" "$2" >>"$INFO"; log "info $1 = $2"; }

# Variants: "name|GPUSCOPE_TRACE_AB value|extra gpuscope trace flags".
# (tests/unit/tracer/ab_knobs_test.cc parses every value below.) "default"
# is what `gpuscope trace` does; each other one switches one suspect;
# "stripped" switches off everything that can be, as a floor.
EB_VARIANTS=(
  "default||"
  "all_apis||--cuda-trace-all-apis"
  "filter_kineto|filter=kineto|"
  "no_driver|driver=0|"
  "zeroed_off|zeroed=0|"
  "tid_default|tid=default|"
  "clock_tsc|clock=tsc|"
  "clock_mono|clock=monotonic|"
  "flush_none|flush=none|"
  "flush_cupti|flush=cupti|"
  "no_callbacks|subscribe=0|"
  "no_sync_ext_gt|sync=0,extcorr=0,graph_trace=0|"
  "no_decode|decode=0|"
  "buf_4mb|buf_kb=4096|"
  "per_thread_off|per_thread=0|"
  "writer_nice|writer_nice=10|"
  "kernel_first|kernel_first=1|"
  "stripped|filter=kineto,tid=default,clock=tsc,zeroed=0,flush=none,subscribe=0,sync=0,extcorr=0,graph_trace=0,buf_kb=4096|"
)
TORCH_VARIANTS=(
  "default||"
  "clock_tsc|clock=tsc|"
  "flush_none|flush=none|"
  "stripped|filter=kineto,tid=default,clock=tsc,zeroed=0,flush=none,subscribe=0,sync=0,extcorr=0,graph_trace=0,buf_kb=4096|"
)

# VARIANTS_EB / VARIANTS_TORCH (env): replace the lists above with
# ';'-separated "name|knobs|flags" entries, e.g. for a cross-process run of
# few variants and many rounds.
if [ -n "${VARIANTS_EB:-}" ]; then IFS=';' read -r -a EB_VARIANTS <<<"$VARIANTS_EB"; fi
if [ -n "${VARIANTS_TORCH:-}" ]; then IFS=';' read -r -a TORCH_VARIANTS <<<"$VARIANTS_TORCH"; fi

# --- environment facts -------------------------------------------------------
info date "$(date -u +%FT%TZ)"
info gpu "$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)"
info cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
info nproc "$(nproc)"
info clocksource "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
info loadavg "$(cut -d' ' -f1-3 /proc/loadavg)"
cat >"$W/clockcost.cu" <<'EOF'
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>
#include <chrono>
#include <cstdio>
// ns per call of what CUPTI may do per record: read a clock, get the thread id.
template <class F> double per(F f, int n) {
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) f();
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / n;
}
int main() {
  volatile long sink = 0;
  timespec ts;
  double rt = per([&] { clock_gettime(CLOCK_REALTIME, &ts); sink += ts.tv_nsec; }, 1000000);
  double mono = per([&] { clock_gettime(CLOCK_MONOTONIC, &ts); sink += ts.tv_nsec; }, 1000000);
  double tsc = per([&] { sink += (long)__rdtsc(); }, 1000000);
  double tid = per([&] { sink += syscall(SYS_gettid); }, 200000);
  std::printf("realtime_ns %.1f monotonic_ns %.1f rdtsc_ns %.1f gettid_ns %.1f\n", rt, mono, tsc, tid);
  return 0;
}
EOF
if timeout "$(lim 60)" "$NVCC" -O2 -o "$W/clockcost" "$W/clockcost.cu" >>"$LOG" 2>&1; then
  info clock_costs "$(timeout "$(lim 20)" "$W/clockcost" 2>>"$LOG")"
else
  info clock_costs "compile failed"
fi

# --- builds ------------------------------------------------------------------
HAVE_EB=1
timeout "$(lim 120)" "$NVCC" -O2 -arch=sm_90 -o "$W/eb" tests/gpu/empty_launch_bench.cu >>"$LOG" 2>&1 || { HAVE_EB=0; info eb "nvcc failed"; }
HAVE_TORCH=1
HAVE_TV=1
timeout "$(lim 60)" "$PY" -c "import torch; assert torch.cuda.is_available()" >>"$LOG" 2>&1 || { HAVE_TORCH=0; HAVE_TV=0; info torch "not importable with CUDA: torch workloads skipped"; }
[ $HAVE_TORCH = 1 ] && { timeout "$(lim 60)" "$PY" -c "import torchvision" >>"$LOG" 2>&1 || { HAVE_TV=0; info torchvision "missing: resnet skipped"; }; }
[ -x "$GS" ] || { info gpuscope "not found at $GS"; HAVE_EB=0; }

# All three workloads in one process (import torch costs seconds).
cat >"$W/ab_workloads.py" <<'EOF'
import json, os, sys, time
sys.path.insert(0, os.path.join(os.getcwd(), "tests", "gpu"))
import torch
import torch_workloads as tw

def timed(name, steps, warmup=5):
    step = tw.make(name)
    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    ms = (time.perf_counter() - t0) * 1000 / steps
    print("RESULT " + json.dumps({"workload": name, "steps": steps, "ms_per_step": ms}), flush=True)

def run(workloads):
    for name, steps in workloads:
        try:
            timed(name, steps)
        except Exception as e:  # one failing workload must not lose the others
            print(f"FAILED {name}: {e!r}", file=sys.stderr, flush=True)

workloads = [(w.split(":")[0], int(w.split(":")[1])) for w in sys.argv[2:]]
if sys.argv[1] == "profiler":
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]):
        run(workloads)
        # Leave inside the profiler: its stop/post-processing would cost
        # wall time and is not what is measured.
        sys.stdout.flush()
        os._exit(0)
else:
    run(workloads)
EOF
TORCH_ARGS="small:$SMALL_STEPS gemm:$GEMM_STEPS"
[ $HAVE_TV = 1 ] && TORCH_ARGS="small:$SMALL_STEPS resnet:$RESNET_STEPS gemm:$GEMM_STEPS"
# TORCH_WORKLOADS (env): e.g. "small:100 resnet:100" to leave the GEMMs out.
[ -n "${TORCH_WORKLOADS:-}" ] && TORCH_ARGS=$TORCH_WORKLOADS

# --- correctness of the defaults ---------------------------------------------
# Default knobs (API records per callback id since session 6), the
# candidate nvtx_cb=ids (NVTX callbacks per handled id instead of the whole
# domain) and api_ids=0 (the RUNTIME/DRIVER kinds, the default before).
if [ "${SKIP_COMPLETENESS:-0}" = 1 ]; then
  info completeness_node "skipped (SKIP_COMPLETENESS=1)"
elif [ $HAVE_EB = 1 ] && timeout "$(lim 120)" "$NVCC" -O2 -arch=sm_90 -o "$W/tc" tests/gpu/trace_completeness.cu >>"$LOG" 2>&1; then
  for cv in "default|" "nvtx_ids|nvtx_cb=ids" "api_kinds|api_ids=0"; do
    IFS='|' read -r name ab <<<"$cv"
    rm -f "$W/tc.gpuscope"
    GPUSCOPE_TRACE_AB="$ab" timeout -k 5 "$(lim 60)" "$GS" trace -q --force --cuda-graph-trace node -o "$W/tc.gpuscope" -- "$W/tc" >"$W/tc_expect.txt" 2>>"$LOG"
    rc=$?
    if timeout "$(lim 60)" "$PY" tests/gpu/check_trace.py "$W/tc.gpuscope" "$W/tc_expect.txt" $rc node >"$W/tc_check.txt" 2>&1; then
      info "completeness_node_$name" "PASS ($(grep -c '^PASS' "$W/tc_check.txt") checks)"
    else
      info "completeness_node_$name" "FAIL: $(grep -v '^PASS' "$W/tc_check.txt" | head -5 | tr '\n' ';')"
    fi
    sed "s/^/[$name] /" "$W/tc_check.txt" >>"$LOG"
  done
else
  info completeness_node "not run (no build)"
fi

# --- one measurement ---------------------------------------------------------
# Durations of the last run of each kind, to decide what still fits.
declare -A LAST=([eb_u]=2 [eb_t]=3 [py_u]=12 [py_t]=15 [py_p]=12)
fits() { [ $((SECONDS + $1)) -le $((BUDGET - RESERVE)) ]; }
sample_trace() {  # VARIANT FILE: kernels, api calls, dropped, knobs (round 1 only)
  timeout "$(lim 30)" "$PY" - "$2" >>"$W/traces.tsv" 2>>"$LOG" <<EOF
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
one = lambda q: db.execute(q).fetchone()[0]
meta = dict(db.execute("select key, value from meta").fetchall())
dropped = one("select coalesce(sum(count), 0) from diagnostics where name = 'cupti_dropped_records'")
print("\t".join(map(str, ["$1", "$3", one("select count(*) from kernels"), one("select count(*) from api_calls"), dropped, meta.get("trace_ab", ""), meta.get("cuda_api_filter", "")])))
EOF
}
run_eb() {  # ROUND VARIANT AB FLAGS ("untraced" variant: no gpuscope)
  local r=$1 v=$2 ab=$3 flags=$4 key=eb_t out t0=$SECONDS
  [ "$v" = untraced ] && key=eb_u
  fits "${LAST[$key]}" || { log "skip eb $v round $r (budget)"; return; }
  if [ "$v" = untraced ]; then
    out=$(timeout -k 5 "$(lim 40)" "$W/eb" "$EB_N" 2>>"$LOG")
  else
    # shellcheck disable=SC2086
    out=$(GPUSCOPE_TRACE_AB="$ab" timeout -k 5 "$(lim 60)" "$GS" trace -q --force $flags -o "$W/eb_$v.gpuscope" -- "$W/eb" "$EB_N" 2>>"$LOG")
  fi
  LAST[$key]=$((SECONDS - t0 + 1))
  log "eb $v round $r: $out"
  local us; us=$(echo "$out" | awk '/host_us_per_launch/ {for (i=1;i<NF;i++) if ($i=="host_us_per_launch") print $(i+1)}')
  if [ -n "$us" ]; then printf '%s\t%s\tempty_launch_us\t%s\n' "$r" "$v" "$us" >>"$RAW"; else log "eb $v round $r FAILED"; fi
  if [ "$r" = 1 ] && [ "$v" != untraced ] && [ -f "$W/eb_$v.gpuscope" ]; then sample_trace "$v" "$W/eb_$v.gpuscope" eb; fi
  rm -f "$W/eb_$v.gpuscope"
}
run_py() {  # ROUND VARIANT AB FLAGS ("untraced", "profiler")
  local r=$1 v=$2 ab=$3 flags=$4 key=py_t out t0=$SECONDS
  [ "$v" = untraced ] && key=py_u
  [ "$v" = profiler ] && key=py_p
  fits "${LAST[$key]}" || { log "skip torch $v round $r (budget)"; return; }
  if [ "$v" = untraced ]; then
    # shellcheck disable=SC2086
    out=$(timeout -k 5 "$(lim 120)" "$PY" "$W/ab_workloads.py" plain $TORCH_ARGS 2>>"$LOG")
  elif [ "$v" = profiler ]; then
    # shellcheck disable=SC2086
    out=$(timeout -k 5 "$(lim 120)" "$PY" "$W/ab_workloads.py" profiler $TORCH_ARGS 2>>"$LOG")
  else
    # shellcheck disable=SC2086
    out=$(GPUSCOPE_TRACE_AB="$ab" timeout -k 5 "$(lim 150)" "$GS" trace -q --force $flags -o "$W/py_$v.gpuscope" -- "$PY" "$W/ab_workloads.py" plain $TORCH_ARGS 2>>"$LOG")
  fi
  LAST[$key]=$((SECONDS - t0 + 1))
  log "torch $v round $r ($((SECONDS - t0)) s): $(echo "$out" | tr '\n' ' ')"
  echo "$out" | sed -n 's/^RESULT //p' | "$PY" -c '
import json, sys
for line in sys.stdin:
    d = json.loads(line)
    print("\t".join([sys.argv[1], sys.argv[2], d["workload"] + "_ms", str(d["ms_per_step"])]))' "$r" "$v" >>"$RAW" 2>>"$LOG"
  if [ "$r" = 1 ] && [ "$v" != untraced ] && [ "$v" != profiler ] && [ -f "$W/py_$v.gpuscope" ]; then sample_trace "$v" "$W/py_$v.gpuscope" torch; fi
  rm -f "$W/py_$v.gpuscope"
}

# --- rounds --------------------------------------------------------------------
: >"$W/traces.tsv"
EB_ALL=("untraced||" "${EB_VARIANTS[@]}")
PY_ALL=("untraced||" "profiler||" "${TORCH_VARIANTS[@]}")
[ "${SKIP_PROFILER:-0}" = 1 ] && PY_ALL=("untraced||" "${TORCH_VARIANTS[@]}")
round_len=0
rounds_done=0
for ((r = 1; r <= MAX_ROUNDS; r++)); do
  if [ $r -gt 1 ] && ! fits "$round_len"; then log "stop before round $r: last round took $round_len s"; break; fi
  start=$SECONDS
  # Torch first: when the budget runs short, the cheap launch-loop knobs
  # are what gets skipped.
  n=${#PY_ALL[@]}
  if [ $HAVE_TORCH = 1 ] && [ $HAVE_EB = 1 ]; then
    for ((i = 0; i < n; i++)); do
      IFS='|' read -r v ab flags <<<"${PY_ALL[$(((i + r - 1) % n))]}"
      run_py $r "$v" "$ab" "$flags"
    done
  fi
  n=${#EB_ALL[@]}
  if [ $HAVE_EB = 1 ]; then
    for ((i = 0; i < n; i++)); do
      IFS='|' read -r v ab flags <<<"${EB_ALL[$(((i + r - 1) % n))]}"
      run_eb $r "$v" "$ab" "$flags"
    done
  fi
  round_len=$((SECONDS - start))
  rounds_done=$r
  log "round $r took $round_len s"
done
info rounds "$rounds_done"
info wall_s "$SECONDS"

# --- report --------------------------------------------------------------------
timeout 20 "$PY" - "$RAW" "$INFO" "$W/traces.tsv" "$OUT/overhead_ab2.txt" "$OUT/overhead_ab2.json" <<'EOF' 2>>"$LOG"
import collections, json, statistics, sys
raw, info_f, traces_f, txt_f, json_f = sys.argv[1:6]
vals = collections.defaultdict(list)  # (workload, variant) -> values
by_round = collections.defaultdict(dict)  # (workload, variant) -> {round: value}
order = {}
for line in open(raw):
    r, v, w, x = line.rstrip("\n").split("\t")
    vals[(w, v)].append(float(x))
    by_round[(w, v)][r] = float(x)
    order.setdefault(w, [])
    if v not in order[w]:
        order[w].append(v)
info = [l.rstrip("\n").split("\t", 1) for l in open(info_f) if "\t" in l]
traces = [l.rstrip("\n").split("\t") for l in open(traces_f) if l.strip()]
targets = {"empty_launch_us": "<= +2 us", "small_ms": "<= 1.25x", "resnet_ms": "<= 1.10x", "gemm_ms": "<= 1.01x"}
out, js = [], {"info": dict(info), "workloads": {}, "traces": traces}
out.append("gpuscope trace overhead A/B (scripts/gpu/overhead_ab2.sh)")
for k, v in info:
    out.append(f"  {k}: {v}")
for w in ["empty_launch_us", "small_ms", "resnet_ms", "gemm_ms"]:
    if w not in order:
        continue
    base = vals.get((w, "untraced"))
    bmed = statistics.median(base) if base else None
    out.append("")
    out.append(f"{w} (target {targets[w]}); n = samples, ratio/delta = median / median untraced")
    out.append(f"  {'variant':<16} {'n':>2} {'median':>9} {'min':>9} {'ratio':>7} {'delta':>8}  values")
    js["workloads"][w] = {}
    def key(v):
        return (v != "untraced", v != "default", v != "profiler", v)
    for v in sorted(order[w], key=key):
        xs = vals[(w, v)]
        med, mn = statistics.median(xs), min(xs)
        ratio = med / bmed if bmed else None
        delta = med - bmed if bmed is not None else None
        js["workloads"][w][v] = {"values": xs, "median": med, "min": mn, "ratio": ratio, "delta": delta}
        rs = f"{ratio:7.3f}" if ratio is not None else "      -"
        ds = f"{delta:+8.3f}" if delta is not None else "       -"
        out.append(f"  {v:<16} {len(xs):>2} {med:9.3f} {mn:9.3f} {rs} {ds}  " + " ".join(f"{x:.3f}" for x in xs))
    # Paired by round: each sample against the untraced sample of its own
    # round (the untraced medians drift between rounds by up to 50 %), as a
    # ratio (or, for the empty launch, a difference in us); median over rounds.
    ub = by_round.get((w, "untraced"), {})
    paired = []
    for v in sorted(order[w], key=key):
        if v == "untraced":
            continue
        d = [by_round[(w, v)][r] - ub[r] if w == "empty_launch_us" else by_round[(w, v)][r] / ub[r]
             for r in by_round[(w, v)] if r in ub and ub[r] > 0]
        if d:
            js["workloads"][w][v]["paired_median"] = statistics.median(d)
            paired.append(f"{v} {statistics.median(d):+.3f}" if w == "empty_launch_us"
                          else f"{v} {statistics.median(d):.3f}x")
    if paired:
        out.append("  paired with the same round's untraced sample, median over rounds: " + "; ".join(paired))
if traces:
    out.append("")
    out.append("round-1 traces: variant workload kernels api_calls dropped trace_ab cuda_api_filter")
    for t in traces:
        out.append("  " + " ".join(t))
open(txt_f, "w").write("\n".join(out) + "\n")
json.dump(js, open(json_f, "w"), indent=1)
print("\n".join(out))
EOF
echo "== wrote $OUT/overhead_ab2.txt, $OUT/overhead_ab2.json, $LOG ($SECONDS s)"
