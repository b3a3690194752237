// Engine overview and per-layer tables with TREx's definitions
// (reference/trex.md §6): Layers = non-Constant, non-NoOp layers; Average time
// = Σ per-layer averageMs; Weights = Σ Weights.Count·size (bias apart);
// Activations = Σ per-layer (inputs + outputs) bytes, so every intermediate
// tensor counts once per producer and once per consumer.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "explore/engine_plan.h"
#include "explore/table.h"

namespace gpuscope::explore {

struct GroupTotals {
  std::string key;
  int64_t layers = 0;
  double avg_ms = 0;
  double pct = 0;  // of Σ avg_ms
};

struct EngineSummary {
  std::string name;
  int64_t layers = 0, constants = 0;
  double avg_ms = 0, median_ms = 0;   // Σ over layers
  double weights_bytes = 0, bias_bytes = 0;
  double activation_bytes = 0;        // TREx definition (double counted)
  double unique_activation_bytes = 0; // each tensor once (its largest view)
  std::vector<std::string> inputs, outputs;  // "name: [dims]xformat"
  std::vector<GroupTotals> by_type, by_precision;  // descending latency, then count
  bool has_profile = false;
};

EngineSummary summarizePlan(const EnginePlan& plan);

// TREx's summary_dict lines (plus ours), as key/value rows.
Table overviewTable(const EnginePlan& plan, const EngineSummary& s);
Table groupTable(const std::string& title, const std::vector<GroupTotals>& groups);
Table layerTable(const EnginePlan& plan);
// Key/value rows of a metadata section (device, builder, performance).
Table metadataTable(const std::string& title, const nlohmann::ordered_json& section);

std::string tensorRepr(const Tensor& t);  // "input1: [1, 3, 224, 224]xFP32 NCHW"
std::string megabytes(double bytes);      // TREx: bytes / 2^20, ".1f MB"

}  // namespace gpuscope::explore
