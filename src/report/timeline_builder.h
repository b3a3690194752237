// The timeline builder's working state, shared by the files that fill it:
// timeline_gpu_events.cc (device utilisation, kernels, copies, memsets,
// annotations), timeline_layers.cc (each kernel's layer and the layer
// bands), timeline_host_events.cc (NVTX, framework ops, CUDA API, OS
// runtime) and timeline_data.cc (sorting, links and lanes). Internal to
// src/report; callers use timeline_data.h.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "model/trace.h"
#include "report/timeline_data.h"
#include "stats/context.h"

namespace gpuscope::report::internal {

// Where a timeline event came from, to resolve correlation links after the
// events are sorted.
enum class Source : uint8_t { kNone, kKernel, kMemcpy, kMemset, kApi };

struct RawEvent {
  int64_t start, end;
  uint32_t track, name, info, layer;
  uint32_t row;
  EventKind kind;
  Source source;
};

// Track sort key: devices first (utilisation, then per stream: layers,
// ops), then processes and threads (NVTX, framework ops, CUDA API, OS
// runtime), each by number.
using TrackKey = std::tuple<int, int64_t, int64_t, int>;

class TimelineBuilder {
 public:
  TimelineBuilder(const model::Trace& t, const TimelineOptions& o)
      : t_(t), o_(o), strings_(t), ctx_(t) {}
  TimelineData build();

 private:
  uint32_t track(const TrackKey& key, std::string group, std::string name, EventKind kind) {
    auto [it, fresh] = track_index_.try_emplace(key, static_cast<uint32_t>(tracks_.size()));
    if (fresh) {
      Track tr;
      tr.group = std::move(group), tr.name = std::move(name), tr.kind = kind;
      tracks_.push_back(std::move(tr));
      keys_.push_back(key);
    }
    return it->second;
  }
  uint32_t streamTrack(int32_t device, int64_t stream) {
    return track({0, device, stream, 2}, deviceGroup(device), "stream " + std::to_string(stream),
                 EventKind::kKernel);
  }
  void add(uint32_t track, int64_t start, int64_t end, uint32_t name, uint32_t info, EventKind kind,
           Source source = Source::kNone, uint32_t row = 0, uint32_t layer = 0) {
    if (start == model::kNullI64) return;
    if (end == model::kNullI64 || end < start) end = start;
    events_.push_back(RawEvent{start, end, track, name, info, layer, row, kind, source});
  }

  // timeline_gpu_events.cc
  std::string deviceGroup(int32_t device);
  void addUtilisation();
  void addGpuOps();
  // timeline_layers.cc
  std::vector<uint32_t> kernelLayers();
  void addLayerBands(const std::vector<uint32_t>& layer);
  // timeline_host_events.cc
  std::string threadGroup(int64_t pid, int64_t tid);
  void addHost();

  const model::Trace& t_;
  const TimelineOptions& o_;
  PageStrings strings_;
  stats::ReportContext ctx_;
  std::vector<Track> tracks_;
  std::vector<TrackKey> keys_;
  std::map<TrackKey, uint32_t> track_index_;
  std::vector<RawEvent> events_;
  std::map<int32_t, std::string> device_names_;
  std::map<std::pair<int64_t, int64_t>, std::string> thread_names_;
  std::map<int64_t, std::string> process_names_;
};

}  // namespace gpuscope::report::internal
