// trtexec --exportLayerInfo (engine inspector JSON, reference/trtexec.md §6.3)
// for gpuscope engines, and the per-layer text of detailed NVTX ranges.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/ir/graph.h"
#include "engine/runtime/engine.h"

namespace gpuscope::engine {

// trtexec "Format/Datatype" of a row-major tensor: "Row major linear FP32",
// "Row major linear FP16 format", ...
std::string_view formatDescription(DType t);
// TensorRT's type names: Weights "Type" and the build log's format
// combinations ("Float", "Half", "BFloat16", "Int8", ...).
std::string_view weightTypeName(DType t);

// LayerType / ParameterType of a CPU-reference layer, by op (the GPU path
// asks its GpuLayer instead).
std::pair<std::string, std::string> cpuLayerTypes(std::string_view op);

// "[ONNX Layer: a]\x1e[ONNX Layer: b]" (TensorRT 10 Metadata).
std::string layerMetadata(const std::vector<std::string>& origin);

// {"Layers": [...], "Bindings": [...]}: names only, detailed objects, or for
// kNone an empty layer list.
std::string layerInfoJson(const Graph& graph, const std::vector<LayerRecord>& layers, ProfilingVerbosity verbosity);

// One layer's detailed object as compact JSON (NVTX ranges at kDetailed).
std::string layerDetailJson(const Graph& graph, const LayerRecord& layer);

}  // namespace gpuscope::engine
