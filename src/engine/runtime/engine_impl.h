// The built engine behind the Engine interface: the optimized graph, one
// LayerRecord (and on GPU one GpuLayer) per layer, the run order, the memory
// plan and the GPU resources (handles, weights buffer). Shared by the
// builder, the loader and both execution contexts; not part of the API.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/gpu/gpu_layer.h"
#include "engine/runtime/engine.h"
#include "engine/runtime/memory_plan.h"

namespace gpuscope::engine {

// cuBLASLt / cuDNN handles, the GpuContext handed to layers, and the weights
// buffer. Defined in gpu_resources.cc (CUDA runtime API).
class GpuResources {
 public:
  static StatusOr<std::unique_ptr<GpuResources>> create();
  ~GpuResources();
  GpuResources(const GpuResources&) = delete;
  GpuResources& operator=(const GpuResources&) = delete;

  GpuContext& context() { return ctx_; }
  // Uploads every constant the plan placed in the weights buffer.
  Status uploadWeights(const Graph& graph, const GraphMemoryPlan& plan);
  void* weights() const { return weights_; }

 private:
  GpuResources() = default;
  GpuContext ctx_;
  void* weights_ = nullptr;
};

// Compute capability of the current device; InvalidInput-free: Environment
// error when there is no usable GPU.
Status currentComputeCapability(int& major, int& minor);

class EngineImpl final : public Engine {
 public:
  Status save(const std::string& path) const override;
  const Graph& graph() const override { return graph_; }
  const std::vector<LayerRecord>& layers() const override { return layers_; }
  std::vector<IoTensor> io() const override;
  Device device() const override { return device_; }
  Precision precision() const override { return precision_; }
  int64_t deviceMemoryBytes() const override { return memory_.arena_bytes + workspace_bytes_; }
  int64_t weightBytes() const override { return memory_.weight_bytes; }
  std::string layerInfoJson(ProfilingVerbosity verbosity) const override;

  // Fills steps_/step_layer_/memory_ from graph_ and layers_ (layers_ must
  // name every non-view live node).
  Status planSteps();
  std::string serialized() const;

  Graph graph_;
  std::vector<LayerRecord> layers_;
  std::vector<NodeId> steps_;     // every live node in run order (layers and views)
  std::vector<int> step_layer_;   // index into layers_, -1 for a view op
  GraphMemoryPlan memory_;
  int64_t workspace_bytes_ = 0;
  Device device_ = Device::kCpu;
  Precision precision_ = Precision::kFp32;
  ProfilingVerbosity verbosity_ = ProfilingVerbosity::kLayerNamesOnly;
  int cc_major_ = 0, cc_minor_ = 0;
  // Declared before gpu_layers_ so that layers (holding descriptors made
  // with these handles) are destroyed first.
  std::unique_ptr<GpuResources> gpu_;
  std::vector<std::unique_ptr<GpuLayer>> gpu_layers_;  // parallel to layers_ (GPU engines)
};

// One record (name, origin, node) per non-view live node.
Status makeLayerRecords(EngineImpl& engine);
// CPU engines: layer and parameter types by op, after planSteps().
Status makeCpuLayers(EngineImpl& engine);

// GPU: creates a GpuLayer per layer record (InvalidInput naming node and op
// when the registry has none), plans memory, uploads weights, then either
// selects the saved tactics (`timing` false, load) or times the tactics with
// the timing cache (build). Defined in gpu_builder.cc.
struct TimingOptions {
  bool timing = true;
  int avg_timing = 8;
  int64_t workspace_limit = int64_t(1) << 30;
  std::string timing_cache_file;
};
Status buildGpuPlan(EngineImpl& engine, const TimingOptions& options, const LogSink& log);

// Seconds since `start` as trtexec prints them.
double secondsSince(int64_t start_ns);
int64_t monotonicNs();

}  // namespace gpuscope::engine
