// The engine plan: what `trtexec --exportLayerInfo` describes (layers, their
// tensors and attributes), joined with the per-layer profile and the trtexec
// metadata, following TREx's EnginePlan pipeline (reference/trex.md §2, §4).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"

namespace gpuscope::explore {

struct Tensor {
  std::string name;
  std::vector<int64_t> dims;
  std::string raw_format;  // "Format/Datatype" as exported
  std::string format;      // short name, "FP16 NHWC8"
  std::string precision;   // "FP16"
  double element_bytes = 0;
  double size_bytes = 0;   // product(dims) * element_bytes (negative dims: 0 unless compat)
};

struct Layer {
  std::string name;
  std::string type;     // ParameterType, else LayerType (TREx "type")
  std::string subtype;  // LayerType
  std::string tactic;   // TacticName, "TensorRT" when absent
  std::string precision;  // precision of Inputs[0], "" without inputs
  std::string metadata;
  // As exported: TREx's data frame view, used for sizes, tables, the TREx
  // linters, convolution figures and comparisons.
  std::vector<Tensor> inputs, outputs;
  // After NoOp folding: the connectivity view (graph, bindings, our linters).
  std::vector<Tensor> graph_inputs, graph_outputs;
  double weights_bytes = 0;  // Weights.Count * element size (TREx: bias not counted)
  double bias_bytes = 0;
  double io_bytes = 0;       // Σ input sizes + Σ output sizes, before NoOp folding
  // Profile (ms; % of the profiled total); 0 when not profiled.
  double time_ms = 0, avg_ms = 0, median_ms = 0, pct = 0;
  size_t index = 0;          // position in the plan (after filtering)
  nlohmann::ordered_json raw;  // every exported key, for type attributes and tooltips
};

struct EnginePlan {
  std::string name;
  std::string graph_path;
  bool detailed = true;        // false: the export holds layer names only
  std::vector<Layer> layers;   // no Constant, NoOp, shape_call, signal/wait
  std::vector<Layer> constants;
  std::vector<std::string> bindings;
  bool has_profile = false;
  int64_t profile_iterations = 0;
  std::vector<std::string> warnings;
  nlohmann::ordered_json device;       // profile metadata "device_information"
  nlohmann::ordered_json performance;  // profile metadata "performance_summary"
  nlohmann::ordered_json inference;    // profile metadata "inference_options"
  nlohmann::ordered_json builder;      // build metadata model_options ∪ build_options
};

struct LoadOptions {
  std::string graph;             // required
  std::string profile;           // --exportProfile
  std::string profile_metadata;  // TREx .profile.metadata.json
  std::string build_metadata;    // TREx .build.metadata.json
  std::string name;              // display name; default: file name of graph
  int profile_id = 0;            // optimisation profile (names with " [profile k]")
  bool trex_compat = false;      // reproduce TREx's size defects
  // Pick `X.profile.json`, `X.profile.metadata.json`, `X.build.metadata.json`
  // beside `X.graph.json` when not given (TREx's process_engine naming).
  bool discover_siblings = true;
};

StatusOr<EnginePlan> loadEnginePlan(const LoadOptions& options);

// Sibling file of a TREx-style graph export ("" when absent or not that naming).
std::string siblingPath(const std::string& graph_path, const std::string& suffix);

// Parses JSON text; errors name the path and byte offset.
StatusOr<nlohmann::ordered_json> parseJsonFile(const std::string& path);

}  // namespace gpuscope::explore
