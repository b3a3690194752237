// The GpuLayer of gpuscope.Pointwise and of every single elementwise ONNX op
// (a one-statement program): one NVRTC-generated kernel per program, compiled
// when the layer is created (so enqueue is capture-safe). Tactics:
// "pwgen_generic" (any broadcast) and "pwgen_vec<N>" when every input is
// full-size or one value and the element count divides by N.
#pragma once

#include <memory>

#include "base/status.h"
#include "engine/gpu/gpu_layer.h"
#include "engine/gpu/pointwise/codegen.h"

namespace gpuscope::engine {

StatusOr<std::unique_ptr<GpuLayer>> createPointwiseLayer(const GpuLayerArgs& args);

// What the layer will compile for node `node`: the program over its present
// inputs, the kernel spec and the launch arguments' dims/strides (pointers
// unset). Exposed for tests that check the generated source without a GPU.
struct PointwisePlan {
  pointwise::Program program;
  pointwise::KernelSpec spec;
  pointwise::KernelArgs args{};
  std::vector<int> binding_of_input;  // program input k -> node input index
  int64_t elements = 0;
  std::string source;
};
StatusOr<PointwisePlan> planPointwise(const Graph& graph, NodeId node);

}  // namespace gpuscope::engine
