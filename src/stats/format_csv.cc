// CSV: one header line, then one line per row; numbers plain (no
// separators, full precision), text quoted only where RFC 4180 needs it.
#include <charconv>
#include <cmath>
#include <vector>

#include "stats/cell_text.h"
#include "stats/format.h"

namespace gpuscope::stats {
namespace {

bool needsQuotes(std::string_view s) {
  for (char ch : s) {
    if (ch == ',' || ch == '"' || ch == '\n' || ch == '\r') return true;
  }
  return false;
}

void appendCsvText(std::string_view s, std::string& out) {
  if (!needsQuotes(s)) {
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
  std::string buf;
  for (size_t c = 0; c < nc; ++c) {
    if (c > 0) buf.push_back(',');
    appendCsvText(columnHeader(t.columns()[c], o.time_unit), buf);
  }
  buf.push_back('\n');
  // Per-column writer decided once, not per cell: reports of millions of
  // rows spend their time here. Same text as appendRawNumber.
  enum class Kind : uint8_t { kText, kIntExact, kIntScaled, kDouble };
  std::vector<Kind> kind(nc);
  std::vector<double> div(nc);
  for (size_t c = 0; c < nc; ++c) {
    const Column& col = t.columns()[c];
    div[c] = displayDivisor(col.unit, o.time_unit);
    switch (col.type) {
      case ValueType::kText: kind[c] = Kind::kText; break;
      case ValueType::kInt: kind[c] = div[c] == 1.0 ? Kind::kIntExact : Kind::kIntScaled; break;
      case ValueType::kDouble: kind[c] = Kind::kDouble; break;
    }
  }
  constexpr size_t kChunk = size_t{1} << 20;
  buf.reserve(kChunk + 4096);
  std::vector<size_t> text_cols;
  for (size_t c = 0; c < nc; ++c) {
    if (kind[c] == Kind::kText) text_cols.push_back(c);
  }
  // Rows of summaries are in time order, their names in string-table order:
  // each text is a cache miss for its view and one for its bytes. Fetch the
  // view 2*kAhead rows ahead and the bytes kAhead rows ahead.
  constexpr size_t kAhead = 32;
  auto prefetchRow = [&](size_t row, bool bytes) {
    for (size_t c : text_cols) {
      uint32_t id = t.at(row, c).text;
      if (id == kNullText) continue;
      if (bytes) __builtin_prefetch(t.textSlot(id)->data());
      else __builtin_prefetch(t.textSlot(id));
    }
  };
  for (size_t r = 0; r < nr; ++r) {
    if (!text_cols.empty()) {
      if (r + 2 * kAhead < nr) prefetchRow(r + 2 * kAhead, false);
      if (r + kAhead < nr) prefetchRow(r + kAhead, true);
    }
    for (size_t c = 0; c < nc; ++c) {
      if (c > 0) buf.push_back(',');
      Cell cell = t.at(r, c);
      switch (kind[c]) {
        case Kind::kText:
          if (cell.text != kNullText) appendCsvText(t.text(cell.text), buf);
          break;
        case Kind::kIntExact:
          if (cell.i != kNullInt) {
            char num[32];
            auto res = std::to_chars(num, num + sizeof num, cell.i);
            buf.append(num, static_cast<size_t>(res.ptr - num));
          }
          break;
        case Kind::kIntScaled:
          if (cell.i != kNullInt) appendDouble(static_cast<double>(cell.i) / div[c], buf);
          break;
        case Kind::kDouble:
          if (!std::isnan(cell.d)) appendDouble(cell.d / div[c], buf);
          break;
      }
    }
    buf.push_back('\n');
    if (buf.size() >= kChunk) {
      out.put(buf);
      buf.clear();
    }
  }
  out.put(buf);
}

}  // namespace gpuscope::stats
