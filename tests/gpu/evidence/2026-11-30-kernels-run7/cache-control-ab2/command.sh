#!/usr/bin/env bash
# #8 diagnosis 2: saxpy duration under user replay with parts of the flush off.
set -uo pipefail
P=$(python3 -c "import nvidia,os;print(os.path.dirname(nvidia.__path__[0]))" 2>/dev/null)
export LD_LIBRARY_PATH=$PWD/.device/lib:/usr/local/cuda/lib64:$P/nvidia/cudnn/lib:${LD_LIBRARY_PATH:-}
GS=$PWD/.device/bin/gpuscope; NCU=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
W=/tmp/i; mkdir -p $W
nvcc -O2 -std=c++17 -arch=native -o $W/prog tests/gpu/profiler/prog.cu -lcublas || exit 1
M=gpu__time_duration.sum,dram__bytes_write.sum
C="--clock-control base --cache-control all --metrics $M --csv"
timeout 60 $NCU $C $W/prog > $W/ncu.csv 2>>$W/log.txt
timeout 60 $GS kernels $C -- $W/prog > $W/full.csv 2>>$W/log.txt
GPUSCOPE_PROFILER_FLUSH=read timeout 60 $GS kernels $C -- $W/prog > $W/read.csv 2>>$W/log.txt
GPUSCOPE_PROFILER_FLUSH=skip timeout 60 $GS kernels $C -- $W/prog > $W/skip.csv 2>>$W/log.txt
GPUSCOPE_PROFILER_FLUSH=skip GPUSCOPE_PROFILER_TLB_TOUCH=0 timeout 60 $GS kernels $C -- $W/prog > $W/bare.csv 2>>$W/log.txt
python3 tests/gpu/profiler/compare.py table ncu=$W/ncu.csv full=$W/full.csv read=$W/read.csv skip=$W/skip.csv bare=$W/bare.csv 2>&1 | tee $OUT/diag_i.txt
cp $W/*.csv $OUT/ 2>/dev/null; grep -i "warning\|error" $W/log.txt | head -5
