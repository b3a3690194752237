#include "profiler/options.h"

#include <regex>

#include "profiler/sections.h"

namespace gpuscope::profiler {

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    size_t b = item.find_first_not_of(" \t");
    size_t e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    start = end + 1;
  }
  return out;
}

std::vector<std::string> setSections(std::string_view name) {
  std::vector<std::string> out;
  if (name != "basic" && name != "detailed" && name != "full") return out;
  out = {"SpeedOfLight", "LaunchStats", "Occupancy"};
  if (name == "basic") return out;
  for (const char* s : {"ComputeWorkloadAnalysis", "MemoryWorkloadAnalysis", "Roofline"}) out.push_back(s);
  if (name == "detailed") return out;
  for (const char* s : {"SchedulerStats", "WarpStateStats"}) out.push_back(s);
  return out;
}

Status validateOptions(KernelsOptions& o) {
  // CLI11 splits on ',' already; a programmatic caller may pass "a,b".
  auto flatten = [](std::vector<std::string>& v) {
    std::vector<std::string> out;
    for (const std::string& s : v)
      for (std::string& item : splitList(s)) out.push_back(std::move(item));
    v = std::move(out);
  };
  flatten(o.sections);
  flatten(o.metrics);
  if (!o.set.empty()) {
    std::vector<std::string> sections = setSections(o.set);
    if (sections.empty())
      return InvalidInput("--set: unknown set '" + o.set + "' (known: basic, detailed, full)");
    for (const std::string& s : o.sections) {
      const Section* asked = findSection(s);
      bool have = false;
      for (const std::string& t : sections) have = have || (asked && findSection(t) == asked);
      if (!have) sections.push_back(s);  // unknown ones too: reported below
    }
    o.sections = std::move(sections);
  }
  if (o.sections.empty() && o.metrics.empty())
    o.sections = {"SpeedOfLight", "LaunchStats", "Occupancy"};  // ncu's basic set
  for (const std::string& s : o.sections) {
    if (!findSection(s)) {
      std::string known;
      for (const Section& sec : allSections()) known += (known.empty() ? "" : ", ") + sec.id;
      return InvalidInput("--section: unknown section '" + s + "' (known: " + known + ")");
    }
  }
  for (const std::string& m : o.metrics) {
    if (isDerivedMetric(m)) continue;
    if (m.starts_with("launch__") || m.starts_with("derived__"))
      return InvalidInput("--metrics: unsupported metric '" + m +
                          "': gpuscope computes only the launch__/derived__ metrics its sections "
                          "show (see docs/kernels.md)");
    if (!looksLikeCuptiMetric(m))
      return InvalidInput("--metrics: '" + m +
                          "' is not a metric name (expected unit__quantity.rollup[.submetric], "
                          "e.g. dram__bytes_read.sum)");
  }
  if (!o.kernel_name_regex.empty()) {
    std::string re = o.kernel_name_regex;
    if (re.starts_with("regex:")) re = re.substr(6);
    try {
      std::regex check(re);
    } catch (const std::regex_error& e) {
      return InvalidInput("--kernel-name: bad regular expression '" + re + "': " + e.what());
    }
  }
  if (o.launch_skip < 0) return InvalidInput("--launch-skip: must be >= 0");
  if (o.launch_count == 0 || o.launch_count < -1)
    return InvalidInput("--launch-count: must be >= 1");
  if (o.cache_control != "all" && o.cache_control != "none")
    return InvalidInput("--cache-control: expected all or none, got '" + o.cache_control + "'");
  if (o.clock_control != "base" && o.clock_control != "none")
    return InvalidInput("--clock-control: expected base or none, got '" + o.clock_control + "'");
  if (o.print_summary != "none" && o.print_summary != "per-kernel")
    return InvalidInput("--print-summary: expected none or per-kernel, got '" + o.print_summary +
                        "' (ncu's per-gpu and per-nvtx are not supported)");
  if (o.print_summary == "per-kernel" && o.format != OutputFormat::kConsole)
    return InvalidInput("--print-summary per-kernel: console output only (--csv and --json list every launch)");
  if (o.command.empty()) return InvalidInput("kernels: no command given (gpuscope kernels -- CMD ARGS)");
  return OkStatus();
}

}  // namespace gpuscope::profiler
