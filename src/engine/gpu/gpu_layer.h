// CUDA implementations of the final graph's nodes. The builder asks the
// registry for a GpuLayer per live node, times each of its tactics (when it
// has several) and keeps the fastest; the runtime owns every buffer and hands
// the layer device pointers at enqueue time. Layers hold descriptors and
// handles, never tensors. This header is plain C++ (no CUDA headers), so the
// runtime and tests include it without nvcc; CUDA types travel as void*.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/ir/graph.h"

namespace gpuscope::engine {

// Shared per engine build / execution context (created by the runtime).
struct GpuContext {
  void* cublaslt = nullptr;  // cublasLtHandle_t
  void* cudnn = nullptr;     // cudnnHandle_t
  int device = 0;
  int sm_count = 0;
  int cc_major = 0, cc_minor = 0;
};

struct Tactic {
  uint64_t id = 0;     // printed as 0x%016x (trtexec TacticValue)
  std::string name;    // kernel / algorithm name (trtexec TacticName)
};

struct LayerBindings {
  std::vector<const void*> inputs;  // one per node input; nullptr for omitted optional ones
  std::vector<void*> outputs;       // one per node output
  void* workspace = nullptr;        // workspaceBytes() of scratch, may be shared between layers
};

class GpuLayer {
 public:
  virtual ~GpuLayer() = default;
  // Candidate implementations, at least one. The builder times them when
  // there are several, then calls select() with the fastest.
  virtual std::vector<Tactic> tactics() const = 0;
  virtual Status select(uint64_t tactic_id) = 0;
  virtual size_t workspaceBytes() const { return 0; }
  // Enqueues the layer's kernels on `stream` (cudaStream_t). Must not
  // allocate, synchronize or call anything illegal during graph capture.
  virtual Status enqueue(const LayerBindings& bindings, void* stream) = 0;
  // trtexec LayerType / ParameterType of this implementation
  // ("CaskConvolution"/"Convolution", "PointWiseV2"/"PointWise", ...).
  virtual std::string_view layerType() const = 0;
  virtual std::string_view parameterType() const = 0;
};

struct GpuLayerArgs {
  const Graph& graph;
  NodeId node;
  GpuContext& ctx;
};
using GpuLayerFactory = StatusOr<std::unique_ptr<GpuLayer>> (*)(const GpuLayerArgs& args);

class GpuLayerRegistry {
 public:
  static const GpuLayerRegistry& instance();
  GpuLayerFactory find(std::string_view op) const;
  // The GPU layer of node `n`; InvalidInput naming the node and op when no
  // implementation exists.
  StatusOr<std::unique_ptr<GpuLayer>> create(const Graph& graph, NodeId n, GpuContext& ctx) const;
  void add(std::string_view op, GpuLayerFactory factory);

 private:
  std::vector<std::pair<std::string_view, GpuLayerFactory>> entries_;
};

// Groups, one per folder of gpu/ (mirrors ops/op_def.h).
void registerGpuShapeLayers(GpuLayerRegistry& r);      // gpu/shape/
void registerGpuNnLayers(GpuLayerRegistry& r);         // gpu/nn/ (cuDNN conv, cuBLASLt gemm, attention, norms, ...)
void registerGpuPointwiseLayers(GpuLayerRegistry& r);  // gpu/pointwise/ (NVRTC-generated kernels)

// Ops with no kernel: the output is the input's bytes under another shape
// (Reshape, Flatten, Squeeze, Unsqueeze, Identity). The runtime aliases them.
bool isViewOp(std::string_view op);

}  // namespace gpuscope::engine
