#include "profiler/ncu_csv.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <vector>

#include "profiler/sections.h"

namespace gpuscope::profiler {
namespace {

constexpr std::string_view kHeaderStart = "\"ID\",\"Process ID\"";

// One CSV record: quoted fields ("" inside is a quote) or bare ones (ncu
// leaves the empty rule columns of metric rows unquoted); false for an
// unterminated quote or text after a closing quote.
bool splitRecord(std::string_view line, std::vector<std::string>& out) {
  out.clear();
  size_t i = 0;
  for (;;) {
    std::string f;
    if (i < line.size() && line[i] == '"') {
      ++i;
      for (;;) {
        if (i >= line.size()) return false;  // unterminated field
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            f += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        f += line[i++];
      }
      if (i < line.size() && line[i] != ',') return false;
    } else {
      size_t comma = line.find(',', i);
      size_t end = comma == std::string_view::npos ? line.size() : comma;
      f.assign(line.substr(i, end - i));
      if (f.find('"') != std::string::npos) return false;
      i = end;
    }
    out.push_back(std::move(f));
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

bool parseInt(const std::string& s, int64_t& v) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  long long x = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  v = x;
  return true;
}

// ncu's values keep thousands separators ("1,582,966,330.20"); n/a and an
// empty cell are "not collected" (NaN, stored as NULL).
bool parseValue(std::string s, double& v) {
  if (s.empty() || s == "n/a") {
    v = NAN;
    return true;
  }
  std::erase(s, ',');
  char* end = nullptr;
  errno = 0;
  v = std::strtod(s.c_str(), &end);
  return errno == 0 && end != s.c_str() && *end == '\0' && std::isfinite(v);
}

struct Columns {
  int id = -1, pid = -1, process = -1, name = -1, context = -1, stream = -1, device = -1, section = -1,
      metric = -1, unit = -1, value = -1;
  // Rule rows (ncu 2023.1 and later; older versions lack these columns).
  int rule = -1, rule_type = -1, rule_text = -1, speedup_type = -1, speedup = -1;
  size_t count = 0;   // header fields
  size_t needed = 0;  // fields up to the last column read
};

Columns columnsOf(const std::vector<std::string>& header) {
  Columns c;
  c.count = header.size();
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string& h = header[i];
    int* slot = h == "ID" ? &c.id : h == "Process ID" ? &c.pid : h == "Process Name" ? &c.process
              : h == "Kernel Name" ? &c.name : h == "Context" ? &c.context : h == "Stream" ? &c.stream
              : h == "Device" ? &c.device : h == "Section Name" ? &c.section : h == "Metric Name" ? &c.metric
              : h == "Metric Unit" ? &c.unit : h == "Metric Value" ? &c.value : h == "Rule Name" ? &c.rule
              : h == "Rule Type" ? &c.rule_type : h == "Rule Description" ? &c.rule_text
              : h == "Estimated Speedup Type" ? &c.speedup_type : h == "Estimated Speedup" ? &c.speedup : nullptr;
    if (slot != nullptr && *slot < 0) *slot = static_cast<int>(i);
  }
  return c;
}

bool isCommandLineSection(std::string_view s) { return s.starts_with("Command line profiler metric"); }

}  // namespace

bool looksLikeNcuCsv(std::string_view head) {
  size_t pos = 0;
  while (pos < head.size()) {
    size_t nl = head.find('\n', pos);
    std::string_view line = head.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (line.starts_with(kHeaderStart)) return true;
    if (!line.starts_with("==") && !line.empty() && line[0] == '"') return false;  // another CSV
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

StatusOr<model::Trace> importNcuCsv(std::string_view text, const std::string& path) {
  model::Trace t;
  auto& m = t.kernel_metrics;
  // Section display name -> (id, label -> metric).
  std::map<std::string, const Section*, std::less<>> by_display;
  for (const Section& s : allSections()) by_display.emplace(s.display_name, &s);
  std::map<int64_t, std::string> processes;

  Columns cols;
  bool have_header = false;
  std::vector<std::string> f;
  size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] != '"') continue;  // ==PROF== lines, the program's own output
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    if (!splitRecord(line, f)) return InvalidInput(where + "not a CSV record (unterminated or misplaced quote)");
    if (!have_header) {
      if (!line.starts_with(kHeaderStart))
        return InvalidInput(where + "expected ncu's --csv header (\"ID\",\"Process ID\",...)");
      cols = columnsOf(f);
      for (int c : {cols.id, cols.pid, cols.process, cols.name, cols.context, cols.stream, cols.device, cols.section,
                    cols.metric, cols.unit, cols.value})
        cols.needed = std::max(cols.needed, static_cast<size_t>(c + 1));
      if (cols.id < 0 || cols.pid < 0 || cols.name < 0 || cols.section < 0 || cols.metric < 0 || cols.unit < 0 ||
          cols.value < 0)
        return InvalidInput(where + "the header lacks a column of ncu's details page (ID, Process ID, Kernel "
                                    "Name, Section Name, Metric Name, Metric Unit, Metric Value); --page raw "
                                    "output is not read");
      have_header = true;
      continue;
    }
    // ncu ends metric rows after the value (one trailing comma), before the
    // rule columns: fewer fields than the header are fine if the needed ones
    // are there.
    if (f.size() < cols.needed || f.size() > cols.count)
      return InvalidInput(where + "expected " + std::to_string(cols.needed) + " to " + std::to_string(cols.count) +
                          " fields, got " + std::to_string(f.size()));
    const std::string& label = f[size_t(cols.metric)];
    if (label.empty()) {
      // A rule row: the section id in Section Name, the metric columns
      // empty, the rule in the last five.
      auto field = [&](int c) { return c >= 0 && size_t(c) < f.size() ? f[size_t(c)] : std::string(); };
      if (field(cols.rule).empty()) continue;
      model::KernelRuleTable::Row r;
      if (!parseInt(f[size_t(cols.id)], r.kernel_id) || !parseInt(f[size_t(cols.pid)], r.pid))
        return InvalidInput(where + "ID and Process ID must be integers");
      if (!parseValue(field(cols.speedup), r.speedup))
        return InvalidInput(where + "Estimated Speedup '" + field(cols.speedup) + "' is not a number");
      r.name = t.strings.intern(f[size_t(cols.name)]);
      r.section = t.strings.intern(f[size_t(cols.section)]);
      r.rule = t.strings.intern(field(cols.rule));
      r.type = t.strings.intern(field(cols.rule_type));
      r.description = t.strings.intern(field(cols.rule_text));
      r.speedup_type = t.strings.intern(field(cols.speedup_type));
      t.kernel_rules.push(r);
      continue;
    }
    model::KernelMetricTable::Row r;
    if (!parseInt(f[size_t(cols.id)], r.kernel_id) || !parseInt(f[size_t(cols.pid)], r.pid))
      return InvalidInput(where + "ID and Process ID must be integers");
    int64_t v = 0;
    if (cols.device >= 0 && parseInt(f[size_t(cols.device)], v)) r.device_id = static_cast<int32_t>(v);
    if (cols.context >= 0 && parseInt(f[size_t(cols.context)], v)) r.context_id = v;
    if (cols.stream >= 0 && parseInt(f[size_t(cols.stream)], v)) r.stream_id = v;
    if (!parseValue(f[size_t(cols.value)], r.value)) {
      // A few rows hold words, not numbers (Launch Statistics' "Cluster
      // Scheduling Policy": PolicySpread), always without a unit; the
      // table holds numbers, so they are left out. With a unit, the value
      // must be a number.
      if (f[size_t(cols.unit)].empty()) continue;
      return InvalidInput(where + "Metric Value '" + f[size_t(cols.value)] + "' is not a number or n/a");
    }
    const std::string& section = f[size_t(cols.section)];
    std::string metric, section_id = section;
    if (isCommandLineSection(section)) {
      metric = label;  // --metrics rows are named by the metric itself
      section_id.clear();
    } else if (auto it = by_display.find(section); it != by_display.end()) {
      section_id = it->second->id;
      for (const MetricRow& row : it->second->rows)
        if (row.label == label) {
          metric = row.metric;
          break;
        }
    }
    r.name = t.strings.intern(f[size_t(cols.name)]);
    r.section = t.strings.intern(section_id);
    r.label = t.strings.intern(label);
    r.metric = t.strings.intern(metric);
    r.unit = t.strings.intern(f[size_t(cols.unit)]);
    m.push(r);
    if (cols.process >= 0) processes.emplace(r.pid, f[size_t(cols.process)]);
  }
  if (!have_header) return InvalidInput(path + ": no ncu --csv header line (\"ID\",\"Process ID\",...)");
  for (const auto& [pid, name] : processes) t.processes.push({pid, t.strings.intern(name)});
  return t;
}

}  // namespace gpuscope::profiler
