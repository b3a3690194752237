// Copies that do not overlap compute, and devices whose copies and kernels
// all run on one stream (so they cannot overlap).
#include <algorithm>
#include <set>

#include "analysis/rules/rules.h"

namespace gpuscope::analysis {
namespace {

bool isHostCopy(int32_t kind) {
  using model::CopyKind;
  return kind == static_cast<int32_t>(CopyKind::kHtoD) || kind == static_cast<int32_t>(CopyKind::kDtoH) ||
         kind == static_cast<int32_t>(CopyKind::kHtoH) || kind == static_cast<int32_t>(CopyKind::kPtoP);
}

std::vector<Interval> kernelUnion(const TraceIndex& index, const DeviceTimeline& d) {
  std::vector<Interval> k;
  for (const GpuOp& op : d.ops)
    if (index.isKernel(op.op)) k.push_back({op.start, op.end});
  return mergeIntervals(k);
}

}  // namespace

void copyOverlapRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out) {
  const model::Trace& t = index.trace();
  for (const DeviceTimeline& d : index.devices()) {
    std::vector<Interval> kernels = kernelUnion(index, d);
    if (kernels.empty()) continue;
    Finding f;
    f.rule = "copy_overlap";
    f.device = d.device;
    int64_t exposed = 0, copy_time = 0;
    size_t n = 0;
    for (const GpuOp& op : d.ops) {
      if (!index.isMemcpy(op.op)) continue;
      uint32_t row = stats::gpuOpRow(op.op);
      if (!isHostCopy(t.memcpys.copy_kind[row])) continue;
      int64_t dur = op.end - op.start;
      int64_t alone = dur - coveredIn(kernels, op.start, op.end);
      copy_time += dur;
      if (alone <= 0) continue;
      exposed += alone;
      ++n;
      f.instances.push_back({op.start, op.end, d.device, op.stream, t.memcpys.pid[row], model::kNullI64,
                             kernelNameOf(index, op.op) + " " + std::to_string(t.memcpys.bytes[row]) +
                                 " B, not overlapped " + formatNs(alone)});
    }
    if (n == 0 || exposed < o.gap_min_ns) continue;
    f.instance_count = n;
    keepTopInstances(f.instances, o.rows);
    f.placeAtWorstInstance();
    f.title = std::to_string(n) + " host<->device copies run while no kernel runs";
    f.evidence = {{"copies", static_cast<double>(n), "count"},
                  {"copy_time", static_cast<double>(copy_time), "ns"},
                  {"not_overlapped", static_cast<double>(exposed), "ns"},
                  {"not_overlapped_share", percentOf(exposed, copy_time), "%"}};
    f.setGain(exposed, index.span());
    f.suggestion =
        "overlap copies with compute: pinned host buffers, cudaMemcpyAsync on a copy stream, and "
        "double-buffering (copy inference i+1's input while inference i computes)";
    out.push_back(std::move(f));
  }
}

void streamSerializationRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out) {
  const model::Trace& t = index.trace();
  for (const DeviceTimeline& d : index.devices()) {
    std::set<int64_t> streams;
    int64_t copy_time = 0, kernel_time = 0;
    size_t copies = 0;
    for (const GpuOp& op : d.ops) {
      streams.insert(op.stream);
      if (index.isKernel(op.op)) kernel_time += op.end - op.start;
      else if (index.isMemcpy(op.op) && isHostCopy(t.memcpys.copy_kind[stats::gpuOpRow(op.op)]))
        copy_time += op.end - op.start, ++copies;
    }
    if (streams.size() != 1 || copies == 0 || kernel_time == 0) continue;
    // What a second stream could hide: the smaller of the two kinds of work.
    int64_t gain = std::min(copy_time, kernel_time);
    if (gain < o.gap_min_ns) continue;
    Finding f;
    f.rule = "single_stream";
    f.device = d.device;
    f.stream = *streams.begin();
    f.start = d.first_start;
    f.end = d.last_end;
    f.title = "all copies and kernels of device " + std::to_string(d.device) + " run on one stream (" +
              std::to_string(f.stream) + ")";
    f.evidence = {{"streams", 1, "count"},
                  {"copies", static_cast<double>(copies), "count"},
                  {"copy_time", static_cast<double>(copy_time), "ns"},
                  {"kernel_time", static_cast<double>(kernel_time), "ns"}};
    f.instance_count = 0;
    f.setGain(gain, index.span());
    f.suggestion =
        "work on one stream is serialized: put copies on their own stream (with events for the "
        "dependencies) so they overlap kernels; run independent requests on separate streams";
    out.push_back(std::move(f));
  }
}

}  // namespace gpuscope::analysis
