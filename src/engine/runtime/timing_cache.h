// The timing cache (trtexec --timingCacheFile): the tactic chosen for a layer
// signature (op, attributes, input/output descs, GPU compute capability) and
// its time, so that rebuilding an engine skips timing layers seen before.
//
// File format (text, one record per line, written atomically):
//   gpuscope-timing-cache <version>
//   <tactic id, 16 hex digits>\t<time ms>\t<escaped signature>
// A file that does not parse is ignored with a warning: a cache only makes
// builds faster and must never make them fail.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "base/status.h"
#include "engine/ir/graph.h"

namespace gpuscope::engine {

inline constexpr int kTimingCacheVersion = 1;

struct TimingEntry {
  uint64_t tactic = 0;
  double ms = 0;
};

class TimingCache {
 public:
  // Missing file: empty cache, OK. Unreadable or malformed: empty cache and
  // `warning` says why (with the line number).
  static TimingCache load(const std::string& path, std::string* warning);
  Status save(const std::string& path) const;

  std::optional<TimingEntry> find(const std::string& signature) const;
  void put(const std::string& signature, TimingEntry entry) { entries_[signature] = entry; }
  size_t size() const { return entries_.size(); }

  // Text form of the file (save writes exactly this).
  std::string serialize() const;
  static StatusOr<TimingCache> parse(const std::string& text, const std::string& path);

 private:
  std::map<std::string, TimingEntry> entries_;
};

// The key of a layer: op, attributes (tensor attributes by dtype/shape/hash),
// input and output descs, small constant inputs (<= 256 elements: shape
// arguments, axes) by content hash (they are parameters; big ones are
// weights, whose values do not change the speed), and "sm_XY".
std::string layerSignature(const Graph& graph, NodeId node, int cc_major, int cc_minor);

uint64_t fnv1a64(const void* data, size_t size, uint64_t seed = 0xcbf29ce484222325ULL);

}  // namespace gpuscope::engine
