#!/usr/bin/env bash
# `gpuscope report` benchmark on a 1M-event Kineto trace: generation time,
# HTML size, and first paint / redraw times in headless Chromium.
# Targets (issue 7): < 5 s to generate, < 30 MB, first paint < 3 s.
#
# Usage: bench/report_bench.sh [TRACE]
#   TRACE defaults to $GPUSCOPE_BENCH_DATA/kineto-1m.json, generated with
#   ../shared/tools/gen_kineto.py --kernels 121700 --seed 1 when missing.
# Env:   GPUSCOPE_BENCH_DATA=DIR (default /tmp/gpuscope-bench), GPUSCOPE=binary
#        (default build/release/gpuscope).
# Writes bench/results/report-<date>.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${GPUSCOPE_BENCH_DATA:-/tmp/gpuscope-bench}
gpuscope=${GPUSCOPE:-build/release/gpuscope}
trace=${1:-$data/kineto-1m.json}
[[ -x $gpuscope ]] || { echo "build first: cmake --preset release && cmake --build --preset release"; exit 2; }
mkdir -p "$data" bench/results
if [[ ! -f $trace ]]; then
  python3 ../shared/tools/gen_kineto.py --kernels 121700 --seed 1 -o "$trace"
fi
html=$data/report-bench.html
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# Three runs; the median wall time and its peak RSS.
walls=()
for run in 1 2 3; do
  /usr/bin/time -f "%e %M" -o "$tmp" "$gpuscope" report -q --force "$trace" -o "$html"
  read -r wall rss_kb <"$tmp"
  walls+=("$wall $rss_kb")
done
read -r wall rss_kb < <(printf '%s\n' "${walls[@]}" | sort -n | sed -n 2p)
/usr/bin/time -f "%e" -o "$tmp" "$gpuscope" import -q --force "$trace" -o "$data/report-bench.gpuscope"
import_wall=$(cat "$tmp")
bytes=$(stat -c %s "$html")
paint=$(node tests/browser/first_paint.js "$html")
field() { python3 -c "import json,sys; print(round(json.loads(sys.argv[1])['$1']))" "$paint"; }

out=bench/results/report-$(date +%Y-%m-%d).md
{
  echo "# gpuscope report benchmark"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "- machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(uname -r)"
  echo "- gpuscope: $($gpuscope --version), Release build"
  echo "- browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium), headless, --disable-gpu, 1600x1000"
  echo "- command: \`bench/report_bench.sh $*\`"
  echo "- trace: \`$trace\` ($(( $(stat -c %s "$trace") / 1048576 )) MiB; $(field events) timeline events)"
  echo
  echo "| step | measured | target |"
  echo "|---|---:|---:|"
  echo "| \`gpuscope report\` wall time (median of 3, import included) | ${wall} s | < 5 s |"
  echo "| for scale: \`gpuscope import\` of the same trace to a .gpuscope store | ${import_wall} s | |"
  echo "| peak RSS | $((rss_kb / 1024)) MiB | |"
  echo "| HTML size | $(python3 -c "print(f'{$bytes/1e6:.1f}')") MB | < 30 MB |"
  echo "| first paint (navigation start to first timeline frame, decode included) | $(field firstPaintMs) ms | < 3000 ms |"
  echo "| page ready, seen from the DevTools client | $(field loadMs) ms | |"
  echo "| redraw, whole trace (median of 5) | $(field fullRedrawMs) ms | |"
  echo "| redraw after 10 zoom steps in (median of 5) | $(field zoomedRedrawMs) ms | |"
} >"$out"
cat "$out"
