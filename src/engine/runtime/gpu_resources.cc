// Device-side resources of a GPU engine. Only the CUDA runtime API is used
// (no libcuda link: CI machines have no driver).
#include <cublasLt.h>
#include <cuda_runtime.h>
#include <cudnn.h>
#include <fmt/format.h>

#include <chrono>
#include <vector>

#include "engine/gpu/cuda_check.h"
#include "engine/runtime/engine_impl.h"

namespace gpuscope::engine {

int64_t monotonicNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double secondsSince(int64_t start_ns) { return double(monotonicNs() - start_ns) * 1e-9; }

Status currentComputeCapability(int& major, int& minor) {
  int device = 0;
  GS_CUDA_CHECK(cudaGetDevice(&device), "gpuscope engine");
  GS_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device), "gpuscope engine");
  GS_CUDA_CHECK(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device), "gpuscope engine");
  return OkStatus();
}

StatusOr<std::unique_ptr<GpuResources>> GpuResources::create() {
  std::unique_ptr<GpuResources> r(new GpuResources());
  GpuContext& c = r->ctx_;
  GS_CUDA_CHECK(cudaGetDevice(&c.device), "gpuscope engine");
  GS_CUDA_CHECK(cudaDeviceGetAttribute(&c.sm_count, cudaDevAttrMultiProcessorCount, c.device), "gpuscope engine");
  GS_RETURN_IF_ERROR(currentComputeCapability(c.cc_major, c.cc_minor));
  cublasLtHandle_t lt = nullptr;
  GS_CUBLAS_CHECK(cublasLtCreate(&lt), "gpuscope engine");
  c.cublaslt = lt;
  cudnnHandle_t dnn = nullptr;
  GS_CUDNN_CHECK(cudnnCreate(&dnn), "gpuscope engine");
  c.cudnn = dnn;
  return r;
}

GpuResources::~GpuResources() {
  // Errors while tearing down cannot be reported; the process may be exiting.
  if (weights_) (void)cudaFree(weights_);
  if (ctx_.cudnn) (void)cudnnDestroy(static_cast<cudnnHandle_t>(ctx_.cudnn));
  if (ctx_.cublaslt) (void)cublasLtDestroy(static_cast<cublasLtHandle_t>(ctx_.cublaslt));
}

Status GpuResources::uploadWeights(const Graph& graph, const GraphMemoryPlan& plan) {
  if (plan.weight_bytes == 0) return OkStatus();
  GS_CUDA_CHECK(cudaMalloc(&weights_, size_t(plan.weight_bytes)),
                fmt::format("weights buffer ({} bytes)", plan.weight_bytes));
  // Several values can alias one constant (views); upload each offset once.
  std::vector<bool> done(graph.values.size(), false);
  for (size_t v = 0; v < graph.values.size(); ++v) {
    const ValueLocation& loc = plan.values[v];
    const HostTensor* c = graph.constantOf(ValueId(v));
    if (loc.storage != Storage::kWeights || c == nullptr || done[v]) continue;
    done[v] = true;
    GS_CUDA_CHECK(cudaMemcpy(static_cast<char*>(weights_) + loc.offset, c->raw(), c->byteSize(), cudaMemcpyHostToDevice),
                  fmt::format("uploading constant '{}'", graph.values[v].name));
  }
  return OkStatus();
}

}  // namespace gpuscope::engine
