#!/usr/bin/env bash
# analyze benchmark: `gpuscope analyze` (load + every finding and breakdown)
# straight from Kineto JSON, on the traces HTA was measured on, plus 10M events.
#
# Usage: bench/analyze_bench.sh [SIZES]   SIZES: comma list of 1m,3m,10m (default all)
# Env:   GPUSCOPE_BENCH_DATA=DIR (default /tmp/gpuscope-bench; shared with import_bench.sh)
# Writes bench/results/analyze-<date>.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-1m,3m,10m}
data=${GPUSCOPE_BENCH_DATA:-/tmp/gpuscope-bench}
gen_kineto=../shared/tools/gen_kineto.py
gpuscope=build/release/gpuscope
[[ -x $gpuscope ]] || { echo "build first"; exit 2; }
mkdir -p "$data" bench/results
out=bench/results/analyze-$(date +%Y-%m-%d).md
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

{
  echo "# analyze benchmark"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "- machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM"
  echo "- gpuscope: $($gpuscope --version), Release"
  echo "- command: \`bench/analyze_bench.sh $sizes\` = \`gpuscope analyze -q --layers TRACE.json\` (import + 9 rules +"
  echo "  CUDA-graph advice + temporal/idle/category/launch/sequence breakdowns + NVTX projection + layer table)"
  echo "- peer: HTA v0.6.1 load + temporal, idle-time, kernel-launch and kernel breakdowns on the same traces"
  echo "  (../shared/tools/README.md, measured on a 2-core Debian 12 machine like this one; HTA cannot be"
  echo "  installed here: no PyPI)."
  echo
  echo "| events | file MiB | gpuscope analyze s | peak RSS MiB | RSS / file | HTA s | HTA RSS | speed-up vs HTA |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$out"
declare -A kernels=([1m]=121700 [3m]=365000 [10m]=1217000)
declare -A hta_s=([1m]=92 [3m]=459 [10m]="")
declare -A hta_rss=([1m]="1.3 GiB" [3m]="3.8 GiB" [10m]="not measured")
IFS=, read -ra list <<<"$sizes"
for s in "${list[@]}"; do
  f=$data/kineto-$s.json
  [[ -f $f ]] || python3 "$gen_kineto" --kernels "${kernels[$s]}" --seed 1 -o "$f" >"$data/gen-$s.log" 2>&1
  events=$(grep -o '[0-9]* events' "$data/gen-$s.log" | cut -d' ' -f1)
  bytes=$(stat -c %s "$f")
  /usr/bin/time -f "%e %M" -o "$tmp" "$gpuscope" analyze -q --layers "$f" >/dev/null
  read -r wall rss_kb <"$tmp"
  rss=$((rss_kb / 1024))
  ratio=$(python3 -c "print(f'{$rss*1048576/$bytes:.2f}')")
  if [[ -n ${hta_s[$s]} ]]; then
    speed=$(python3 -c "print(f'{${hta_s[$s]}/$wall:.0f}x (HTA {\"459-565\" if \"$s\"==\"3m\" else ${hta_s[$s]}} s)')")
    hs=${hta_s[$s]}; [[ $s == 3m ]] && hs="459-565"
  else
    speed="-"; hs="-"
  fi
  echo "| $events | $((bytes / 1048576)) | $wall | $rss | $ratio | $hs | ${hta_rss[$s]} | ${speed%% (*} |" >>"$out"
done
cat "$out"
