#!/usr/bin/env bash
# #8: where replay time goes (GPUSCOPE_PROFILER_TIMING=1), and CUPTI's checkpoint transfer optimization, groups on.
set -uo pipefail
S=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
if [ -f $S ] && grep -q GLIBCXX_3.4.30 $S; then rm -f .device/lib/libstdc++.so.6 .device/lib/libgcc_s.so.1; fi
P=$(python3 -c "import nvidia,os;print(os.path.dirname(nvidia.__path__[0]))" 2>/dev/null)
export LD_LIBRARY_PATH=$PWD/.device/lib:/usr/local/cuda/lib64:$P/nvidia/cudnn/lib:${LD_LIBRARY_PATH:-}
mkdir -p build/release && cp .device/bin/* .device/lib/libgpuscope_*.so build/release/ 2>/dev/null
if [ ! -e /work/main ]; then mkdir -p /work && ln -s "$PWD" /work/main; fi
G="GPUSCOPE_PROFILER_PASS_GROUPS=1 GPUSCOPE_PROFILER_TIMING=1"
VARIANTS="w1|$G GPUSCOPE_PROFILER_WARMUP=1;w1x|$G GPUSCOPE_PROFILER_WARMUP=1 GPUSCOPE_PROFILER_CHECKPOINT_TRANSFER=1;w2|$G GPUSCOPE_PROFILER_WARMUP=2;one|GPUSCOPE_PROFILER_TIMING=1" \
  CAP=60 OUT=/tmp/ab bash scripts/gpu/profiler_ab.sh; echo "profiler_ab rc=$?"
python3 scripts/gpu/replay_timing.py /tmp/ab/log.txt
grep -v "profiling \"\|timing ms" /tmp/ab/log.txt | sort | uniq -c | head -20
tar czf $OUT/ab.tgz -C /tmp/ab .
