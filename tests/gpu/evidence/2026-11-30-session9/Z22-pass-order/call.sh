#!/usr/bin/env bash
# #8: one configuration with the one-pass group's metrics first (PASS_GROUPS=2) vs two configurations (default) vs one configuration in list order.
set -uo pipefail
S=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
if [ -f $S ] && grep -q GLIBCXX_3.4.30 $S; then rm -f .device/lib/libstdc++.so.6 .device/lib/libgcc_s.so.1; fi
P=$(python3 -c "import nvidia,os;print(os.path.dirname(nvidia.__path__[0]))" 2>/dev/null)
export LD_LIBRARY_PATH=$PWD/.device/lib:/usr/local/cuda/lib64:$P/nvidia/cudnn/lib:${LD_LIBRARY_PATH:-}
mkdir -p build/release && cp .device/bin/* .device/lib/libgpuscope_*.so build/release/ 2>/dev/null
if [ ! -e /work/main ]; then mkdir -p /work && ln -s "$PWD" /work/main; fi
T=GPUSCOPE_PROFILER_TIMING=1
VARIANTS="reorder|GPUSCOPE_PROFILER_PASS_GROUPS=2 $T;groups|$T;one_config|GPUSCOPE_PROFILER_PASS_GROUPS=0 $T" CAP=60 OUT=/tmp/ab bash scripts/gpu/profiler_ab.sh | grep -E "^time|RESULT"; echo "profiler_ab rc=$?"
python3 scripts/gpu/replay_timing.py /tmp/ab/log.txt
grep -v "profiling \"\|timing ms" /tmp/ab/log.txt | sort | uniq -c | sort -rn | head -12
tar czf $OUT/ab.tgz -C /tmp/ab .
