// Assembles the timeline: the events the builder collected (rows filled in
// timeline_gpu_events.cc, timeline_layers.cc and timeline_host_events.cc)
// are sorted into tracks, linked to their launching calls and given lanes.
#include "report/timeline_data.h"

#include <algorithm>
#include <numeric>

#include "report/timeline_builder.h"

namespace gpuscope::report {
namespace internal {

TimelineData TimelineBuilder::build() {
  size_t n = t_.kernels.size() + t_.memcpys.size() + t_.memsets.size() + t_.api_calls.size() + t_.nvtx.size() +
             t_.cpu_ops.size() + t_.os_runtime.size();
  events_.reserve(n + n / 4);
  addUtilisation();
  addGpuOps();
  addHost();

  TimelineData d;
  // Tracks in key order; events by (track rank, start, longer first).
  std::vector<uint32_t> track_order(tracks_.size());
  std::iota(track_order.begin(), track_order.end(), 0u);
  std::sort(track_order.begin(), track_order.end(), [&](uint32_t a, uint32_t b) { return keys_[a] < keys_[b]; });
  std::vector<uint32_t> rank(tracks_.size());
  for (uint32_t r = 0; r < track_order.size(); ++r) rank[track_order[r]] = r;
  std::vector<uint32_t> order(events_.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const RawEvent& x = events_[a];
    const RawEvent& y = events_[b];
    if (x.track != y.track) return rank[x.track] < rank[y.track];
    if (x.start != y.start) return x.start < y.start;
    return x.end > y.end;
  });

  size_t m = order.size();
  d.start.resize(m), d.dur.resize(m), d.name.resize(m), d.info.resize(m), d.layer.resize(m);
  d.kind.resize(m), d.depth.resize(m), d.link.assign(m, -1);
  std::vector<int32_t> kernel_ev(t_.kernels.size(), -1), memcpy_ev(t_.memcpys.size(), -1),
      memset_ev(t_.memsets.size(), -1), api_ev(t_.api_calls.size(), -1);
  d.t0 = m ? events_[order[0]].start : 0;
  d.t1 = d.t0;
  for (uint32_t r = 0; r < track_order.size(); ++r) d.tracks.push_back(tracks_[track_order[r]]);
  uint32_t cur = UINT32_MAX;
  for (size_t i = 0; i < m; ++i) {
    const RawEvent& e = events_[order[i]];
    d.start[i] = e.start, d.dur[i] = e.end - e.start;
    d.name[i] = e.name, d.info[i] = e.info, d.layer[i] = e.layer;
    d.kind[i] = static_cast<uint8_t>(e.kind);
    d.t0 = std::min(d.t0, e.start), d.t1 = std::max(d.t1, e.end);
    if (rank[e.track] != cur) {
      cur = rank[e.track];
      d.tracks[cur].first = static_cast<uint32_t>(i);
    }
    ++d.tracks[cur].count;
    switch (e.source) {
      case Source::kKernel: kernel_ev[e.row] = static_cast<int32_t>(i); break;
      case Source::kMemcpy: memcpy_ev[e.row] = static_cast<int32_t>(i); break;
      case Source::kMemset: memset_ev[e.row] = static_cast<int32_t>(i); break;
      case Source::kApi: api_ev[e.row] = static_cast<int32_t>(i); break;
      case Source::kNone: break;
    }
  }
  // Correlation: GPU op -> launching call (same pid + correlation id, via
  // stats' join) and call -> its first GPU op.
  auto linkOps = [&](const std::vector<int32_t>& op_api, const std::vector<int32_t>& op_ev) {
    for (size_t r = 0; r < op_api.size() && r < op_ev.size(); ++r) {
      if (op_api[r] < 0 || op_ev[r] < 0) continue;
      int32_t api = api_ev[static_cast<size_t>(op_api[r])];
      if (api < 0) continue;
      d.link[static_cast<size_t>(op_ev[r])] = api;
      if (d.link[static_cast<size_t>(api)] < 0) d.link[static_cast<size_t>(api)] = op_ev[r];
    }
  };
  if (!t_.api_calls.empty()) {
    linkOps(ctx_.kernelApi(), kernel_ev);
    linkOps(ctx_.memcpyApi(), memcpy_ev);
    linkOps(ctx_.memsetApi(), memset_ev);
  }
  // Lanes per track.
  std::vector<int64_t> s, e;
  for (Track& tr : d.tracks) {
    s.assign(d.start.begin() + tr.first, d.start.begin() + tr.first + tr.count);
    e.resize(tr.count);
    for (uint32_t i = 0; i < tr.count; ++i) e[i] = s[i] + d.dur[tr.first + i];
    std::vector<uint16_t> depth = nestingDepths(s, e);
    uint16_t lanes = 1;
    for (uint32_t i = 0; i < tr.count; ++i) {
      d.depth[tr.first + i] = depth[i];
      lanes = std::max<uint16_t>(lanes, static_cast<uint16_t>(depth[i] + 1));
    }
    tr.lanes = lanes;
  }
  d.strings = strings_.values();
  return d;
}

}  // namespace internal

PageStrings::PageStrings(const model::Trace& trace) : trace_(trace), by_trace_id_(trace.strings.size(), 0) {
  values_.emplace_back();
}

uint32_t PageStrings::traceId(model::StringId id) {
  if (id == model::kEmptyString || id >= by_trace_id_.size()) return 0;
  uint32_t& slot = by_trace_id_[id];
  if (slot == 0) slot = text(trace_.str(id));
  return slot;
}

uint32_t PageStrings::text(std::string_view s) {
  if (s.empty()) return 0;
  auto [it, fresh] = owned_.try_emplace(std::string(s), static_cast<uint32_t>(values_.size()));
  if (fresh) values_.emplace_back(s);
  return it->second;
}

std::vector<uint16_t> nestingDepths(const std::vector<int64_t>& start, const std::vector<int64_t>& end) {
  std::vector<uint16_t> depth(start.size(), 0);
  std::vector<int64_t> open;  // ends of the enclosing events
  for (size_t i = 0; i < start.size(); ++i) {
    while (!open.empty() && open.back() <= start[i]) open.pop_back();
    depth[i] = static_cast<uint16_t>(std::min<size_t>(open.size(), 65535));
    // A zero-length event (mark) holds no lane open.
    if (end[i] > start[i]) open.push_back(end[i]);
  }
  return depth;
}

TimelineData buildTimeline(const model::Trace& trace, const TimelineOptions& options) {
  return internal::TimelineBuilder(trace, options).build();
}

}  // namespace gpuscope::report
