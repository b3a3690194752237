// Chrome trace events of GPU-side records: Kineto GPU annotations, CUDA
// graph launches, kernels, memcpys, memsets and synchronizations, each
// bound to the end of the flow arrow from the API call that launched it.
#include <charconv>
#include <string>

#include "export/chrome_trace_builder.h"

namespace gpuscope::exporters::internal {

using model::kNullI32;
using model::kNullI64;

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

void ChromeTraceBuilder::writeGpuSlice(size_t src, uint32_t i, const SlicePlace& at,
                                       int64_t start, int64_t end) {
  uint32_t row = at.row;
  uint8_t lane = at.lane;
  int64_t pid = at.pid, tid = at.tid;
  switch (src) {
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
    default: {  // kSync
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

}  // namespace gpuscope::exporters::internal
