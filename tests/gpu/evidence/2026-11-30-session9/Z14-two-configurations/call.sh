#!/usr/bin/env bash
# Next session, #8: metric groups (PASS_GROUPS=1: alternating order, one new object per kernel) vs one configuration,
# against one ncu run (profiler_ab); then the memory+roofline+SASS set in both modes and ncu (same run).
set -uo pipefail
S=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
if [ -f $S ] && grep -q GLIBCXX_3.4.30 $S; then rm -f .device/lib/libstdc++.so.6 .device/lib/libgcc_s.so.1; fi
P=$(python3 -c "import nvidia,os;print(os.path.dirname(nvidia.__path__[0]))" 2>/dev/null)
export LD_LIBRARY_PATH=$PWD/.device/lib:/usr/local/cuda/lib64:$P/nvidia/cudnn/lib:${LD_LIBRARY_PATH:-}
mkdir -p build/release && cp .device/bin/* .device/lib/libgpuscope_*.so build/release/ 2>/dev/null
if [ ! -e /work/main ]; then mkdir -p /work && ln -s "$PWD" /work/main; fi
VARIANTS="groups|GPUSCOPE_PROFILER_PASS_GROUPS=1;one_config|" OUT=/tmp/ab bash scripts/gpu/profiler_ab.sh; echo "profiler_ab rc=$?"
M=smsp__sass_thread_inst_executed_op_fadd_pred_on.sum.per_cycle_elapsed,smsp__sass_thread_inst_executed_op_fmul_pred_on.sum.per_cycle_elapsed,smsp__sass_thread_inst_executed_op_ffma_pred_on.sum.per_cycle_elapsed,smsp__sass_thread_inst_executed_op_hfma_pred_on.sum.per_cycle_elapsed,smsp__cycles_elapsed.avg.per_second,sm__cycles_elapsed.avg.per_second,sm__sass_thread_inst_executed_op_ffma_pred_on.sum.peak_sustained,dram__bytes.sum.peak_sustained,dram__cycles_elapsed.avg.per_second,dram__bytes.sum.per_second,dram__bytes_read.sum,dram__bytes_write.sum,lts__t_bytes.sum,gpu__time_duration.sum
nvcc -O2 -std=c++17 -arch=native -o /tmp/prog tests/gpu/profiler/prog.cu -lcublas 2>>/tmp/ab/log.txt
for v in 1 0; do
  t0=$(date +%s.%N)
  GPUSCOPE_PROFILER_PASS_GROUPS=$v timeout 75 build/release/gpuscope kernels --clock-control base --cache-control all \
    --section MemoryWorkloadAnalysis,Roofline --metrics "$M" --csv -- /tmp/prog > /tmp/ab/metrics_mode$v.csv 2>>/tmp/ab/log.txt
  echo "time metrics mode $v: $(python3 -c "print(f'{$(date +%s.%N) - $t0:.2f}')") s rc=$?"
done
timeout 60 ncu --clock-control base --cache-control all --section MemoryWorkloadAnalysis --metrics "$M" --csv /tmp/prog > /tmp/ab/ncu_metrics.csv 2>>/tmp/ab/log.txt
timeout 60 ncu --clock-control base --cache-control all --section MemoryWorkloadAnalysis --metrics "$M" --csv /tmp/prog > /tmp/ab/ncu_metrics2.csv 2>>/tmp/ab/log.txt
for v in 1 0; do python3 tests/gpu/profiler/compare.py metrics_mode$v /tmp/ab/metrics_mode$v.csv /tmp/ab/ncu_metrics.csv /tmp/ab/ncu_metrics2.csv | grep RESULT; done
grep -v "profiling \"" /tmp/ab/log.txt | sort | uniq -c | head
tar czf $OUT/ab.tgz -C /tmp/ab .
# L2 hit rate's parts, both modes and ncu (Z13 read 213.89 % grouped on the one-block reduction)
H=lts__t_sector_hit_rate.pct,lts__t_sectors_lookup_hit.sum,lts__t_sectors_lookup_miss.sum,lts__t_sectors.sum,gpu__time_duration.sum
for v in 1 0; do
  GPUSCOPE_PROFILER_PASS_GROUPS=$v timeout 60 build/release/gpuscope kernels --clock-control base --cache-control all \
    --section MemoryWorkloadAnalysis --metrics "$H" --csv -- /tmp/prog > /tmp/ab/hit_mode$v.csv 2>>/tmp/ab/log.txt; echo "hit mode $v rc=$?"
done
timeout 60 ncu --clock-control base --cache-control all --section MemoryWorkloadAnalysis --metrics "$H" --csv /tmp/prog > /tmp/ab/ncu_hit.csv 2>>/tmp/ab/log.txt
for v in 1 0; do python3 tests/gpu/profiler/compare.py hit_mode$v /tmp/ab/hit_mode$v.csv /tmp/ab/ncu_hit.csv | grep -E "RESULT|OUT"; done
grep -E "hit|lookup|lts__t_sectors.sum" /tmp/ab/hit_mode1.csv /tmp/ab/ncu_hit.csv | grep -i reduce | head -30
tar czf $OUT/ab.tgz -C /tmp/ab .
