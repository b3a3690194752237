#!/usr/bin/env bash
# #8: tiny-kernel durations: is the host round trip between the flush and the kernel (idle GPU) the cause?
# FLUSH_SYNC=0 queues the flush right ahead of the kernel. Plus default twice (our own run-to-run).
set -uo pipefail
S=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
if [ -f $S ] && grep -q GLIBCXX_3.4.30 $S; then rm -f .device/lib/libstdc++.so.6 .device/lib/libgcc_s.so.1; fi
P=$(python3 -c "import nvidia,os;print(os.path.dirname(nvidia.__path__[0]))" 2>/dev/null)
export LD_LIBRARY_PATH=$PWD/.device/lib:/usr/local/cuda/lib64:$P/nvidia/cudnn/lib:${LD_LIBRARY_PATH:-}
mkdir -p build/release && cp .device/bin/* .device/lib/libgpuscope_*.so build/release/ 2>/dev/null
if [ ! -e /work/main ]; then mkdir -p /work && ln -s "$PWD" /work/main; fi
VARIANTS="default|;nosync|GPUSCOPE_PROFILER_FLUSH_SYNC=0;default2|;nosync_groups|GPUSCOPE_PROFILER_FLUSH_SYNC=0 GPUSCOPE_PROFILER_PASS_GROUPS=1" \
  CAP=60 OUT=/tmp/ab bash scripts/gpu/profiler_ab.sh; echo "profiler_ab rc=$?"
grep -v "profiling \"" /tmp/ab/log.txt | sort | uniq -c | head
tar czf $OUT/ab.tgz -C /tmp/ab .
