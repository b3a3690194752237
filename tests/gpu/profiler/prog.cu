// Kernels for the `gpuscope kernels` vs ncu comparison
// (scripts/gpu/profiler_check.sh): an elementwise saxpy, a two-stage sum
// reduction, and cuBLAS SGEMM and HGEMM. Each is launched twice so that
// --launch-skip/-c and the second-launch (warm) path are exercised too.
#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#define CHECK(x)                                                               \
  do {                                                                         \
    cudaError_t e = (x);                                                       \
    if (e != cudaSuccess) {                                                    \
      std::fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, cudaGetErrorString(e)); \
      std::exit(1);                                                            \
    }                                                                          \
  } while (0)
#define CHECK_BLAS(x)                                                          \
  do {                                                                         \
    if ((x) != CUBLAS_STATUS_SUCCESS) {                                        \
      std::fprintf(stderr, "%s:%d: cuBLAS error\n", __FILE__, __LINE__);       \
      std::exit(1);                                                            \
    }                                                                          \
  } while (0)

__global__ void saxpy(int n, float a, const float* x, float* y) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}

// Block-wide shared-memory tree reduction; stage 2 reduces the partial sums.
__global__ void reduceSum(const float* in, float* out, int n) {
  extern __shared__ float s[];
  float v = 0;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) v += in[i];
  s[threadIdx.x] = v;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
    if (threadIdx.x < stride) s[threadIdx.x] += s[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) out[blockIdx.x] = s[0];
}

int main() {
  const int n = 1 << 24;
  float *x, *y, *partial, *total;
  CHECK(cudaMalloc(&x, n * sizeof(float)));
  CHECK(cudaMalloc(&y, n * sizeof(float)));
  CHECK(cudaMalloc(&partial, 1024 * sizeof(float)));
  CHECK(cudaMalloc(&total, sizeof(float)));
  std::vector<float> host(n, 1.0f);
  CHECK(cudaMemcpy(x, host.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(y, host.data(), n * sizeof(float), cudaMemcpyHostToDevice));

  for (int rep = 0; rep < 2; ++rep) {
    saxpy<<<(n + 255) / 256, 256>>>(n, 2.0f, x, y);
    reduceSum<<<1024, 256, 256 * sizeof(float)>>>(y, partial, n);
    reduceSum<<<1, 1024, 1024 * sizeof(float)>>>(partial, total, 1024);
  }
  CHECK(cudaGetLastError());

  const int m = 2048;
  float *a, *b, *c;
  __half *ha, *hb, *hc;
  CHECK(cudaMalloc(&a, size_t(m) * m * sizeof(float)));
  CHECK(cudaMalloc(&b, size_t(m) * m * sizeof(float)));
  CHECK(cudaMalloc(&c, size_t(m) * m * sizeof(float)));
  CHECK(cudaMalloc(&ha, size_t(m) * m * sizeof(__half)));
  CHECK(cudaMalloc(&hb, size_t(m) * m * sizeof(__half)));
  CHECK(cudaMalloc(&hc, size_t(m) * m * sizeof(__half)));
  CHECK(cudaMemset(a, 0, size_t(m) * m * sizeof(float)));
  CHECK(cudaMemset(b, 0, size_t(m) * m * sizeof(float)));
  CHECK(cudaMemset(ha, 0, size_t(m) * m * sizeof(__half)));
  CHECK(cudaMemset(hb, 0, size_t(m) * m * sizeof(__half)));
  cublasHandle_t h;
  CHECK_BLAS(cublasCreate(&h));
  const float one = 1.0f, zero = 0.0f;
  const __half hone = __float2half(1.0f), hzero = __float2half(0.0f);
  for (int rep = 0; rep < 2; ++rep) {
    CHECK_BLAS(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, m, m, m, &one, a, m, b, m, &zero, c, m));
    CHECK_BLAS(cublasHgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, m, m, m, &hone, ha, m, hb, m, &hzero, hc, m));
  }
  CHECK(cudaDeviceSynchronize());
  float result = 0;
  CHECK(cudaMemcpy(&result, total, sizeof(float), cudaMemcpyDeviceToHost));
  std::printf("sum after two saxpy passes: %.0f (expected %.0f)\n", result, 5.0 * n);
  cublasDestroy(h);
  return 0;
}
