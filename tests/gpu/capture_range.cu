// `gpuscope trace -c cudaProfilerApi` switches CUPTI's activity kinds on at
// cudaProfilerStart and off at cudaProfilerStop. This program checks the
// edges: inside the range a ~50 ms spin kernel and three short kernels are
// launched and cudaProfilerStop is called while they still run (no sync);
// then, outside any range, two kernels of another name. A second range
// holds one kernel. Expected in the trace (scripts/gpu/tracer_check.sh):
// kernels named inside_* 5 (spin + 3 short + 1 in range 2), outside 0.
#include <cuda_profiler_api.h>
#include <cuda_runtime.h>

#include <cstdio>

__global__ void inside_spin(long long cycles) {
  long long t0 = clock64();
  while (clock64() - t0 < cycles) {}
}
__global__ void inside_short(int* p) { p[threadIdx.x] += 1; }
__global__ void outside(int* p) { p[threadIdx.x] += 2; }

#define CHECK(x)                                                            \
  do {                                                                      \
    cudaError_t e = (x);                                                    \
    if (e != cudaSuccess) {                                                 \
      std::fprintf(stderr, "%s: %s\n", #x, cudaGetErrorString(e));          \
      return 1;                                                             \
    }                                                                       \
  } while (0)

int main() {
  int* p = nullptr;
  CHECK(cudaMalloc(&p, 256 * sizeof(int)));
  CHECK(cudaMemset(p, 0, 256 * sizeof(int)));
  CHECK(cudaDeviceSynchronize());
  int rate_khz = 0;
  CHECK(cudaDeviceGetAttribute(&rate_khz, cudaDevAttrClockRate, 0));
  CHECK(cudaProfilerStart());
  inside_spin<<<1, 1>>>(static_cast<long long>(rate_khz) * 50);  // ~50 ms
  for (int i = 0; i < 3; ++i) inside_short<<<1, 256>>>(p);
  CHECK(cudaProfilerStop());  // the four kernels are still queued or running
  CHECK(cudaDeviceSynchronize());
  for (int i = 0; i < 2; ++i) outside<<<1, 256>>>(p);
  CHECK(cudaDeviceSynchronize());
  CHECK(cudaProfilerStart());
  inside_short<<<1, 256>>>(p);
  CHECK(cudaDeviceSynchronize());
  CHECK(cudaProfilerStop());
  std::printf("expect inside 5 outside 0\n");
  CHECK(cudaGetLastError());
  return 0;
}
