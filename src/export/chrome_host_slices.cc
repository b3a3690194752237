// Chrome trace events of host-side records: NVTX ranges, marks and
// start/end ranges, framework (CPU) ops, CUDA API calls (with the start of
// their flow arrow to the GPU work) and OS runtime calls.
#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "export/chrome_trace_builder.h"

namespace gpuscope::exporters::internal {

using model::kNullI64;

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

void ChromeTraceBuilder::writeHostSlice(size_t src, uint32_t i, const SlicePlace& at,
                                        int64_t start, int64_t end) {
  int64_t pid = at.pid, tid = at.tid;
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
    default: {  // kOsrt, the last host source
      const auto& o = t_.os_runtime;
      out_.begin('X', nameOr(o.name[i], "os_runtime"), "os_runtime", pid, tid, start);
      out_.dur(durationOf(start, end));
      out_.argInt("return value", o.return_value[i]);
      out_.argInt("nesting level", o.nesting_level[i]);
      out_.end();
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

}  // namespace gpuscope::exporters::internal
