// CSV: one header line, then one line per row; numbers plain (no
// separators, full precision), text quoted only where RFC 4180 needs it.
#include "stats/cell_text.h"
#include "stats/format.h"

namespace gpuscope::stats {
namespace {

void appendCsvText(std::string_view s, std::string& out) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char ch : s) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
}

}  // namespace

void writeCsv(const ReportTable& t, const FormatOptions& o, TextSink& out) {
  if (t.skipped()) {
    out.put(skippedNote(t, o) + "\n");
    return;
  }
  size_t nc = t.columnCount(), nr = t.rowCount();
  std::string line;
  for (size_t c = 0; c < nc; ++c) {
    if (c > 0) line.push_back(',');
    appendCsvText(columnHeader(t.columns()[c], o.time_unit), line);
  }
  line.push_back('\n');
  out.put(line);
  for (size_t r = 0; r < nr; ++r) {
    line.clear();
    for (size_t c = 0; c < nc; ++c) {
      if (c > 0) line.push_back(',');
      if (t.columns()[c].type == ValueType::kText) {
        if (!t.isNull(r, c)) appendCsvText(t.textAt(r, c), line);
      } else {
        appendRawNumber(t, r, c, o.time_unit, line);
      }
    }
    line.push_back('\n');
    out.put(line);
  }
}

}  // namespace gpuscope::stats
