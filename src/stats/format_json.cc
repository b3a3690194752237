// JSON: {"report": name, "title": ..., "rows": [{header: value, ...}]},
// or {"report", "title", "skipped": note}; streamed, never a DOM. Values
// are those of the csv format; NULL is null.
#include "stats/cell_text.h"
#include "stats/format.h"

namespace gpuscope::stats {
namespace {

void appendJsonString(std::string_view s, std::string& out) {
  static const char* kHex = "0123456789abcdef";
  out.push_back('"');
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (ch < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[ch >> 4]);
          out.push_back(kHex[ch & 15]);
        } else {
          out.push_back(static_cast<char>(ch));
        }
    }
  }
  out.push_back('"');
}

}  // namespace

void writeJson(const ReportTable& t, const FormatOptions& o, TextSink& out) {
  std::string line = "{\"report\": ";
  appendJsonString(t.name(), line);
  line.append(", \"title\": ");
  appendJsonString(t.title(), line);
  if (t.skipped()) {
    line.append(", \"skipped\": ");
    appendJsonString(skippedNote(t, o), line);
    line.append("}");
    out.put(line);
    return;
  }
  size_t nc = t.columnCount(), nr = t.rowCount();
  std::vector<std::string> keys(nc);
  for (size_t c = 0; c < nc; ++c) {
    appendJsonString(columnHeader(t.columns()[c], o.time_unit), keys[c]);
    keys[c].append(": ");
  }
  line.append(", \"rows\": [");
  out.put(line);
  for (size_t r = 0; r < nr; ++r) {
    line.assign(r == 0 ? "\n  {" : ",\n  {");
    for (size_t c = 0; c < nc; ++c) {
      if (c > 0) line.append(", ");
      line.append(keys[c]);
      if (t.isNull(r, c)) {
        line.append("null");
      } else if (t.columns()[c].type == ValueType::kText) {
        appendJsonString(t.textAt(r, c), line);
      } else {
        appendRawNumber(t, r, c, o.time_unit, line);
      }
    }
    line.push_back('}');
    out.put(line);
  }
  out.put(nr == 0 ? "]}" : "\n]}");
}

}  // namespace gpuscope::stats
