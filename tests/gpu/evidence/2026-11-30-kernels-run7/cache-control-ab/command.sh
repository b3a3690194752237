#!/usr/bin/env bash
# #8 diagnosis: saxpy duration with cache control off (both tools) and with
# the flush but without our waits; one pass each.
set -uo pipefail
P=$(python3 -c "import nvidia,os;print(os.path.dirname(nvidia.__path__[0]))" 2>/dev/null)
export LD_LIBRARY_PATH=$PWD/.device/lib:/usr/local/cuda/lib64:$P/nvidia/cudnn/lib:${LD_LIBRARY_PATH:-}
GS=$PWD/.device/bin/gpuscope; NCU=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
W=/tmp/h; mkdir -p $W
nvcc -O2 -std=c++17 -arch=native -o $W/prog tests/gpu/profiler/prog.cu -lcublas || exit 1
M=gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum
for cc in none all; do
  timeout 60 $NCU --clock-control base --cache-control $cc --metrics $M --csv $W/prog > $W/ncu_$cc.csv 2>>$W/log.txt
  timeout 60 $GS kernels --clock-control base --cache-control $cc --metrics $M --csv -- $W/prog > $W/gs_$cc.csv 2>>$W/log.txt
done
python3 tests/gpu/profiler/compare.py table ncu_none=$W/ncu_none.csv gs_none=$W/gs_none.csv ncu_all=$W/ncu_all.csv gs_all=$W/gs_all.csv 2>&1 | tee $OUT/diag_h.txt
cp $W/*.csv $OUT/ 2>/dev/null; tail -5 $W/log.txt
