#!/usr/bin/env bash
# #8 session 9, final: the default (at most two configurations, warm-up of the one-pass group):
# NCU_TWICE=1 profiler_check.sh, then profiler_ab default vs one configuration (with replay timing).
set -uo pipefail
S=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
if [ -f $S ] && grep -q GLIBCXX_3.4.30 $S; then rm -f .device/lib/libstdc++.so.6 .device/lib/libgcc_s.so.1; fi
P=$(python3 -c "import nvidia,os;print(os.path.dirname(nvidia.__path__[0]))" 2>/dev/null)
export LD_LIBRARY_PATH=$PWD/.device/lib:/usr/local/cuda/lib64:$P/nvidia/cudnn/lib:${LD_LIBRARY_PATH:-}
mkdir -p build/release && cp .device/bin/* .device/lib/libgpuscope_*.so build/release/ 2>/dev/null
if [ ! -e /work/main ]; then mkdir -p /work && ln -s "$PWD" /work/main; fi
NCU_TWICE=1 BUDGET_S=200 OUT=/tmp/pc bash scripts/gpu/profiler_check.sh > /tmp/pc_stdout.txt 2>&1; echo "profiler_check rc=$?"
tar czf $OUT/pc.tgz -C /tmp/pc .; grep -E "^time |RESULT" /tmp/pc/compare.txt | head -40; grep "groups, " /tmp/pc/log.txt
VARIANTS="default|GPUSCOPE_PROFILER_TIMING=1;one_config|GPUSCOPE_PROFILER_PASS_GROUPS=0 GPUSCOPE_PROFILER_TIMING=1" CAP=60 OUT=/tmp/ab bash scripts/gpu/profiler_ab.sh | grep -E "^time|RESULT"; echo "profiler_ab rc=$?"
python3 scripts/gpu/replay_timing.py /tmp/ab/log.txt
tar czf $OUT/ab.tgz -C /tmp/ab .
