// The engine file (trtexec --saveEngine / --loadEngine): a versioned binary
// holding the optimized graph (values with descs and constants, nodes with
// op, name, attributes, origin), the IO, and the tactic chosen per layer, so
// that loading rebuilds the plan without optimizing or timing again.
//
// Layout (little-endian):
//   "GPSENG01" | u32 format version | str gpuscope version | i32 cc major | i32 cc minor
//   | u8 device | u8 precision | u8 verbosity | graph | layers | u64 FNV-1a of all bytes before it
// Strings are u64 length + bytes; lists are u64 count + items.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/ir/graph.h"
#include "engine/runtime/engine.h"

namespace gpuscope::engine::serialize {

inline constexpr std::string_view kEngineMagic = "GPSENG01";
inline constexpr uint32_t kEngineFormatVersion = 1;

struct EngineFile {
  std::string gpuscope_version;
  int32_t cc_major = 0, cc_minor = 0;  // 0.0 for CPU engines
  size_t cc_offset = 0;                // byte offset of cc_major (for load errors)
  Device device = Device::kCpu;
  Precision precision = Precision::kFp32;
  ProfilingVerbosity verbosity = ProfilingVerbosity::kLayerNamesOnly;
  Graph graph;
  std::vector<LayerRecord> layers;
};

std::string writeEngineFile(const EngineFile& file);

// Parses and validates structure (ids in range, constant sizes matching
// their descs, known dtypes/enums, checksum). InvalidInput
// "<path>: <what> at byte N" on any damage.
StatusOr<EngineFile> readEngineFile(std::string_view bytes, const std::string& path);

// The loaded graph must be one the ops accept: shapes are inferred again
// (no folding) and compared with the saved descs, so that a damaged file
// cannot make a kernel or a CPU op read or write outside its buffers.
// InvalidInput "<path>: ..." otherwise.
Status checkEngineGraph(const Graph& graph, const std::string& path);

}  // namespace gpuscope::engine::serialize
