// A small typed table for explore's outputs, printed as aligned text, CSV or
// JSON (--format table|csv|json). Reports build a table and never print.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace gpuscope::explore {

using Cell = std::variant<std::string, double, int64_t>;

struct Table {
  std::string title;
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
};

enum class OutputFormat { kTable, kCsv, kJson };

bool parseOutputFormat(const std::string& s, OutputFormat& out);
std::string renderTable(const Table& t, OutputFormat f);
// Several tables in one output (JSON: an object keyed by title).
std::string renderTables(const std::vector<Table>& ts, OutputFormat f);
std::string csvEscape(const std::string& s);
std::string formatNumber(double v);  // up to 6 significant digits, no exponent for usual ranges

}  // namespace gpuscope::explore
