#include "analysis/iterations.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace gpuscope::analysis {
namespace {

int64_t opStart(const model::Trace& t, uint32_t op) {
  uint32_t r = stats::gpuOpRow(op);
  switch (stats::gpuOpTable(op)) {
    case stats::GpuOpTable::kKernel: return t.kernels.start[r];
    case stats::GpuOpTable::kMemcpy: return t.memcpys.start[r];
    case stats::GpuOpTable::kMemset: return t.memsets.start[r];
  }
  return 0;
}
int64_t opEnd(const model::Trace& t, uint32_t op) {
  uint32_t r = stats::gpuOpRow(op);
  switch (stats::gpuOpTable(op)) {
    case stats::GpuOpTable::kKernel: return t.kernels.end[r];
    case stats::GpuOpTable::kMemcpy: return t.memcpys.end[r];
    case stats::GpuOpTable::kMemset: return t.memsets.end[r];
  }
  return 0;
}

void finish(const model::Trace& t, Iteration& it) {
  std::sort(it.ops.begin(), it.ops.end(),
            [&](uint32_t a, uint32_t b) { return opStart(t, a) < opStart(t, b); });
  it.gpu_start = it.ops.empty() ? 0 : opStart(t, it.ops.front());
  it.gpu_end = 0;
  for (uint32_t op : it.ops) it.gpu_end = std::max(it.gpu_end, opEnd(t, op));
}

IterationSet fromNvtx(TraceIndex& index) {
  const model::Trace& t = index.trace();
  stats::ReportContext& ctx = index.context();
  const stats::NvtxRangeSet& ranges = ctx.projectionRanges();
  const auto& pairs = ctx.rangeApiPairs();
  const auto& begin = ctx.opsBegin();
  const auto& ops = ctx.ops();
  // Kernels launched per range.
  std::vector<uint32_t> launched(ranges.size(), 0);
  for (auto [r, a] : pairs) launched[r] += begin[a + 1] - begin[a];
  struct Candidate {
    std::vector<uint32_t> ranges;
    uint64_t ops = 0;
    int64_t duration = 0;
    size_t with_work = 0;
  };
  std::map<std::string, Candidate> cands;
  for (uint32_t r = 0; r < ranges.size(); ++r) {
    std::string name = normalizeIterationName(stats::nvtxRangeName(t, ranges.row[r]));
    Candidate& c = cands[name];
    c.ranges.push_back(r);
    c.ops += launched[r];
    c.duration += ranges.end[r] - ranges.start[r];
    c.with_work += launched[r] > 0;
  }
  const std::string* best = nullptr;
  const Candidate* bc = nullptr;
  for (const auto& [name, c] : cands) {
    if (c.with_work < 2) continue;
    if (!bc || c.ops > bc->ops || (c.ops == bc->ops && c.duration < bc->duration)) best = &name, bc = &c;
  }
  IterationSet set;
  // A range repeated per layer is not an iteration: the iteration range
  // must hold at least half of all launched GPU work.
  if (!bc || bc->ops * 2 < ops.size()) return set;
  set.method = "nvtx";
  set.name = *best;
  std::map<uint32_t, size_t> slot;
  for (uint32_t r : bc->ranges) {
    if (launched[r] == 0) continue;
    slot[r] = set.items.size();
    Iteration it;
    it.start = ranges.start[r];
    it.end = ranges.end[r];
    uint32_t row = ranges.row[r];
    it.pid = t.nvtx.pid[row];
    it.tid = t.nvtx.tid[row];
    set.items.push_back(std::move(it));
  }
  for (auto [r, a] : pairs) {
    auto s = slot.find(r);
    if (s == slot.end()) continue;
    for (uint32_t k = begin[a]; k < begin[a + 1]; ++k) set.items[s->second].ops.push_back(ops[k]);
  }
  for (Iteration& it : set.items) finish(t, it);
  std::sort(set.items.begin(), set.items.end(), [](auto& a, auto& b) { return a.start < b.start; });
  return set;
}

IterationSet fromKernelSequence(TraceIndex& index) {
  const model::Trace& t = index.trace();
  IterationSet set;
  const DeviceTimeline* busiest = nullptr;
  size_t most = 0;
  for (const DeviceTimeline& d : index.devices()) {
    size_t n = 0;
    for (const GpuOp& op : d.ops) n += index.isKernel(op.op);
    if (n > most) most = n, busiest = &d;
  }
  if (!busiest || most < 4) return set;
  std::vector<uint32_t> ks;
  std::vector<model::StringId> names;
  for (const GpuOp& op : busiest->ops)
    if (index.isKernel(op.op)) ks.push_back(op.op), names.push_back(index.opName(op.op));
  size_t n = names.size();
  size_t period = 0;
  int tried = 0;
  for (size_t p = 1; p <= n / 2 && tried < 256; ++p) {
    if (names[p] != names[0]) continue;
    ++tried;
    size_t match = 0, total = n - p;
    for (size_t j = 0; j < total; ++j) match += names[j] == names[j + p];
    if (match * 100 >= total * 95) {
      period = p;
      break;
    }
  }
  if (period == 0) return set;
  set.method = "kernel_sequence";
  set.name = "period of " + std::to_string(period) + " kernels";
  for (size_t k = 0; k + period <= n; k += period) {
    Iteration it;
    it.ops.assign(ks.begin() + k, ks.begin() + k + period);
    it.start = INT64_MAX;
    it.end = INT64_MIN;
    for (uint32_t op : it.ops) {
      int32_t a = index.launchApi(op);
      if (a < 0) continue;
      it.start = std::min(it.start, t.api_calls.start[a]);
      it.end = std::max(it.end, t.api_calls.end[a]);
      it.pid = t.api_calls.pid[a];
      it.tid = t.api_calls.tid[a];
    }
    finish(t, it);
    if (it.start == INT64_MAX) it.start = it.gpu_start, it.end = it.gpu_end;
    set.items.push_back(std::move(it));
  }
  return set;
}

}  // namespace

std::string normalizeIterationName(std::string_view name) {
  size_t hash = name.rfind('#');
  if (hash != std::string_view::npos && hash + 1 < name.size()) {
    bool digits = true;
    for (size_t i = hash + 1; i < name.size(); ++i)
      digits = digits && std::isdigit(static_cast<unsigned char>(name[i]));
    if (digits) return std::string(name.substr(0, hash + 1)) + "N";
  }
  return std::string(name);
}

IterationSet detectIterations(TraceIndex& index) {
  IterationSet s = fromNvtx(index);
  if (!s.items.empty()) return s;
  return fromKernelSequence(index);
}

}  // namespace gpuscope::analysis
