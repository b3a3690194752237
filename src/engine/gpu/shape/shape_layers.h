// Factories of the shape layers (one per ONNX op); register.cc adds them to
// the registry. Each validates its node and plans its kernels at construction.
#pragma once

#include "engine/gpu/gpu_layer.h"

namespace gpuscope::engine::gpu {

using LayerOr = StatusOr<std::unique_ptr<GpuLayer>>;

// copy_layers.cc: strided copies
LayerOr makeTransposeLayer(const GpuLayerArgs& args);
LayerOr makeSliceLayer(const GpuLayerArgs& args);
LayerOr makeExpandLayer(const GpuLayerArgs& args);
LayerOr makeTileLayer(const GpuLayerArgs& args);
LayerOr makeConcatLayer(const GpuLayerArgs& args);
LayerOr makeSplitLayer(const GpuLayerArgs& args);
LayerOr makePadLayer(const GpuLayerArgs& args);
// index_layers.cc: element-indexed kernels
LayerOr makeGatherLayer(const GpuLayerArgs& args);
LayerOr makeGatherNDLayer(const GpuLayerArgs& args);
LayerOr makeWhereLayer(const GpuLayerArgs& args);
LayerOr makeCastLayer(const GpuLayerArgs& args);  // Cast and gpuscope.Reformat
LayerOr makeTriluLayer(const GpuLayerArgs& args);

}  // namespace gpuscope::engine::gpu
