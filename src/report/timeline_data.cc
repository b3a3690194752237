#include "report/timeline_data.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <tuple>

#include "analysis/iterations.h"
#include "analysis/layers/layer_name.h"
#include "model/enums.h"
#include "stats/context.h"

namespace gpuscope::report {
namespace {

using model::kNullI64;

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

std::string bytesText(int64_t b) {
  char buf[64];
  if (b == kNullI64) return "";
  if (b >= 1'000'000) std::snprintf(buf, sizeof buf, "%.2f MB", static_cast<double>(b) / 1e6);
  else if (b >= 1'000) std::snprintf(buf, sizeof buf, "%.2f kB", static_cast<double>(b) / 1e3);
  else std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(b));
  return buf;
}

bool isWrapperRange(std::string_view name, std::string_view domain, const std::string& iteration_name) {
  if (domain == "myelin-exec") return true;
  if (name == "ExecutionContext::enqueue" || name == "TensorRT:ExecutionContext::enqueue") return true;
  std::string norm = analysis::normalizeIterationName(name);
  return norm == "ProfilerStep#N" || (!iteration_name.empty() && norm == iteration_name);
}

class Builder {
 public:
  Builder(const model::Trace& t, const TimelineOptions& o) : t_(t), o_(o), strings_(t), ctx_(t) {}
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
  std::string deviceGroup(int32_t device);
  std::string threadGroup(int64_t pid, int64_t tid);
  uint32_t streamTrack(int32_t device, int64_t stream) {
    return track({0, device, stream, 2}, deviceGroup(device), "stream " + std::to_string(stream),
                 EventKind::kKernel);
  }
  void add(uint32_t track, int64_t start, int64_t end, uint32_t name, uint32_t info, EventKind kind,
           Source source = Source::kNone, uint32_t row = 0, uint32_t layer = 0) {
    if (start == kNullI64) return;
    if (end == kNullI64 || end < start) end = start;
    events_.push_back(RawEvent{start, end, track, name, info, layer, row, kind, source});
  }
  std::vector<uint32_t> kernelLayers();
  void addGpuOps();
  void addUtilisation();
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

std::string Builder::deviceGroup(int32_t device) {
  if (device_names_.empty()) {
    for (size_t i = 0; i < t_.devices.size(); ++i)
      device_names_[t_.devices.id[i]] = std::string(t_.str(t_.devices.name[i]));
  }
  std::string g = "GPU " + (device == model::kNullI32 ? std::string("?") : std::to_string(device));
  auto it = device_names_.find(device);
  if (it != device_names_.end() && !it->second.empty()) g += " (" + it->second + ")";
  return g;
}

std::string Builder::threadGroup(int64_t pid, int64_t tid) {
  if (thread_names_.empty() && process_names_.empty()) {
    for (size_t i = 0; i < t_.threads.size(); ++i)
      thread_names_[{t_.threads.pid[i], t_.threads.tid[i]}] = std::string(t_.str(t_.threads.name[i]));
    for (size_t i = 0; i < t_.processes.size(); ++i)
      process_names_[t_.processes.pid[i]] = std::string(t_.str(t_.processes.name[i]));
  }
  auto num = [](int64_t v) { return v == kNullI64 ? std::string("?") : std::to_string(v); };
  std::string g = "process " + num(pid);
  auto p = process_names_.find(pid);
  if (p != process_names_.end() && !p->second.empty()) g += " (" + p->second.substr(0, 60) + ")";
  g += " · thread " + num(tid);
  auto th = thread_names_.find({pid, tid});
  if (th != thread_names_.end() && !th->second.empty()) g += " (" + th->second + ")";
  return g;
}

// The layer of each kernel row, as analysis::buildLayerTable assigns it:
// the innermost non-wrapper NVTX range around the launch call, else the
// NVTX text of its CUDA-graph node, else the framework op with its
// External id. The same rule keeps the timeline's layer rows and the
// Layers page's table in agreement.
std::vector<uint32_t> Builder::kernelLayers() {
  std::vector<uint32_t> layer(t_.kernels.size(), 0);
  const std::vector<int32_t>& kapi = ctx_.kernelApi();
  std::unordered_map<uint32_t, uint32_t> range_of_api;
  if (!t_.nvtx.empty()) {
    const stats::NvtxRangeSet& ranges = ctx_.projectionRanges();
    std::vector<uint8_t> wrapper(ranges.size());
    for (uint32_t r = 0; r < ranges.size(); ++r) {
      uint32_t row = ranges.row[r];
      wrapper[r] = isWrapperRange(t_.str(t_.nvtx.text[row]), t_.str(t_.nvtx.domain[row]), o_.iteration_name);
    }
    for (auto [r, a] : ctx_.rangeApiPairs()) {
      if (wrapper[r]) continue;
      auto [it, fresh] = range_of_api.try_emplace(a, r);
      if (!fresh && ranges.level[r] > ranges.level[it->second]) it->second = r;
    }
  }
  std::unordered_map<model::StringId, uint32_t> nvtx_layer;  // NVTX text -> layer name
  auto fromNvtx = [&](model::StringId text) {
    auto [it, fresh] = nvtx_layer.try_emplace(text, 0);
    if (fresh) it->second = strings_.text(analysis::layerNameFromNvtx(t_.str(text)));
    return it->second;
  };
  std::unordered_map<int64_t, model::StringId> node_text;
  for (size_t i = 0; i < t_.graph_nodes.size(); ++i)
    if (t_.graph_nodes.nvtx_text[i] != model::kEmptyString)
      node_text.emplace(t_.graph_nodes.node_id[i], t_.graph_nodes.nvtx_text[i]);
  std::unordered_map<int64_t, uint32_t> cpu_op_by_ext;
  for (size_t i = 0; i < t_.cpu_ops.size(); ++i)
    if (t_.cpu_ops.external_id[i] != kNullI64) cpu_op_by_ext.emplace(t_.cpu_ops.external_id[i], i);
  for (size_t k = 0; k < t_.kernels.size(); ++k) {
    int32_t api = kapi.empty() ? -1 : kapi[k];
    if (api >= 0) {
      auto r = range_of_api.find(static_cast<uint32_t>(api));
      if (r != range_of_api.end()) {
        layer[k] = fromNvtx(t_.nvtx.text[ctx_.projectionRanges().row[r->second]]);
        continue;
      }
    }
    if (t_.kernels.graph_node_id[k] != kNullI64) {
      auto n = node_text.find(t_.kernels.graph_node_id[k]);
      if (n != node_text.end()) { layer[k] = fromNvtx(n->second); continue; }
    }
    if (t_.kernels.external_id[k] != kNullI64) {
      auto c = cpu_op_by_ext.find(t_.kernels.external_id[k]);
      if (c != cpu_op_by_ext.end()) layer[k] = strings_.traceId(t_.cpu_ops.name[c->second]);
    }
  }
  return layer;
}

void Builder::addGpuOps() {
  const model::KernelTable& k = t_.kernels;
  std::vector<uint32_t> layer = kernelLayers();
  std::unordered_map<std::string, uint32_t> config_text;
  char buf[160];
  for (uint32_t i = 0; i < k.size(); ++i) {
    uint32_t tr = streamTrack(k.device_id[i], k.stream_id[i]);
    uint32_t info = 0;
    if (k.grid_x[i] != model::kNullI32 && k.block_x[i] != model::kNullI32) {
      std::snprintf(buf, sizeof buf, "grid %dx%dx%d, block %dx%dx%d", k.grid_x[i], k.grid_y[i], k.grid_z[i],
                    k.block_x[i], k.block_y[i], k.block_z[i]);
      info = strings_.text(buf);
    }
    add(tr, k.start[i], k.end[i], strings_.traceId(k.name[i]), info, EventKind::kKernel, Source::kKernel, i,
        layer[i]);
  }
  const model::MemcpyTable& m = t_.memcpys;
  for (uint32_t i = 0; i < m.size(); ++i) {
    std::string kind(model::copyKindName(m.copy_kind[i]));
    uint32_t name = strings_.text("Memcpy " + kind);
    uint32_t info = strings_.text(bytesText(m.bytes[i]));
    add(streamTrack(m.device_id[i], m.stream_id[i]), m.start[i], m.end[i], name, info, EventKind::kMemcpy,
        Source::kMemcpy, i);
  }
  const model::MemsetTable& s = t_.memsets;
  for (uint32_t i = 0; i < s.size(); ++i) {
    add(streamTrack(s.device_id[i], s.stream_id[i]), s.start[i], s.end[i], strings_.text("Memset"),
        strings_.text(bytesText(s.bytes[i])), EventKind::kMemset, Source::kMemset, i);
  }
  const model::GpuAnnotationTable& g = t_.gpu_annotations;
  for (uint32_t i = 0; i < g.size(); ++i) {
    uint32_t tr = track({0, g.device_id[i], g.stream_id[i], 0}, deviceGroup(g.device_id[i]),
                        "stream " + std::to_string(g.stream_id[i]) + " annotations", EventKind::kAnnotation);
    add(tr, g.start[i], g.end[i], strings_.traceId(g.name[i]), 0, EventKind::kAnnotation);
  }
  // Layer bands: consecutive kernels of one stream in one layer.
  std::map<std::pair<int32_t, int64_t>, std::vector<uint32_t>> by_stream;
  bool any_layer = false;
  for (uint32_t i = 0; i < k.size(); ++i) {
    if (k.start[i] == kNullI64) continue;
    by_stream[{k.device_id[i], k.stream_id[i]}].push_back(i);
    any_layer |= layer[i] != 0;
  }
  if (!any_layer) return;
  for (auto& [key, rows] : by_stream) {
    std::sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) { return k.start[a] < k.start[b]; });
    auto bandTrack = [&, key = key] {
      return track({0, key.first, key.second, 1}, deviceGroup(key.first),
                   "stream " + std::to_string(key.second) + " layers", EventKind::kLayer);
    };
    size_t i = 0;
    while (i < rows.size()) {
      size_t j = i;
      int64_t end = k.end[rows[i]];
      while (j + 1 < rows.size() && layer[rows[j + 1]] == layer[rows[i]]) end = std::max(end, k.end[rows[++j]]);
      if (layer[rows[i]] != 0) {
        uint32_t n = static_cast<uint32_t>(j - i + 1);
        add(bandTrack(), k.start[rows[i]], end, layer[rows[i]],
            strings_.text(std::to_string(n) + (n == 1 ? " kernel" : " kernels")), EventKind::kLayer);
      }
      i = j + 1;
    }
  }
}

// Per device, the merged busy intervals of all GPU ops and the idle gaps
// between them (at least gap_min_ns): where the GPU waited, at a glance.
void Builder::addUtilisation() {
  std::map<int32_t, std::vector<std::pair<int64_t, int64_t>>> ops;
  auto collect = [&](const auto& table) {
    for (size_t i = 0; i < table.size(); ++i)
      if (table.start[i] != kNullI64 && table.end[i] != kNullI64 && table.end[i] >= table.start[i])
        ops[table.device_id[i]].emplace_back(table.start[i], table.end[i]);
  };
  collect(t_.kernels), collect(t_.memcpys), collect(t_.memsets);
  uint32_t busy = strings_.text("GPU busy"), idle = strings_.text("GPU idle");
  char buf[96];
  for (auto& [device, v] : ops) {
    std::sort(v.begin(), v.end());
    uint32_t tr = track({0, device, kNullI64, 0}, deviceGroup(device), "utilisation", EventKind::kBusy);
    int64_t s = v[0].first, e = v[0].second;
    auto flush = [&] { add(tr, s, e, busy, 0, EventKind::kBusy); };
    for (size_t i = 1; i < v.size(); ++i) {
      if (v[i].first <= e) { e = std::max(e, v[i].second); continue; }
      flush();
      if (v[i].first - e >= o_.gap_min_ns) {
        std::snprintf(buf, sizeof buf, "%.3f us with no GPU work", static_cast<double>(v[i].first - e) / 1e3);
        add(tr, e, v[i].first, idle, strings_.text(buf), EventKind::kIdle);
      }
      s = v[i].first, e = v[i].second;
    }
    flush();
  }
}

void Builder::addHost() {
  auto threadTrack = [&](int64_t pid, int64_t tid, int sub, const char* name, EventKind kind) {
    return track({1, pid, tid, sub}, threadGroup(pid, tid), name, kind);
  };
  const model::NvtxTable& n = t_.nvtx;
  for (uint32_t i = 0; i < n.size(); ++i) {
    uint32_t info = n.domain[i] != model::kEmptyString ? strings_.traceId(n.domain[i]) : 0;
    add(threadTrack(n.pid[i], n.tid[i], 0, "NVTX", EventKind::kNvtx), n.start[i], n.end[i],
        strings_.traceId(n.text[i]), info, EventKind::kNvtx);
  }
  const model::CpuOpTable& c = t_.cpu_ops;
  for (uint32_t i = 0; i < c.size(); ++i) {
    add(threadTrack(c.pid[i], c.tid[i], 1, "framework ops", EventKind::kCpuOp), c.start[i], c.end[i],
        strings_.traceId(c.name[i]), c.input_dims[i] != model::kEmptyString ? strings_.traceId(c.input_dims[i]) : 0,
        EventKind::kCpuOp);
  }
  const model::ApiCallTable& a = t_.api_calls;
  for (uint32_t i = 0; i < a.size(); ++i) {
    add(threadTrack(a.pid[i], a.tid[i], 2, "CUDA API", EventKind::kApi), a.start[i], a.end[i],
        strings_.traceId(a.name[i]), 0, EventKind::kApi, Source::kApi, i);
  }
  const model::OsRuntimeTable& o = t_.os_runtime;
  for (uint32_t i = 0; i < o.size(); ++i) {
    add(threadTrack(o.pid[i], o.tid[i], 3, "OS runtime", EventKind::kOsrt), o.start[i], o.end[i],
        strings_.traceId(o.name[i]), 0, EventKind::kOsrt);
  }
}

TimelineData Builder::build() {
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

}  // namespace

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
  return Builder(trace, options).build();
}

}  // namespace gpuscope::report
