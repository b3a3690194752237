// nsys's `column` format: one leading space, two spaces between columns,
// numbers right-aligned, text left-aligned under a centred header, a dashed
// rule under the header. Widths take two passes over the cells so that no
// per-cell string is kept.
#include <algorithm>

#include "stats/cell_text.h"
#include "stats/format.h"

namespace gpuscope::stats {
namespace {

// Python's str.center, which nsys's formatter uses for headers.
std::string center(const std::string& s, size_t width) {
  if (s.size() >= width) return s;
  size_t marg = width - s.size();
  size_t left = marg / 2 + (marg & width & 1);
  return std::string(left, ' ') + s + std::string(marg - left, ' ');
}


}  // namespace

void writeTable(const ReportTable& t, const FormatOptions& o, TextSink& out) {
  if (t.skipped()) {
    out.put(skippedNote(t, o) + "\n");
    return;
  }
  size_t nc = t.columnCount(), nr = t.rowCount();
  std::vector<std::string> headers(nc);
  std::vector<size_t> width(nc);
  for (size_t c = 0; c < nc; ++c) {
    headers[c] = columnHeader(t.columns()[c], o.time_unit);
    width[c] = headers[c].size();
  }
  std::string cell;
  for (size_t r = 0; r < nr; ++r) {
    for (size_t c = 0; c < nc; ++c) {
      cell.clear();
      appendDisplayCell(t, r, c, o.time_unit, cell);
      width[c] = std::max(width[c], cell.size());
    }
  }
  auto isText = [&](size_t c) { return t.columns()[c].type == ValueType::kText; };
  // Trailing spaces are trimmed from every line (nsys pads the last column).
  std::string line;
  auto emit = [&]() {
    size_t end = line.find_last_not_of(' ');
    line.resize(end == std::string::npos ? 0 : end + 1);
    line.push_back('\n');
    out.put(line);
    line.clear();
  };
  for (size_t c = 0; c < nc; ++c) {
    line.append(c == 0 ? " " : "  ");
    if (isText(c)) line.append(center(headers[c], width[c]));
    else line.append(width[c] - headers[c].size(), ' ').append(headers[c]);
  }
  emit();
  for (size_t c = 0; c < nc; ++c) line.append(c == 0 ? " " : "  ").append(width[c], '-');
  emit();
  for (size_t r = 0; r < nr; ++r) {
    for (size_t c = 0; c < nc; ++c) {
      line.append(c == 0 ? " " : "  ");
      cell.clear();
      appendDisplayCell(t, r, c, o.time_unit, cell);
      if (isText(c)) line.append(cell).append(width[c] - cell.size(), ' ');
      else line.append(width[c] - cell.size(), ' ').append(cell);
    }
    emit();
  }
}

}  // namespace gpuscope::stats
