#include "analysis/finding.h"

#include <algorithm>
#include <cstdio>

#include "analysis/rules/rules.h"

namespace gpuscope::analysis {

const char* severityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
  }
  return "info";
}

Severity severityForGain(double pct) {
  if (pct >= 10) return Severity::kHigh;
  if (pct >= 3) return Severity::kMedium;
  if (pct >= 0.5) return Severity::kLow;
  return Severity::kInfo;
}

void Finding::setGain(int64_t saving_ns, int64_t span_ns) {
  gain_ns = saving_ns;
  gain_pct = percentOf(saving_ns, span_ns);
  severity = severityForGain(gain_pct);
}

void Finding::placeAtWorstInstance() {
  const Instance& w = instances.front();
  start = w.start;
  end = w.end;
  device = w.device;
  stream = w.stream;
  pid = w.pid;
  tid = w.tid;
}

double percentOf(int64_t part, int64_t whole) {
  return whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

std::string kernelNameOf(const TraceIndex& index, uint32_t op) {
  const model::Trace& t = index.trace();
  uint32_t row = stats::gpuOpRow(op);
  switch (stats::gpuOpTable(op)) {
    case stats::GpuOpTable::kKernel: return std::string(t.str(t.kernels.name[row]));
    case stats::GpuOpTable::kMemcpy:
      return "memcpy " + std::string(model::copyKindName(t.memcpys.copy_kind[row]));
    case stats::GpuOpTable::kMemset: return "memset";
  }
  return "?";
}

void keepTopInstances(std::vector<Instance>& v, int rows) {
  std::stable_sort(v.begin(), v.end(),
                   [](const Instance& a, const Instance& b) { return a.end - a.start > b.end - b.start; });
  if (rows >= 0 && v.size() > static_cast<size_t>(rows)) v.resize(rows);
}

std::string formatNs(int64_t ns) {
  char buf[64];
  double v = static_cast<double>(ns);
  if (ns < 0) v = -v;
  const char* sign = ns < 0 ? "-" : "";
  if (v < 1e3) std::snprintf(buf, sizeof buf, "%s%.0f ns", sign, v);
  else if (v < 1e6) std::snprintf(buf, sizeof buf, "%s%.1f us", sign, v / 1e3);
  else if (v < 1e9) std::snprintf(buf, sizeof buf, "%s%.2f ms", sign, v / 1e6);
  else std::snprintf(buf, sizeof buf, "%s%.3f s", sign, v / 1e9);
  return buf;
}

}  // namespace gpuscope::analysis
