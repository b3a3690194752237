// Importer for PyTorch profiler (Kineto) / Chrome trace JSON, streamed with
// simdjson's On-Demand API (no DOM of the file is ever built).
#pragma once

#include <string>

#include "base/status.h"
#include "model/trace.h"

namespace gpuscope::importers {

// `json` must have capacity() >= size() + simdjson::SIMDJSON_PADDING (see
// readFile's padding argument). `path` is used in error messages only.
StatusOr<model::Trace> readKinetoJson(std::string& json, const std::string& path);

}  // namespace gpuscope::importers
