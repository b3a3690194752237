#include "explore/table.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace gpuscope::explore {

bool parseOutputFormat(const std::string& s, OutputFormat& out) {
  if (s == "table") out = OutputFormat::kTable;
  else if (s == "csv") out = OutputFormat::kCsv;
  else if (s == "json") out = OutputFormat::kJson;
  else return false;
  return true;
}

std::string formatNumber(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{:.6g}", v);
}

namespace {

std::string cellText(const Cell& c) {
  if (auto* s = std::get_if<std::string>(&c)) return *s;
  if (auto* i = std::get_if<int64_t>(&c)) return std::to_string(*i);
  return formatNumber(std::get<double>(c));
}

nlohmann::ordered_json tableJson(const Table& t) {
  auto rows = nlohmann::ordered_json::array();
  for (const auto& r : t.rows) {
    nlohmann::ordered_json o;
    for (size_t i = 0; i < t.columns.size() && i < r.size(); ++i)
      std::visit([&](const auto& v) { o[t.columns[i]] = v; }, r[i]);
    rows.push_back(std::move(o));
  }
  return rows;
}

// Display width in code points, so UTF-8 names keep columns aligned.
size_t displayWidth(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string csvEscape(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string renderTable(const Table& t, OutputFormat f) {
  std::string out;
  if (f == OutputFormat::kJson) return tableJson(t).dump(2) + "\n";
  if (f == OutputFormat::kCsv) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (i) out += ',';
      out += csvEscape(t.columns[i]);
    }
    out += "\n";
    for (const auto& r : t.rows) {
      for (size_t i = 0; i < r.size(); ++i) {
        if (i) out += ',';
        out += csvEscape(cellText(r[i]));
      }
      out += "\n";
    }
    return out;
  }
  std::vector<size_t> w(t.columns.size());
  for (size_t i = 0; i < w.size(); ++i) w[i] = displayWidth(t.columns[i]);
  std::vector<std::vector<std::string>> text;
  text.reserve(t.rows.size());
  for (const auto& r : t.rows) {
    auto& line = text.emplace_back();
    for (size_t i = 0; i < r.size() && i < w.size(); ++i) {
      line.push_back(cellText(r[i]));
      w[i] = std::max(w[i], displayWidth(line.back()));
    }
  }
  auto pad = [](const std::string& s, size_t width, bool right) {
    std::string fill(width - std::min(width, displayWidth(s)), ' ');
    return right ? fill + s : s + fill;
  };
  if (!t.title.empty()) out += t.title + "\n";
  std::vector<bool> numeric(w.size(), false);
  if (!t.rows.empty())
    for (size_t i = 0; i < w.size() && i < t.rows[0].size(); ++i)
      numeric[i] = !std::holds_alternative<std::string>(t.rows[0][i]);
  for (size_t i = 0; i < w.size(); ++i) {
    if (i) out += "  ";
    out += pad(t.columns[i], w[i], numeric[i]);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += "\n";
  for (size_t i = 0; i < w.size(); ++i) {
    if (i) out += "  ";
    out += std::string(w[i], '-');
  }
  out += "\n";
  for (const auto& line : text) {
    std::string l;
    for (size_t i = 0; i < line.size(); ++i) {
      if (i) l += "  ";
      l += pad(line[i], w[i], numeric[i]);
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  }
  return out;
}

std::string renderTables(const std::vector<Table>& ts, OutputFormat f) {
  if (f == OutputFormat::kJson) {
    nlohmann::ordered_json o;
    for (const auto& t : ts) o[t.title] = tableJson(t);
    return o.dump(2) + "\n";
  }
  std::string out;
  for (size_t i = 0; i < ts.size(); ++i) {
    if (i) out += "\n";
    if (f == OutputFormat::kCsv && !ts[i].title.empty()) out += "# " + ts[i].title + "\n";
    out += renderTable(ts[i], f);
  }
  return out;
}

}  // namespace gpuscope::explore
