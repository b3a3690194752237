// The Chrome trace exporter's working state, shared by the files that
// implement it: chrome_trace.cc (the pass order and the public entry
// points), chrome_trace_layout.cc (which row each slice is drawn on),
// chrome_host_slices.cc and chrome_gpu_slices.cc (one event per record).
// Internal to src/export; callers use chrome_trace.h.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "export/buffered_writer.h"
#include "export/chrome_event_writer.h"
#include "export/chrome_rows.h"
#include "export/chrome_trace.h"
#include "export/flow_index.h"
#include "export/slice_order.h"
#include "model/trace.h"

namespace gpuscope::exporters::internal {

// Slice sources in the order that breaks ties between identical intervals:
// the earlier source becomes the parent (an NVTX range encloses the API
// call it wraps; an annotation encloses its kernels). Host sources come
// before kGpuAnnotation, GPU sources from it on.
enum Source : size_t {
  kNvtxRange, kCpuOp, kApi, kOsrt, kGpuAnnotation, kGraphLaunch, kKernel, kMemcpy, kMemset,
  kSync, kSourceCount
};

constexpr int64_t kOpenEnd = std::numeric_limits<int64_t>::max();
constexpr int32_t kPushPop = static_cast<int32_t>(model::NvtxKind::kPushPop);

inline int64_t durationOf(int64_t start, int64_t effective_end) {
  int64_t d;
  if (__builtin_sub_overflow(effective_end, start, &d)) return kOpenEnd;
  return d;
}

// Where one slice is drawn: its row and lane, and their output ids.
struct SlicePlace {
  uint32_t row;
  uint8_t lane;
  int64_t pid, tid;
};

class ChromeTraceBuilder {
 public:
  ChromeTraceBuilder(const model::Trace& trace, BufferedWriter& w)
      : t_(trace), w_(w), rows_(trace), flows_(trace), out_(w) {}

  ChromeTraceStats run();

 private:
  // chrome_trace_layout.cc
  std::vector<SliceCursor> makeCursors() const;
  uint32_t rowOf(size_t src, uint32_t i);
  void layout(std::vector<SliceCursor>& cursors);
  int64_t annotationPid(uint32_t i) const;
  uint8_t laneOf(size_t src, uint32_t i) const {
    return lanes_[src].empty() ? 0 : lanes_[src][i];
  }

  // chrome_trace.cc
  void writeHeader();
  void writeSlice(size_t src, uint32_t i, int64_t start, int64_t effective_end);
  std::string_view nameOr(model::StringId id, std::string_view fallback) const {
    return id != model::kEmptyString ? t_.str(id) : fallback;
  }

  // chrome_host_slices.cc
  void writeHostSlice(size_t src, uint32_t i, const SlicePlace& at, int64_t start,
                      int64_t effective_end);
  void writeNvtxInstantsAndAsync();
  void writeNvtxArgs(uint32_t i);

  // chrome_gpu_slices.cc
  void writeGpuSlice(size_t src, uint32_t i, const SlicePlace& at, int64_t start,
                     int64_t effective_end);
  void writeGpuCommonArgs(const auto& table, uint32_t i);
  void flowEnd(int64_t pid, int64_t correlation, uint32_t row, uint8_t lane, int64_t ts);

  const model::Trace& t_;
  BufferedWriter& w_;
  ChromeRows rows_;
  FlowIndex flows_;
  ChromeEventWriter out_;
  std::array<std::vector<uint8_t>, kSourceCount> lanes_;  // allocated on the first lane > 0
  // gpu_annotations carry the device row's pid as Kineto recorded it; they
  // join the stream row of the process whose work ran on (device, stream).
  std::map<std::pair<int64_t, int64_t>, int64_t> stream_owner_;
  ChromeTraceStats stats_;
  std::string name_;  // scratch for composed names, reused to avoid an allocation per event
};

}  // namespace gpuscope::exporters::internal
