// ncu's --print-summary per-kernel in the console: one block per kernel
// (same process, name, grid, block and device), each row's Minimum, Maximum
// and Average over its launches. Layout as ncu 2025 prints it:
//   "  NAME (grid)x(block), Device D, CC M.m, Invocations N", then the
// section tables with the three value columns, every value with two
// decimals ("256.00"). The three values of a row share the unit the average
// scales to.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string_view>
#include <tuple>

#include "profiler/evaluate.h"
#include "profiler/format.h"

namespace gpuscope::profiler {
namespace {

struct KernelGroup {
  const KernelRecord* first = nullptr;
  std::vector<const KernelRecord*> launches;
};

// Launches grouped by process, name, grid, block and device. Blocks come in
// ncu's order: by process, then by kernel name (ncu 2025 prints reduceSum,
// saxpy, sm90_..., void cutlass::... whatever the launch order), then grid
// and block.
std::vector<KernelGroup> groupLaunches(const ProfileRun& run) {
  using Key = std::tuple<int, std::string_view, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int>;
  std::map<Key, KernelGroup> by_key;
  for (const KernelRecord& k : run.kernels) {
    KernelGroup& g = by_key[Key{k.pid, k.name, k.grid[0], k.grid[1], k.grid[2], k.block[0], k.block[1], k.block[2],
                                k.device}];
    if (!g.first) g.first = &k;
    g.launches.push_back(&k);
  }
  std::vector<KernelGroup> groups;
  groups.reserve(by_key.size());
  for (auto& [key, g] : by_key) groups.push_back(std::move(g));
  return groups;
}

// Label, unit and the three values of one row over a group's launches.
std::vector<std::string> summaryCells(const std::vector<KernelMetrics>& launches, const ReportRow& row) {
  double lo = 0, hi = 0, sum = 0;
  size_t n = 0;
  for (const KernelMetrics& m : launches) {
    std::optional<double> v = m.value(row.metric);
    if (!v || std::isnan(*v)) continue;
    lo = n ? std::min(lo, *v) : *v;
    hi = n ? std::max(hi, *v) : *v;
    sum += *v;
    ++n;
  }
  if (n == 0) return {row.label, baseUnitName(row.unit), "n/a", "n/a", "n/a"};
  const double avg = sum / static_cast<double>(n);
  const Scaled s = scaleForConsole(avg, row.unit);
  const double factor = avg != 0 && s.value != 0 ? avg / s.value : 1.0;
  return {row.label, s.unit, formatNumber(lo / factor, true), formatNumber(hi / factor, true),
          formatNumber(avg / factor, true)};
}

}  // namespace

std::string formatConsoleSummary(const ProfileRun& run, const ReportSpec& spec) {
  std::string out;
  int last_pid = -1;
  const std::vector<ReportRow> rows = reportRows(spec);
  for (const KernelGroup& g : groupLaunches(run)) {
    const KernelRecord& k = *g.first;
    if (k.pid != last_pid) {
      out += fmt::format("[{}] {}@127.0.0.1\n", k.pid, k.process);
      last_pid = k.pid;
    }
    out += fmt::format("  {} {}x{}, Device {}, CC {}, Invocations {}\n", k.name, formatDim3(k.grid),
                       formatDim3(k.block), k.device, ccText(deviceFor(run, k)), g.launches.size());
    // Each launch's values once (its occupancy is computed on construction).
    std::vector<KernelMetrics> launches;
    launches.reserve(g.launches.size());
    for (const KernelRecord* l : g.launches) launches.emplace_back(*l, deviceFor(run, *l));
    for (const auto& [i, j] : sectionSpans(rows)) {
      std::vector<std::vector<std::string>> cells;
      for (size_t r = i; r < j; ++r) cells.push_back(summaryCells(launches, rows[r]));
      appendSectionTable(out, rows[i].section_name, {"Metric Name", "Metric Unit", "Minimum", "Maximum", "Average"},
                         cells);
    }
  }
  return out;
}

}  // namespace gpuscope::profiler
