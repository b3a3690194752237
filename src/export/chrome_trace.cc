// The exporter's passes in order: lay out rows, write the header and the
// row metadata, then every slice in nesting order, then NVTX marks and
// start/end ranges. The per-record writers live in chrome_host_slices.cc
// and chrome_gpu_slices.cc, the row assignment in chrome_trace_layout.cc.
#include "export/chrome_trace.h"

#include <memory>
#include <span>
#include <vector>

#include "export/chrome_trace_builder.h"
#include "export/json_text.h"

namespace gpuscope::exporters {
namespace internal {

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

void ChromeTraceBuilder::writeSlice(size_t src, uint32_t i, int64_t start, int64_t end) {
  uint32_t row = rowOf(src, i);
  uint8_t lane = laneOf(src, i);
  SlicePlace at{row, lane, rows_.outPid(row), rows_.outTid(row, lane)};
  ++stats_.slices;
  if (src < kGpuAnnotation) {
    writeHostSlice(src, i, at, start, end);
  } else {
    writeGpuSlice(src, i, at, start, end);
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

}  // namespace internal

ChromeTraceStats writeChromeTrace(const model::Trace& trace, BufferedWriter& w) {
  internal::ChromeTraceBuilder builder(trace, w);
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
