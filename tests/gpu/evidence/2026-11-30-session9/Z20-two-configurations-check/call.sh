#!/usr/bin/env bash
# #8 session 9: the new default (pass groups, warm-up of one-pass groups): NCU_TWICE=1 profiler_check.sh
#!/usr/bin/env bash



set -uo pipefail
S=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
if [ -f $S ] && grep -q GLIBCXX_3.4.30 $S; then rm -f .device/lib/libstdc++.so.6 .device/lib/libgcc_s.so.1; fi
P=$(python3 -c "import nvidia,os;print(os.path.dirname(nvidia.__path__[0]))" 2>/dev/null)
export LD_LIBRARY_PATH=$PWD/.device/lib:/usr/local/cuda/lib64:$P/nvidia/cudnn/lib:${LD_LIBRARY_PATH:-}
mkdir -p build/release && cp .device/bin/* .device/lib/libgpuscope_*.so build/release/ 2>/dev/null
if [ ! -e /work/main ]; then mkdir -p /work && ln -s "$PWD" /work/main; fi
NCU_TWICE=1 BUDGET_S=${PC_BUDGET:-220} OUT=/tmp/pc bash scripts/gpu/profiler_check.sh > /tmp/pc_stdout.txt 2>&1; echo "profiler_check rc=$?"
tar czf $OUT/pc.tgz -C /tmp/pc .; grep -E "^time |RESULT" /tmp/pc/compare.txt | head -40
if [ "${WITH_APP:-1}" = 1 ]; then
  VARIANTS="default|" NCU_ARGS="--replay-mode application" CAP=150 OUT=/tmp/app bash scripts/gpu/profiler_ab.sh; echo "profiler_ab app rc=$?"
  tar czf $OUT/app.tgz -C /tmp/app .
fi
