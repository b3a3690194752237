// Host cost per launch: a tight loop of empty kernels on one stream, timed
// on the host (launch calls only) and to completion. Run traced and
// untraced; the difference per launch is the tracer's added host time.
#include <cuda_runtime.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

__global__ void empty_kernel() {}

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  cudaStream_t s;
  cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
  for (int i = 0; i < 1000; ++i) empty_kernel<<<1, 1, 0, s>>>();  // warm-up
  cudaStreamSynchronize(s);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) empty_kernel<<<1, 1, 0, s>>>();
  auto t1 = std::chrono::steady_clock::now();
  cudaStreamSynchronize(s);
  auto t2 = std::chrono::steady_clock::now();
  double launch_us = std::chrono::duration<double, std::micro>(t1 - t0).count() / n;
  double total_us = std::chrono::duration<double, std::micro>(t2 - t0).count() / n;
  std::printf("launches %d host_us_per_launch %.3f total_us_per_launch %.3f\n", n, launch_us, total_us);
  cudaError_t e = cudaGetLastError();
  return e == cudaSuccess ? 0 : 1;
}
