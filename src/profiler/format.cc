#include "profiler/format.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

#include "profiler/evaluate.h"
#include "profiler/rules.h"

namespace gpuscope::profiler {

// A device record for kernels whose process wrote none: the report still
// shows counters; computed launch values then read as zero.
const DeviceInfo& deviceFor(const ProfileRun& run, const KernelRecord& k) {
  static const DeviceInfo kUnknown;
  const DeviceInfo* d = run.device(k.pid, k.device);
  return d ? *d : kUnknown;
}

std::string ccText(const DeviceInfo& d) { return fmt::format("{}.{}", d.cc_major, d.cc_minor); }

void appendSectionTable(std::string& out, std::string_view section_name, const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& cells) {
  std::vector<size_t> w;
  for (const std::string& h : header) w.push_back(h.size());
  for (const auto& row : cells)
    for (size_t c = 0; c < row.size() && c < w.size(); ++c) w[c] = std::max(w[c], row[c].size());
  auto line = [&w](const std::vector<std::string>& row) {
    std::string text = "   ";
    for (size_t c = 0; c < w.size(); ++c) {
      const std::string& cell = c < row.size() ? row[c] : std::string();
      text += c == 0 ? fmt::format(" {:<{}}", cell, w[c]) : fmt::format(" {:>{}}", cell, w[c]);
    }
    return text + "\n";
  };
  std::vector<std::string> dashes;
  for (size_t width : w) dashes.push_back(std::string(width, '-'));
  const std::string rule = line(dashes);
  out += fmt::format("    Section: {}\n", section_name);
  out += rule;
  out += line(header);
  out += rule;
  for (const auto& row : cells) out += line(row);
  out += rule;
  out += "\n";
}

namespace {

// A rule result under its section's table, as ncu prints it: the type,
// the estimated speedup when there is one, then the text wrapped at 100
// columns and indented under it.
void appendRule(std::string& out, const RuleResult& r) {
  std::vector<std::string> lines;
  if (!r.speedup_type.empty())
    lines.push_back(fmt::format("Est. {} Speedup: {}%", r.speedup_type == "global" ? "Global" : "Local",
                                formatSpeedup(r.speedup)));
  std::string line;
  size_t start = 0;
  while (start < r.description.size()) {
    size_t end = r.description.find(' ', start);
    if (end == std::string::npos) end = r.description.size();
    const std::string word = r.description.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > 100) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  if (!line.empty()) lines.push_back(line);
  for (size_t i = 0; i < lines.size(); ++i)
    out += fmt::format("    {:<6}{}\n", i == 0 ? r.type : "", lines[i]);
  out += "\n";
}

std::string csvField(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::vector<ReportRow> reportRows(const ReportSpec& spec) {
  std::vector<ReportRow> rows;
  for (const Section* s : spec.sections)
    for (const MetricRow& r : s->rows)
      rows.push_back({s->id, s->display_name, r.label, r.metric, r.unit});
  for (const std::string& m : spec.metrics)
    rows.push_back({"", std::string(kCommandLineSection), m, m, guessUnit(m)});
  return rows;
}

std::vector<std::pair<size_t, size_t>> sectionSpans(const std::vector<ReportRow>& rows) {
  std::vector<std::pair<size_t, size_t>> spans;
  for (size_t i = 0, j = 0; i < rows.size(); i = j) {
    while (j < rows.size() && rows[j].section_name == rows[i].section_name) ++j;
    spans.emplace_back(i, j);
  }
  return spans;
}

std::string formatNumber(double v, bool always_decimals) {
  if (std::isnan(v) || std::isinf(v)) return "n/a";
  // Counter sums are exact integers; an average or a rate keeps 2 decimals.
  const bool integral = !always_decimals && std::fabs(v - std::round(v)) < 1e-6;
  std::string digits = integral ? fmt::format("{:.0f}", std::round(v)) : fmt::format("{:.2f}", v);
  if (digits == "-0" || digits == "-0.00") digits = digits.substr(1);
  size_t start = digits[0] == '-' ? 1 : 0;
  size_t dot = digits.find('.');
  size_t int_end = dot == std::string::npos ? digits.size() : dot;
  std::string out = digits.substr(0, start);
  for (size_t i = start; i < int_end; ++i) {
    out += digits[i];
    size_t left = int_end - i - 1;
    if (left > 0 && left % 3 == 0) out += ',';
  }
  out += digits.substr(int_end);
  return out;
}

std::string baseUnitName(Unit u) {
  switch (u) {
    case Unit::kNone: return "";
    case Unit::kNanosecond: return "ns";
    case Unit::kHertz: return "hz";
    case Unit::kCycle: return "cycle";
    case Unit::kPercent: return "%";
    case Unit::kByte: return "byte";
    case Unit::kBytePerBlock: return "byte/block";
    // ncu --csv spells these "byte/s", "byte/cycle", "inst/cycle" (evidence
    // 2026-11-29 ncu_metrics.csv).
    case Unit::kBytePerSecond: return "byte/s";
    case Unit::kBytePerCycle: return "byte/cycle";
    case Unit::kInstPerCycle: return "inst/cycle";
    case Unit::kRegisterPerThread: return "register/thread";
    case Unit::kBlock: return "block";
    case Unit::kWarp: return "warp";
    case Unit::kThread: return "thread";
    case Unit::kSM: return "SM";
    case Unit::kFlopPerSecond: return "flop/s";
    case Unit::kFlopPerByte: return "flop/byte";
  }
  return "";
}

Scaled scaleForConsole(double v, Unit u) {
  // Decimal prefixes, as ncu scales (16,384 bytes print as 16.38 Kbyte).
  auto pick = [v](const std::vector<std::string>& names) {
    double x = v;
    size_t i = 0;
    while (i + 1 < names.size() && std::fabs(x) >= 1000.0) {
      x /= 1000.0;
      ++i;
    }
    return Scaled{x, names[i]};
  };
  switch (u) {
    case Unit::kNanosecond: return pick({"ns", "us", "ms", "s"});
    case Unit::kHertz: return pick({"hz", "Khz", "Mhz", "Ghz"});
    case Unit::kByte: return pick({"byte", "Kbyte", "Mbyte", "Gbyte", "Tbyte"});
    case Unit::kBytePerBlock: return pick({"byte/block", "Kbyte/block", "Mbyte/block"});
    case Unit::kBytePerSecond: return pick({"byte/s", "Kbyte/s", "Mbyte/s", "Gbyte/s", "Tbyte/s"});
    case Unit::kFlopPerSecond: return pick({"flop/s", "Kflop/s", "Mflop/s", "Gflop/s", "Tflop/s", "Pflop/s"});
    default: return {v, baseUnitName(u)};
  }
}

std::string formatDim3(const int64_t d[3]) { return fmt::format("({}, {}, {})", d[0], d[1], d[2]); }

std::string formatConsole(const ProfileRun& run, const ReportSpec& spec) {
  std::string out;
  int last_pid = -1;
  const std::vector<ReportRow> rows = reportRows(spec);
  for (const KernelRecord& k : run.kernels) {
    const DeviceInfo& dev = deviceFor(run, k);
    KernelMetrics metrics(k, dev);
    const std::vector<RuleResult> rules = applyRules(metrics, dev, spec);
    if (k.pid != last_pid) {
      out += fmt::format("[{}] {}@127.0.0.1\n", k.pid, k.process);
      last_pid = k.pid;
    }
    out += fmt::format("  {} {}x{}, Context {}, Stream {}, Device {}, CC {}\n", k.name,
                       formatDim3(k.grid), formatDim3(k.block), k.context, k.stream, k.device,
                       ccText(dev));
    for (const auto& [i, j] : sectionSpans(rows)) {
      std::vector<std::vector<std::string>> cells;
      for (size_t r = i; r < j; ++r) {
        std::optional<double> v = metrics.value(rows[r].metric);
        Scaled s = v ? scaleForConsole(*v, rows[r].unit) : Scaled{0, baseUnitName(rows[r].unit)};
        cells.push_back({rows[r].label, s.unit, v ? formatNumber(s.value) : "n/a"});
      }
      appendSectionTable(out, rows[i].section_name, {"Metric Name", "Metric Unit", "Metric Value"}, cells);
      for (const RuleResult& r : rules)
        if (r.section_id == rows[i].section_id) appendRule(out, r);
    }
  }
  return out;
}

std::string formatCsv(const ProfileRun& run, const ReportSpec& spec) {
  static const char* const kHeader[] = {
      "ID", "Process ID", "Process Name", "Host Name", "Kernel Name", "Context", "Stream",
      "Block Size", "Grid Size", "Device", "CC", "Section Name", "Metric Name", "Metric Unit",
      "Metric Value", "Rule Name", "Rule Type", "Rule Description", "Estimated Speedup Type",
      "Estimated Speedup"};
  std::string out;
  for (size_t i = 0; i < std::size(kHeader); ++i) {
    if (i) out += ',';
    out += csvField(kHeader[i]);
  }
  out += "\n";
  const std::vector<ReportRow> rows = reportRows(spec);
  for (const KernelRecord& k : run.kernels) {
    const DeviceInfo& dev = deviceFor(run, k);
    KernelMetrics metrics(k, dev);
    std::string prefix = fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{}", csvField(std::to_string(k.id)),
        csvField(std::to_string(k.pid)), csvField(k.process), csvField("127.0.0.1"),
        csvField(k.name), csvField(std::to_string(k.context)), csvField(std::to_string(k.stream)),
        csvField(formatDim3(k.block)), csvField(formatDim3(k.grid)),
        csvField(std::to_string(k.device)), csvField(ccText(dev)));
    const std::vector<RuleResult> rules = applyRules(metrics, dev, spec);
    for (const auto& [i, j] : sectionSpans(rows)) {
      for (size_t n = i; n < j; ++n) {
        const ReportRow& r = rows[n];
        std::optional<double> v = metrics.value(r.metric);
        out += fmt::format("{},{},{},{},{},\"\",\"\",\"\",\"\",\"\"\n", prefix,
                           csvField(r.section_name), csvField(r.label),
                           csvField(baseUnitName(r.unit)), csvField(v ? formatNumber(*v) : "n/a"));
      }
      // ncu's rule rows: after the section's metrics, the section's id in
      // Section Name, the metric columns empty.
      for (const RuleResult& rule : rules) {
        if (rule.section_id != rows[i].section_id) continue;
        out += fmt::format("{},{},\"\",\"\",\"\",{},{},{},{},{}\n", prefix, csvField(rule.section_id),
                           csvField(rule.name), csvField(rule.type), csvField(rule.description),
                           csvField(rule.speedup_type),
                           csvField(rule.speedup_type.empty() ? "" : formatSpeedup(rule.speedup)));
      }
    }
  }
  return out;
}

std::string formatJson(const ProfileRun& run, const ReportSpec& spec) {
  using nlohmann::ordered_json;
  ordered_json root;
  root["tool"] = "gpuscope kernels";
  ordered_json kernels = ordered_json::array();
  const std::vector<ReportRow> rows = reportRows(spec);
  for (const KernelRecord& k : run.kernels) {
    const DeviceInfo& dev = deviceFor(run, k);
    KernelMetrics metrics(k, dev);
    ordered_json j;
    j["id"] = k.id;
    j["pid"] = k.pid;
    j["process"] = k.process;
    j["name"] = k.name;
    j["mangled_name"] = k.mangled;
    j["device"] = k.device;
    j["cc"] = ccText(dev);
    j["context"] = k.context;
    j["stream"] = k.stream;
    j["grid"] = {k.grid[0], k.grid[1], k.grid[2]};
    j["block"] = {k.block[0], k.block[1], k.block[2]};
    j["passes"] = k.passes;
    ordered_json metrics_json = ordered_json::array();
    for (const ReportRow& r : rows) {
      std::optional<double> v = metrics.value(r.metric);
      ordered_json m;
      m["section"] = r.section_id.empty() ? std::string(kCommandLineSection) : r.section_id;
      m["label"] = r.label;
      m["metric"] = r.metric;
      m["unit"] = baseUnitName(r.unit);
      m["value"] = v && std::isfinite(*v) ? ordered_json(*v) : ordered_json(nullptr);
      metrics_json.push_back(std::move(m));
    }
    j["metrics"] = std::move(metrics_json);
    ordered_json rules_json = ordered_json::array();
    for (const RuleResult& r : applyRules(metrics, dev, spec)) {
      ordered_json rule;
      rule["section"] = r.section_id;
      rule["rule"] = r.name;
      rule["type"] = r.type;
      rule["description"] = r.description;
      rule["speedup_type"] = r.speedup_type.empty() ? ordered_json(nullptr) : ordered_json(r.speedup_type);
      rule["speedup_pct"] = r.speedup_type.empty() ? ordered_json(nullptr) : ordered_json(r.speedup);
      rules_json.push_back(std::move(rule));
    }
    j["rules"] = std::move(rules_json);
    kernels.push_back(std::move(j));
  }
  root["kernels"] = std::move(kernels);
  root["warnings"] = run.warnings;
  return root.dump(2) + "\n";
}

}  // namespace gpuscope::profiler
