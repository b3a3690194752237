// kernel_metrics_sum: one row per kernel profiled by `gpuscope kernels`
// (the kernel_metrics table), with the SpeedOfLight and occupancy headline
// values, and, where the trace also holds a timeline, how much of the
// trace's GPU kernel time kernels of that name took (gpuscope only: nsys
// keeps no hardware metrics; ncu no timeline).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "stats/reports/reports.h"

namespace gpuscope::stats {
namespace {

// The values the table shows, by ncu metric name (a label is not unique:
// "Memory Throughput" is a percentage in SpeedOfLight and bytes/s in
// MemoryWorkloadAnalysis).
constexpr const char* kDuration = "gpu__time_duration.sum";
constexpr const char* kSm = "sm__throughput.avg.pct_of_peak_sustained_elapsed";
constexpr const char* kMemory = "gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed";
constexpr const char* kDram = "gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed";
constexpr const char* kOccupancy = "sm__warps_active.avg.pct_of_peak_sustained_active";
constexpr const char* kRegisters = "launch__registers_per_thread";

struct Profiled {
  int64_t pid = 0, id = 0;
  model::StringId name = model::kEmptyString;
  double duration = NAN, sm = NAN, memory = NAN, dram = NAN, occupancy = NAN, registers = NAN;
};

// The profiled kernel's most promising OPT finding of ncu's rules
// (kernel_rules): the largest global estimate, else the largest local one,
// else the first without an estimate; "Rule (global 50%)".
struct Finding {
  std::string text;
  double speedup = NAN;
  bool global = false;
};

std::map<std::pair<int64_t, int64_t>, Finding> topFindings(const model::Trace& tr) {
  const auto& k = tr.kernel_rules;
  std::map<std::pair<int64_t, int64_t>, Finding> out;
  auto rank = [](const Finding& f) { return std::isnan(f.speedup) ? -1.0 : f.speedup + (f.global ? 1000.0 : 0.0); };
  for (size_t i = 0; i < k.size(); ++i) {
    if (tr.strings.get(k.type[i]) != "OPT") continue;
    Finding f;
    const std::string_view type = tr.strings.get(k.speedup_type[i]);
    f.speedup = type.empty() ? NAN : k.speedup[i];
    f.global = type == "global";
    f.text = std::string(tr.strings.get(k.rule[i]));
    if (!std::isnan(f.speedup)) {
      char est[48];
      std::snprintf(est, sizeof(est), " (%s %.1f%%)", std::string(type).c_str(), f.speedup);
      f.text += est;
    }
    auto [it, inserted] = out.try_emplace({k.pid[i], k.kernel_id[i]}, f);
    if (!inserted && rank(f) > rank(it->second)) it->second = f;
  }
  return out;
}

}  // namespace

std::string kernelJoinKey(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  int depth = 0;  // inside <>, {} or []
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (name.substr(i).starts_with("(anonymous namespace)")) {
      i += std::string_view("(anonymous namespace)").size() - 1;
      continue;
    }
    if (name.substr(i).starts_with("<unnamed>")) {
      i += std::string_view("<unnamed>").size() - 1;
      continue;
    }
    if (c == '(' && depth == 0) break;  // the parameter list
    if (c == '<' || c == '{' || c == '[') ++depth;
    if ((c == '>' || c == '}' || c == ']') && depth > 0) --depth;
    if (c != ' ' && c != '\t') out += c;
  }
  return out;
}

ReportTable kernelMetricsSum(ReportContext& ctx, const ReportOptions& o) {
  const model::Trace& tr = ctx.trace();
  const auto& m = tr.kernel_metrics;
  ReportTable t("kernel_metrics_sum", "Kernel Hardware Metrics");
  size_t c_id = t.addColumn("ID", Unit::kCount, ValueType::kInt);
  size_t c_pid = t.addColumn("PID", Unit::kCount, ValueType::kInt);
  size_t c_dur = t.addColumn("Duration", Unit::kDurNs, ValueType::kInt);
  size_t c_sm = t.addColumn("SM Throughput", Unit::kRatio, ValueType::kDouble);
  size_t c_mem = t.addColumn("Memory Throughput", Unit::kRatio, ValueType::kDouble);
  size_t c_dram = t.addColumn("DRAM Throughput", Unit::kRatio, ValueType::kDouble);
  size_t c_occ = t.addColumn("Achieved Occupancy", Unit::kRatio, ValueType::kDouble);
  size_t c_regs = t.addColumn("Registers", Unit::kCount, ValueType::kInt);
  size_t c_busy = t.addColumn("Busiest", Unit::kText, ValueType::kText);
  size_t c_inst = t.addColumn("Trace Instances", Unit::kCount, ValueType::kInt);
  size_t c_share = t.addColumn("Trace Time", Unit::kRatio, ValueType::kDouble);
  size_t c_finding = t.addColumn("Top Finding", Unit::kText, ValueType::kText);
  size_t c_gain = t.addColumn("Est. Gain", Unit::kRatio, ValueType::kDouble);
  size_t c_name = t.addColumn("Name", Unit::kText, ValueType::kText);
  if (m.size() == 0) {
    t.setSkipped("has no kernel hardware metrics (record them with gpuscope kernels -o FILE.gpuscope)");
    return t;
  }

  // Rows of one profiled kernel share (pid, kernel_id); kernels in ID order.
  std::map<std::pair<int64_t, int64_t>, Profiled> kernels;
  for (size_t i = 0; i < m.size(); ++i) {
    Profiled& p = kernels[{m.pid[i], m.kernel_id[i]}];
    p.pid = m.pid[i];
    p.id = m.kernel_id[i];
    p.name = m.name[i];
    const std::string_view metric = tr.strings.get(m.metric[i]);
    const double v = m.value[i];
    if (metric == kDuration) p.duration = v;
    else if (metric == kSm) p.sm = v;
    else if (metric == kMemory) p.memory = v;
    else if (metric == kDram) p.dram = v;
    else if (metric == kOccupancy) p.occupancy = v;
    else if (metric == kRegisters) p.registers = v;
  }

  // The timeline's kernels by join key: count and total time, from the
  // per-name groups cuda_gpu_kern_sum reports (so the counts agree with it).
  std::map<std::string, std::pair<int64_t, int64_t>, std::less<>> by_key;
  int64_t total = 0;
  const NameGroups groups = kernelNameGroups(tr, o);
  for (size_t g = 0; g < groups.keys.size(); ++g) {
    auto& [n, sum] = by_key[kernelJoinKey(tr.strings.get(groups.keys[g]))];
    n += groups.stats[g].count;
    sum += groups.stats[g].total;
    total += groups.stats[g].total;
  }

  const std::map<std::pair<int64_t, int64_t>, Finding> findings = topFindings(tr);
  for (const auto& [key, p] : kernels) {
    size_t r = t.appendRow();
    t.setInt(r, c_id, p.id);
    t.setInt(r, c_pid, p.pid);
    if (!std::isnan(p.duration)) t.setInt(r, c_dur, std::llround(p.duration));
    if (!std::isnan(p.sm)) t.setDouble(r, c_sm, p.sm);
    if (!std::isnan(p.memory)) t.setDouble(r, c_mem, p.memory);
    if (!std::isnan(p.dram)) t.setDouble(r, c_dram, p.dram);
    if (!std::isnan(p.occupancy)) t.setDouble(r, c_occ, p.occupancy);
    if (!std::isnan(p.registers)) t.setInt(r, c_regs, std::llround(p.registers));
    // ncu's SpeedOfLight compares the two: the larger names the unit that
    // limits the kernel more (no threshold is applied here).
    if (!std::isnan(p.sm) && !std::isnan(p.memory))
      t.setText(r, c_busy, t.internText(p.sm >= p.memory ? "SM" : "memory"));
    double share = NAN;
    if (tr.kernels.size() > 0) {
      auto it = by_key.find(kernelJoinKey(tr.strings.get(p.name)));
      const bool found = it != by_key.end();
      t.setInt(r, c_inst, found ? it->second.first : 0);
      if (total > 0) {
        share = found ? 100.0 * double(it->second.second) / double(total) : 0.0;
        t.setDouble(r, c_share, share);
      }
    }
    if (auto f = findings.find(key); f != findings.end()) {
      t.setText(r, c_finding, t.internText(f->second.text));
      // A global estimate is a share of the kernel's time: of the trace's
      // kernel time, the kernel's share of it.
      if (f->second.global && !std::isnan(share)) t.setDouble(r, c_gain, share * f->second.speedup / 100);
    }
    t.setText(r, c_name, t.traceText(tr.strings, p.name));
  }
  return t;
}

}  // namespace gpuscope::stats
