#!/usr/bin/env bash
# #8: warm-up v2 (a new object measures its group once, discarded), groups on and off.
set -uo pipefail
S=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
if [ -f $S ] && grep -q GLIBCXX_3.4.30 $S; then rm -f .device/lib/libstdc++.so.6 .device/lib/libgcc_s.so.1; fi
P=$(python3 -c "import nvidia,os;print(os.path.dirname(nvidia.__path__[0]))" 2>/dev/null)
export LD_LIBRARY_PATH=$PWD/.device/lib:/usr/local/cuda/lib64:$P/nvidia/cudnn/lib:${LD_LIBRARY_PATH:-}
mkdir -p build/release && cp .device/bin/* .device/lib/libgpuscope_*.so build/release/ 2>/dev/null
if [ ! -e /work/main ]; then mkdir -p /work && ln -s "$PWD" /work/main; fi
G=GPUSCOPE_PROFILER_PASS_GROUPS=1
VARIANTS="groups_w|$G GPUSCOPE_PROFILER_WARMUP=1;groups|$G;one_config|" \
  CAP=60 OUT=/tmp/ab bash scripts/gpu/profiler_ab.sh; echo "profiler_ab rc=$?"
M=smsp__sass_thread_inst_executed_op_fadd_pred_on.sum.per_cycle_elapsed,smsp__sass_thread_inst_executed_op_fmul_pred_on.sum.per_cycle_elapsed,smsp__sass_thread_inst_executed_op_ffma_pred_on.sum.per_cycle_elapsed,smsp__sass_thread_inst_executed_op_hfma_pred_on.sum.per_cycle_elapsed,smsp__cycles_elapsed.avg.per_second,sm__cycles_elapsed.avg.per_second,sm__sass_thread_inst_executed_op_ffma_pred_on.sum.peak_sustained,dram__bytes.sum.peak_sustained,dram__cycles_elapsed.avg.per_second,dram__bytes.sum.per_second,dram__bytes_read.sum,dram__bytes_write.sum,lts__t_bytes.sum,gpu__time_duration.sum
nvcc -O2 -std=c++17 -arch=native -o /tmp/prog tests/gpu/profiler/prog.cu -lcublas 2>>/tmp/ab/log.txt
for v in "gw|$G GPUSCOPE_PROFILER_WARMUP=1" "g|$G" "one|"; do
  IFS='|' read -r name envs <<<"$v"
  t0=$(date +%s.%N)
  env $envs timeout 60 build/release/gpuscope kernels --clock-control base --cache-control all \
    --section MemoryWorkloadAnalysis,Roofline --metrics "$M" --csv -- /tmp/prog > /tmp/ab/metrics_$name.csv 2>>/tmp/ab/log.txt
  rc=$?; echo "time metrics $name: $(python3 -c "print(f'{$(date +%s.%N) - $t0:.2f}')") s rc=$rc"
done
timeout 60 ncu --clock-control base --cache-control all --section MemoryWorkloadAnalysis --metrics "$M" --csv /tmp/prog > /tmp/ab/ncu_metrics.csv 2>>/tmp/ab/log.txt
timeout 60 ncu --clock-control base --cache-control all --section MemoryWorkloadAnalysis --metrics "$M" --csv /tmp/prog > /tmp/ab/ncu_metrics2.csv 2>>/tmp/ab/log.txt
for n in gw g one; do python3 tests/gpu/profiler/compare.py metrics_$n /tmp/ab/metrics_$n.csv /tmp/ab/ncu_metrics.csv /tmp/ab/ncu_metrics2.csv | grep RESULT; done
grep -v "profiling \"" /tmp/ab/log.txt | sort | uniq -c | head -20
tar czf $OUT/ab.tgz -C /tmp/ab .
