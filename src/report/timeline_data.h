// The timeline as the page draws it: rows (tracks) per device and stream
// and per process and thread, each holding its events sorted by start with
// a nesting depth, a page-level string table, and for every GPU op the
// launching API call (and back), so the page links them without a join.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/trace.h"

namespace gpuscope::report {

// Event kinds; the page colours and describes events by them.
enum class EventKind : uint8_t {
  kKernel = 0,
  kMemcpy = 1,
  kMemset = 2,
  kApi = 3,
  kNvtx = 4,
  kOsrt = 5,
  kCpuOp = 6,
  kLayer = 7,  // consecutive kernels of a stream that belong to one layer
  kBusy = 8,   // merged GPU busy interval of a device
  kIdle = 9,   // GPU idle gap at least TimelineOptions::gap_min_ns long
  kAnnotation = 10,  // Kineto gpu_user_annotation
};

struct Track {
  std::string group;  // "GPU 0 (NVIDIA H200)", "process 1234 · thread 1240 (python)"
  std::string name;   // "stream 7", "CUDA API", "NVTX", "layers", "utilisation"
  EventKind kind = EventKind::kKernel;  // the main kind, for the legend
  uint32_t first = 0;  // events [first, first + count)
  uint32_t count = 0;
  uint16_t lanes = 1;  // 1 + largest depth
};

struct TimelineOptions {
  int64_t gap_min_ns = 10'000;
  // NVTX ranges with this (normalised) name wrap whole iterations and name
  // no layer (analysis::LayerTable::iteration_name).
  std::string iteration_name;
};

// Page strings: index 0 is "". Trace strings are mapped once each.
class PageStrings {
 public:
  explicit PageStrings(const model::Trace& trace);
  uint32_t traceId(model::StringId id);
  uint32_t text(std::string_view s);
  const std::vector<std::string>& values() const { return values_; }

 private:
  const model::Trace& trace_;
  std::vector<uint32_t> by_trace_id_;
  std::unordered_map<std::string, uint32_t> owned_;
  std::vector<std::string> values_;
};

struct TimelineData {
  int64_t t0 = 0, t1 = 0;  // bounds of every event shown (trace ns)
  std::vector<Track> tracks;
  std::vector<std::string> strings;
  // Events, track after track; per track by (start, longer first).
  std::vector<int64_t> start;  // trace ns
  std::vector<int64_t> dur;    // ns, >= 0
  std::vector<uint32_t> name;  // string index
  std::vector<uint32_t> info;  // string index: launch config, copy kind and size...
  std::vector<uint32_t> layer; // string index of a kernel's layer, 0 if none
  std::vector<uint8_t> kind;   // EventKind
  std::vector<uint16_t> depth; // lane within the track
  std::vector<int32_t> link;   // correlated event (kernel <-> API call), -1 if none
  size_t size() const { return start.size(); }
};

TimelineData buildTimeline(const model::Trace& trace, const TimelineOptions& options);

// Nesting depth per event of one track given starts and ends sorted by
// (start, end descending): the number of earlier events still open.
// Events that overlap without nesting go one lane deeper, never on top.
std::vector<uint16_t> nestingDepths(const std::vector<int64_t>& start, const std::vector<int64_t>& end);

}  // namespace gpuscope::report
