// Device-side timeline rows: per GPU the merged busy intervals and idle
// gaps, and per stream its kernels, copies, memsets and Kineto annotations.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "model/enums.h"
#include "report/timeline_builder.h"

namespace gpuscope::report::internal {
namespace {

using model::kNullI64;

std::string bytesText(int64_t b) {
  char buf[64];
  if (b == kNullI64) return "";
  if (b >= 1'000'000) std::snprintf(buf, sizeof buf, "%.2f MB", static_cast<double>(b) / 1e6);
  else if (b >= 1'000) std::snprintf(buf, sizeof buf, "%.2f kB", static_cast<double>(b) / 1e3);
  else std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(b));
  return buf;
}

}  // namespace

std::string TimelineBuilder::deviceGroup(int32_t device) {
  if (device_names_.empty()) {
    for (size_t i = 0; i < t_.devices.size(); ++i)
      device_names_[t_.devices.id[i]] = std::string(t_.str(t_.devices.name[i]));
  }
  std::string g = "GPU " + (device == model::kNullI32 ? std::string("?") : std::to_string(device));
  auto it = device_names_.find(device);
  if (it != device_names_.end() && !it->second.empty()) g += " (" + it->second + ")";
  return g;
}

void TimelineBuilder::addGpuOps() {
  const model::KernelTable& k = t_.kernels;
  std::vector<uint32_t> layer = kernelLayers();
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
  addLayerBands(layer);
}

// Per device, the merged busy intervals of all GPU ops and the idle gaps
// between them (at least gap_min_ns): where the GPU waited, at a glance.
void TimelineBuilder::addUtilisation() {
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

}  // namespace gpuscope::report::internal
