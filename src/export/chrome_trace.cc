#include "export/chrome_trace.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <vector>

#include "export/chrome_event_writer.h"
#include "export/chrome_rows.h"
#include "export/flow_index.h"
#include "export/slice_order.h"

namespace gpuscope::exporters {
namespace {

using model::kNullI32;
using model::kNullI64;

// Slice sources in the order that breaks ties between identical intervals:
// the earlier source becomes the parent (an NVTX range encloses the API
// call it wraps; an annotation encloses its kernels).
enum Source : size_t {
  kNvtxRange, kCpuOp, kApi, kOsrt, kGpuAnnotation, kGraphLaunch, kKernel, kMemcpy, kMemset,
  kSync, kSourceCount
};

constexpr int64_t kOpenEnd = std::numeric_limits<int64_t>::max();
constexpr int32_t kPushPop = static_cast<int32_t>(model::NvtxKind::kPushPop);

int64_t durationOf(int64_t start, int64_t effective_end) {
  int64_t d;
  if (__builtin_sub_overflow(effective_end, start, &d)) return kOpenEnd;
  return d;
}

class ChromeTraceBuilder {
 public:
  ChromeTraceBuilder(const model::Trace& trace, BufferedWriter& w)
      : t_(trace), w_(w), rows_(trace), flows_(trace), out_(w) {}

  ChromeTraceStats run();

 private:
  std::vector<SliceCursor> makeCursors() const;
  uint32_t rowOf(size_t src, uint32_t i);
  void layout(std::vector<SliceCursor>& cursors);
  void writeHeader();
  void writeSlice(size_t src, uint32_t i, int64_t start, int64_t effective_end);
  void writeNvtxInstantsAndAsync();
  void writeNvtxArgs(uint32_t i);
  void writeGpuCommonArgs(const auto& table, uint32_t i);
  void flowEnd(int64_t pid, int64_t correlation, uint32_t row, uint8_t lane, int64_t ts);
  int64_t annotationPid(uint32_t i) const;
  uint8_t laneOf(size_t src, uint32_t i) const {
    return lanes_[src].empty() ? 0 : lanes_[src][i];
  }

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

void ChromeTraceBuilder::writeHeader() {
  std::string& b = w_.buffer();
  // displayTimeUnit first: some Perfetto versions look for it only at the start.
  b.append("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"exporter\":\"gpuscope chrome trace\"");
  for (const auto& [key, value] : t_.meta) {
    if (key == "exporter") continue;  // keys of one JSON object stay unique
    b.push_back(',');
    appendJsonString(b, key);
    b.push_back(':');
    appendJsonString(b, value);
  }
  b.append("},\n\"traceEvents\":[\n");
}

void ChromeTraceBuilder::writeGpuCommonArgs(const auto& table, uint32_t i) {
  out_.argInt("device", table.device_id[i]);
  out_.argInt("context", table.context_id[i]);
  out_.argInt("stream", table.stream_id[i]);
  out_.argInt("correlation", table.correlation_id[i]);
  out_.argInt("process", table.pid[i]);
}

void ChromeTraceBuilder::flowEnd(int64_t pid, int64_t correlation, uint32_t row, uint8_t lane,
                                 int64_t ts) {
  uint64_t id = flows_.gpuFlow(pid, correlation);
  if (id == 0) return;
  out_.flow('f', id, rows_.outPid(row), rows_.outTid(row, lane), ts);
  ++stats_.flows;
}

void ChromeTraceBuilder::writeNvtxArgs(uint32_t i) {
  const auto& n = t_.nvtx;
  if (n.domain[i] != model::kEmptyString) out_.argStr("domain", t_.str(n.domain[i]));
  out_.argInt("category", n.category[i]);
  if (n.color[i] != kNullI64) {
    char hex[24];
    std::snprintf(hex, sizeof hex, "\"0x%08" PRIX64 "\"", static_cast<uint64_t>(n.color[i]));
    out_.argRaw("color", hex);
  }
}

void ChromeTraceBuilder::writeSlice(size_t src, uint32_t i, int64_t start, int64_t end) {
  uint32_t row = rowOf(src, i);
  uint8_t lane = laneOf(src, i);
  int64_t pid = rows_.outPid(row), tid = rows_.outTid(row, lane);
  auto nameOr = [&](model::StringId id, std::string_view fallback) {
    return id != model::kEmptyString ? t_.str(id) : fallback;
  };
  ++stats_.slices;
  switch (src) {
    case kNvtxRange: {
      const auto& n = t_.nvtx;
      // A push never popped stays open: "B" without "E" is drawn to the end.
      out_.begin(end == kOpenEnd ? 'B' : 'X', t_.str(n.text[i]), "nvtx", pid, tid, start);
      if (end != kOpenEnd) out_.dur(durationOf(start, end));
      writeNvtxArgs(i);
      out_.end();
      return;
    }
    case kCpuOp: {
      const auto& c = t_.cpu_ops;
      std::string_view cat = model::cpuOpKindName(c.kind[i]);
      out_.begin('X', nameOr(c.name[i], cat), cat, pid, tid, start);
      out_.dur(durationOf(start, end));
      out_.argInt("External id", c.external_id[i]);
      out_.argInt("Sequence number", c.sequence_number[i]);
      if (c.input_dims[i] != model::kEmptyString) out_.argStr("Input Dims", t_.str(c.input_dims[i]));
      out_.end();
      return;
    }
    case kApi: {
      const auto& a = t_.api_calls;
      std::string_view cat = model::apiKindName(a.api_kind[i]);
      out_.begin('X', nameOr(a.name[i], cat), cat, pid, tid, start);
      out_.dur(durationOf(start, end));
      out_.argInt("correlation", a.correlation_id[i]);
      out_.argInt("return code", a.return_code[i]);
      out_.argInt("External id", a.external_id[i]);
      out_.end();
      if (uint64_t id = flows_.apiFlow(i); id != 0) {
        out_.flow('s', id, pid, tid, start);
        ++stats_.flows;
      }
      return;
    }
    case kOsrt: {
      const auto& o = t_.os_runtime;
      out_.begin('X', nameOr(o.name[i], "os_runtime"), "os_runtime", pid, tid, start);
      out_.dur(durationOf(start, end));
      out_.argInt("return value", o.return_value[i]);
      out_.argInt("nesting level", o.nesting_level[i]);
      out_.end();
      return;
    }
    case kGpuAnnotation: {
      const auto& a = t_.gpu_annotations;
      out_.begin('X', t_.str(a.name[i]), "gpu_user_annotation", pid, tid, start);
      out_.dur(durationOf(start, end));
      out_.argInt("device", a.device_id[i]);
      out_.argInt("stream", a.stream_id[i]);
      out_.argInt("External id", a.external_id[i]);
      out_.end();
      return;
    }
    case kGraphLaunch: {
      const auto& g = t_.graph_launches;
      name_ = "CUDA graph";
      if (g.graph_id[i] != kNullI64) name_ += " " + std::to_string(g.graph_id[i]);
      out_.begin('X', name_, "cuda_graph", pid, tid, start);
      out_.dur(durationOf(start, end));
      writeGpuCommonArgs(g, i);
      out_.argInt("graph id", g.graph_id[i]);
      out_.argInt("graph exec id", g.graph_exec_id[i]);
      out_.end();
      flowEnd(g.pid[i], g.correlation_id[i], row, lane, start);
      return;
    }
    case kKernel: {
      const auto& k = t_.kernels;
      out_.begin('X', nameOr(k.name[i], nameOr(k.short_name[i], "Kernel")), "kernel", pid, tid,
                 start);
      out_.dur(durationOf(start, end));
      writeGpuCommonArgs(k, i);
      out_.argDim3("grid", k.grid_x[i], k.grid_y[i], k.grid_z[i]);
      out_.argDim3("block", k.block_x[i], k.block_y[i], k.block_z[i]);
      out_.argInt("registers per thread", k.registers_per_thread[i]);
      if (k.static_shared_memory[i] != kNullI32 && k.dynamic_shared_memory[i] != kNullI32) {
        out_.argInt("shared memory",
                    int64_t{k.static_shared_memory[i]} + int64_t{k.dynamic_shared_memory[i]});
      }
      out_.argInt("static shared memory", k.static_shared_memory[i]);
      out_.argInt("dynamic shared memory", k.dynamic_shared_memory[i]);
      out_.argInt("local memory per thread", k.local_memory_per_thread[i]);
      out_.argInt("launch type", k.launch_type[i]);
      out_.argInt("graph id", k.graph_id[i]);
      out_.argInt("graph node id", k.graph_node_id[i]);
      out_.argInt("External id", k.external_id[i]);
      out_.end();
      flowEnd(k.pid[i], k.correlation_id[i], row, lane, start);
      return;
    }
    case kMemcpy: {
      const auto& m = t_.memcpys;
      // Kineto's naming: "Memcpy HtoD (Pageable -> Device)".
      name_ = "Memcpy ";
      name_ += model::copyKindName(m.copy_kind[i]);
      if (m.src_kind[i] != kNullI32 && m.dst_kind[i] != kNullI32) {
        name_ += " (";
        name_ += model::memKindName(m.src_kind[i]);
        name_ += " -> ";
        name_ += model::memKindName(m.dst_kind[i]);
        name_ += ")";
      }
      out_.begin('X', name_, "gpu_memcpy", pid, tid, start);
      int64_t d = durationOf(start, end);
      out_.dur(d);
      writeGpuCommonArgs(m, i);
      out_.argInt("bytes", m.bytes[i]);
      out_.argStr("copy kind", model::copyKindName(m.copy_kind[i]));
      if (m.src_kind[i] != kNullI32) out_.argStr("src kind", model::memKindName(m.src_kind[i]));
      if (m.dst_kind[i] != kNullI32) out_.argStr("dst kind", model::memKindName(m.dst_kind[i]));
      out_.argInt("src device", m.src_device_id[i]);
      out_.argInt("dst device", m.dst_device_id[i]);
      if (m.bytes[i] != kNullI64 && d > 0) {
        char bw[64];  // bytes per ns = GB/s; a display value, not a time
        auto r = std::to_chars(bw, bw + sizeof bw, static_cast<double>(m.bytes[i]) / d,
                               std::chars_format::fixed, 3);
        out_.argRaw("memory bandwidth (GB/s)", std::string_view(bw, r.ptr - bw));
      }
      out_.argInt("graph node id", m.graph_node_id[i]);
      out_.argInt("External id", m.external_id[i]);
      out_.end();
      flowEnd(m.pid[i], m.correlation_id[i], row, lane, start);
      return;
    }
    case kMemset: {
      const auto& m = t_.memsets;
      name_ = "Memset";
      if (m.mem_kind[i] != kNullI32) {
        name_ += " (";
        name_ += model::memKindName(m.mem_kind[i]);
        name_ += ")";
      }
      out_.begin('X', name_, "gpu_memset", pid, tid, start);
      out_.dur(durationOf(start, end));
      writeGpuCommonArgs(m, i);
      out_.argInt("bytes", m.bytes[i]);
      out_.argInt("value", m.value[i]);
      if (m.mem_kind[i] != kNullI32) out_.argStr("mem kind", model::memKindName(m.mem_kind[i]));
      out_.argInt("graph node id", m.graph_node_id[i]);
      out_.argInt("External id", m.external_id[i]);
      out_.end();
      flowEnd(m.pid[i], m.correlation_id[i], row, lane, start);
      return;
    }
    default: {
      const auto& s = t_.syncs;
      out_.begin('X', model::syncTypeName(s.sync_type[i]), "cuda_sync", pid, tid, start);
      out_.dur(durationOf(start, end));
      writeGpuCommonArgs(s, i);
      out_.argInt("thread", s.tid[i]);
      out_.argInt("event id", s.event_id[i]);
      out_.end();
      flowEnd(s.pid[i], s.correlation_id[i], row, lane, start);
      return;
    }
  }
}

void ChromeTraceBuilder::writeNvtxInstantsAndAsync() {
  const auto& n = t_.nvtx;
  for (uint32_t i = 0; i < n.size(); ++i) {
    int32_t kind = n.kind[i];
    if (kind == kPushPop) continue;
    uint32_t row = rows_.hostThreadRow(n.pid[i], n.tid[i]);
    int64_t pid = rows_.outPid(row), tid = rows_.outTid(row, 0);
    std::string_view text = t_.str(n.text[i]);
    if (kind == static_cast<int32_t>(model::NvtxKind::kMark)) {
      out_.begin('i', text, "nvtx", pid, tid, n.start[i]);
      out_.field("s", "\"t\"");
      writeNvtxArgs(i);
      out_.end();
      continue;
    }
    // Start/end ranges may overlap one another (they need not nest), so
    // they are async slices: "b"/"e" matched by cat, name and id.
    int64_t id = int64_t{i} + 1;
    out_.begin('b', text, "nvtx", pid, tid, n.start[i]);
    out_.fieldInt("id", id);
    writeNvtxArgs(i);
    out_.argInt("range id", n.range_id[i]);
    out_.argInt("end thread", n.end_tid[i]);
    out_.end();
    if (n.end[i] != kNullI64) {
      out_.begin('e', text, "nvtx", pid, tid, std::max(n.end[i], n.start[i]));
      out_.fieldInt("id", id);
      out_.end();
    }
  }
}

ChromeTraceStats ChromeTraceBuilder::run() {
  std::vector<SliceCursor> cursors = makeCursors();
  layout(cursors);
  writeHeader();
  uint64_t metadata = rows_.writeMetadata(w_, out_.firstFlag());
  for (SliceCursor& c : cursors) c.reset();
  mergeSlices(std::span<SliceCursor>(cursors), [&](size_t src, uint32_t i) {
    const SliceCursor& c = cursors[src];
    writeSlice(src, i, c.start(), c.end());
  });
  writeNvtxInstantsAndAsync();
  w_.append("\n]}\n");
  stats_.events = metadata + out_.events();
  stats_.bytes = w_.bytesWritten();
  return stats_;
}

}  // namespace

ChromeTraceStats writeChromeTrace(const model::Trace& trace, BufferedWriter& w) {
  ChromeTraceBuilder builder(trace, w);
  return builder.run();
}

StatusOr<ChromeTraceStats> exportChromeTrace(const model::Trace& trace, const std::string& path,
                                             bool force) {
  GS_ASSIGN_OR_RETURN(AtomicOutput output, AtomicOutput::create(path, force));
  AtomicFileSink file(&output);
  std::unique_ptr<GzipSink> gzip;
  ByteSink* sink = &file;
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
    GS_ASSIGN_OR_RETURN(gzip, GzipSink::create(&file, path));
    sink = gzip.get();
  }
  BufferedWriter writer(sink);
  ChromeTraceStats stats = writeChromeTrace(trace, writer);
  GS_RETURN_IF_ERROR(writer.finish());
  GS_RETURN_IF_ERROR(output.commit());
  return stats;
}

}  // namespace gpuscope::exporters
