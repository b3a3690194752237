// Row layout of the Chrome trace: which (process, thread) row each slice
// is drawn on, and which slices move to an overlap lane so that complete
// events on one row still nest (see chrome_rows.h).
#include <array>
#include <vector>

#include "export/chrome_trace_builder.h"

namespace gpuscope::exporters::internal {

using model::kNullI64;

std::vector<SliceCursor> ChromeTraceBuilder::makeCursors() const {
  std::vector<SliceCursor> c;
  c.reserve(kSourceCount);
  c.emplace_back(t_.nvtx.start, t_.nvtx.end, &t_.nvtx.kind, kPushPop);
  c.emplace_back(t_.cpu_ops.start, t_.cpu_ops.end);
  c.emplace_back(t_.api_calls.start, t_.api_calls.end);
  c.emplace_back(t_.os_runtime.start, t_.os_runtime.end);
  c.emplace_back(t_.gpu_annotations.start, t_.gpu_annotations.end);
  c.emplace_back(t_.graph_launches.start, t_.graph_launches.end);
  c.emplace_back(t_.kernels.start, t_.kernels.end);
  c.emplace_back(t_.memcpys.start, t_.memcpys.end);
  c.emplace_back(t_.memsets.start, t_.memsets.end);
  c.emplace_back(t_.syncs.start, t_.syncs.end);
  return c;
}

int64_t ChromeTraceBuilder::annotationPid(uint32_t i) const {
  const auto& a = t_.gpu_annotations;
  auto it = stream_owner_.find({a.device_id[i], a.stream_id[i]});
  return it != stream_owner_.end() && it->second != kNullI64 ? it->second : a.pid[i];
}

uint32_t ChromeTraceBuilder::rowOf(size_t src, uint32_t i) {
  switch (src) {
    case kNvtxRange: return rows_.hostThreadRow(t_.nvtx.pid[i], t_.nvtx.tid[i]);
    case kCpuOp: return rows_.hostThreadRow(t_.cpu_ops.pid[i], t_.cpu_ops.tid[i]);
    case kApi: return rows_.hostThreadRow(t_.api_calls.pid[i], t_.api_calls.tid[i]);
    case kOsrt: return rows_.hostThreadRow(t_.os_runtime.pid[i], t_.os_runtime.tid[i]);
    case kGpuAnnotation: {
      const auto& a = t_.gpu_annotations;
      return rows_.streamRow(a.device_id[i], annotationPid(i), a.stream_id[i], false);
    }
    case kGraphLaunch: {
      const auto& g = t_.graph_launches;
      return rows_.streamRow(g.device_id[i], g.pid[i], g.stream_id[i], false);
    }
    case kKernel: {
      const auto& k = t_.kernels;
      return rows_.streamRow(k.device_id[i], k.pid[i], k.stream_id[i], false);
    }
    case kMemcpy: {
      const auto& m = t_.memcpys;
      return rows_.streamRow(m.device_id[i], m.pid[i], m.stream_id[i], false);
    }
    case kMemset: {
      const auto& m = t_.memsets;
      return rows_.streamRow(m.device_id[i], m.pid[i], m.stream_id[i], false);
    }
    default: {
      const auto& s = t_.syncs;
      return rows_.streamRow(s.device_id[i], s.pid[i], s.stream_id[i], true);
    }
  }
}

void ChromeTraceBuilder::layout(std::vector<SliceCursor>& cursors) {
  if (!t_.gpu_annotations.empty()) {
    auto own = [&](const auto& table) {
      for (size_t i = 0; i < table.size(); ++i) {
        auto [it, added] =
            stream_owner_.try_emplace({table.device_id[i], table.stream_id[i]}, table.pid[i]);
        if (!added && it->second != table.pid[i]) it->second = kNullI64;  // shared: ambiguous
      }
    };
    own(t_.kernels);
    own(t_.memcpys);
    own(t_.memsets);
    own(t_.graph_launches);
  }
  std::array<size_t, kSourceCount> sizes = {t_.nvtx.size(),       t_.cpu_ops.size(),
                                            t_.api_calls.size(),  t_.os_runtime.size(),
                                            t_.gpu_annotations.size(), t_.graph_launches.size(),
                                            t_.kernels.size(),    t_.memcpys.size(),
                                            t_.memsets.size(),    t_.syncs.size()};
  mergeSlices(cursors, [&](size_t src, uint32_t i) {
    const SliceCursor& c = cursors[src];
    uint8_t lane = rows_.assignLane(rowOf(src, i), c.start(), c.end());
    if (lane != 0) {
      if (lanes_[src].empty()) lanes_[src].assign(sizes[src], 0);
      lanes_[src][i] = lane;
      ++stats_.overlap_slices;
    }
  });
  // Marks and start/end ranges are drawn on their thread's process too.
  for (size_t i = 0; i < t_.nvtx.size(); ++i) {
    if (t_.nvtx.kind[i] != kPushPop) rows_.hostThreadRow(t_.nvtx.pid[i], t_.nvtx.tid[i]);
  }
  rows_.finishLayout();
}

}  // namespace gpuscope::exporters::internal
