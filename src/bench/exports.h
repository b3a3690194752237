// trtexec's files (reference/trtexec.md §6): --exportTimes, --exportProfile,
// --exportOutput in its layouts, --loadInputs raw binaries, and atomic
// writing (a failed run never leaves a partial file).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "bench/trace.h"
#include "engine/ir/tensor.h"

namespace gpuscope::bench {

// Records from `first` (the first measured query) on, keys in trtexec's order.
std::string timesJson(const std::vector<InferenceTrace>& trace, size_t first);

// `{ "count" : N }` then one record per layer, zero-time layers included.
// Unlike upstream, names are JSON-escaped (a '"' in a name stays valid JSON).
std::string profileJson(const Profile& profile);

struct OutputTensor {
  std::string name;
  engine::Shape shape;
  engine::DType dtype = engine::DType::kFloat32;
  std::vector<uint8_t> bytes;
};
// `[ { "name" : ..., "dimensions" : "1x1000", "values" : [ ... ] } ]`.
std::string outputJson(const std::vector<OutputTensor>& outputs);

// Reads an input file for --loadInputs: its size must be the tensor's bytes.
StatusOr<std::vector<uint8_t>> loadInputFile(const std::string& tensor, const std::string& path,
                                             int64_t expected_bytes);

// Writes `text` to `path` atomically (overwrites, as trtexec does).
Status writeFileAtomic(const std::string& path, const std::string& text);

// JSON string literal with escapes.
std::string jsonString(const std::string& s);

}  // namespace gpuscope::bench
