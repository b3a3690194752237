// Engine comparison (reference/trex.md §10): layers aligned across two plans,
// per-type and per-precision latency side by side, and the layers that changed.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "explore/engine_plan.h"
#include "explore/table.h"

namespace gpuscope::explore {

using LayerPair = std::pair<std::optional<size_t>, std::optional<size_t>>;

// TREx's match_layers: greedy two-pass beam search over layer signatures
// (type + I/O shapes without the batch dimension; `exact` compares every
// tensor, otherwise only the first input and output).
std::vector<LayerPair> matchLayersTrex(const EnginePlan& a, const EnginePlan& b, bool exact);

// Ours: layers with the same (unique) name pair first; the rest are aligned by
// TREx's signature search; the result is in plan order of `a`, with layers only
// in `b` placed after their nearest matched predecessor.
std::vector<LayerPair> alignLayers(const EnginePlan& a, const EnginePlan& b, bool exact);

struct CompareOptions {
  bool exact = false;
  bool trex_alignment = false;  // TREx's order and matching, no name pass
  bool changed_only = false;
  double threshold = 0.03;      // relative latency change reported as faster/slower
};

// Summary, by-type, by-precision tables for all plans, then for each plan
// after the first the aligned layer table against the first.
std::vector<Table> comparePlans(const std::vector<EnginePlan>& plans, const CompareOptions& options);

}  // namespace gpuscope::explore
