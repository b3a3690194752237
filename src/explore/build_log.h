// A trtexec / TensorRT verbose log read back into the build's story
// (reference/trtexec.md §7, trt_naming.md §6): option sections, optimisation
// phases with layer counts, fusions, timing runners with the tactics tried
// and chosen, Myelin foreign nodes with their autotuning time, build time.
// Log timestamps have one-second resolution, so autotuning times are too.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "explore/table.h"

namespace gpuscope::explore {

struct TunedLayer {
  std::string name;
  std::vector<std::string> runners;  // in the order tried, unique
  int64_t tactics_timed = 0;
  int64_t runners_skipped = 0;
  double fastest_ms = -1;            // best "Fastest Tactic" time, -1 when none
  std::string chosen_runner, chosen_tactic;
  std::string kernel;                // final tactic name (after selection)
  double autotune_s = 0;
  bool myelin = false;
  int64_t scratch_bytes = -1;        // "Scratch Memory" of the final engine, -1 unknown
};

struct Fusion {
  std::string pass, into, fused;  // "ConvReluFusion: Fusing A with B" -> into A, fused B
};

struct BuildLog {
  std::string trt_version;  // "8502" from "[TensorRT v8502]"
  std::string command;
  // Option blocks keyed like TREx's metadata: model_options, build_options,
  // system_options, inference_options, reporting_options, device_information,
  // performance_summary. Values keep all their text (TREx cuts at ':').
  std::map<std::string, nlohmann::ordered_json> sections;
  std::vector<std::pair<std::string, int64_t>> phases;  // "Original", 730
  std::vector<Fusion> fusions;
  std::vector<std::string> merges;          // "A || B"
  int64_t removed_layers = 0;
  std::vector<std::pair<std::string, std::string>> gpu_layers;  // type, name
  std::vector<TunedLayer> layers;          // in tuning order
  int64_t timing_blocks = 0, tactics_timed = 0;
  double graph_optimization_s = -1, tactic_selection_s = -1, engine_generation_s = -1, engine_built_s = -1;
  double engine_size_mib = -1;
  int64_t activation_memory_bytes = -1;
  int64_t lines = 0;
};

StatusOr<BuildLog> readBuildLog(const std::string& path);

// TREx's *.metadata.json shape: {"model_options": {...}, "build_options": ..., ...}
// with the performance summary's numbers converted as TREx does.
nlohmann::ordered_json buildLogMetadata(const BuildLog& log);

std::vector<Table> buildLogTables(const BuildLog& log, size_t max_rows);

}  // namespace gpuscope::explore
