// CSV: one header line, then one line per row; numbers plain (no
// separators, full precision), text quoted only where RFC 4180 needs it.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>
#include <thread>
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

// Writes rows of a table as CSV lines. The writer of each column is decided
// once, not per cell (reports of millions of rows spend their time here),
// and cells are written straight into the output buffer, which is grown
// once per row for its numbers and once per cell for a text. Same text as
// appendRawNumber.
class RowWriter {
 public:
  RowWriter(const ReportTable& t, TimeUnit unit) : t_(t), nc_(t.columnCount()), kind_(nc_), div_(nc_) {
    for (size_t c = 0; c < nc_; ++c) {
      const Column& col = t.columns()[c];
      div_[c] = displayDivisor(col.unit, unit);
      switch (col.type) {
        case ValueType::kText: kind_[c] = Kind::kText; break;
        case ValueType::kInt: kind_[c] = div_[c] == 1.0 ? Kind::kIntExact : Kind::kIntScaled; break;
        case ValueType::kDouble: kind_[c] = Kind::kDouble; break;
      }
      if (kind_[c] == Kind::kText) text_cols_.push_back(c);
    }
  }

  // Rows [first, last) into `out` (replacing its content).
  void write(size_t first, size_t last, std::string& out) const {
    constexpr size_t kCellMax = kMaxDoubleText + 1;  // a number with its comma
    out.resize(std::max<size_t>(out.capacity(), 1 << 16));
    char* p = out.data();
    char* limit = p + out.size();
    auto room = [&](size_t n) {
      if (static_cast<size_t>(limit - p) >= n) return;
      size_t used = static_cast<size_t>(p - out.data());
      out.resize(std::max(2 * out.size(), used + n));
      p = out.data() + used;
      limit = out.data() + out.size();
    };
    for (size_t r = first; r < last; ++r) {
      if (!text_cols_.empty()) {
        if (r + 2 * kAhead < last) prefetchRow(r + 2 * kAhead, false);
        if (r + kAhead < last) prefetchRow(r + kAhead, true);
      }
      room(nc_ * kCellMax + 1);
      for (size_t c = 0; c < nc_; ++c) {
        if (c > 0) *p++ = ',';
        Cell cell = t_.at(r, c);
        switch (kind_[c]) {
          case Kind::kText: {
            if (cell.text == kNullText) break;
            std::string_view s = t_.text(cell.text);
            room(2 * s.size() + 2 + (nc_ - c) * kCellMax + 1);
            if (!needsQuotes(s)) {
              std::memcpy(p, s.data(), s.size());
              p += s.size();
            } else {
              *p++ = '"';
              for (char ch : s) {
                if (ch == '"') *p++ = '"';
                *p++ = ch;
              }
              *p++ = '"';
            }
            break;
          }
          case Kind::kIntExact:
            if (cell.i != kNullInt) p = std::to_chars(p, p + kCellMax, cell.i).ptr;
            break;
          case Kind::kIntScaled:
            if (cell.i != kNullInt) p = writeDouble(static_cast<double>(cell.i) / div_[c], p);
            break;
          case Kind::kDouble:
            if (!std::isnan(cell.d)) p = writeDouble(cell.d / div_[c], p);
            break;
        }
      }
      *p++ = '\n';
    }
    out.resize(static_cast<size_t>(p - out.data()));
  }

 private:
  enum class Kind : uint8_t { kText, kIntExact, kIntScaled, kDouble };
  // Rows of summaries are in time order, their names in string-table order:
  // each text is a cache miss for its view and one for its bytes. Fetch the
  // view 2*kAhead rows ahead and the bytes kAhead rows ahead.
  static constexpr size_t kAhead = 32;
  void prefetchRow(size_t row, bool bytes) const {
    for (size_t c : text_cols_) {
      uint32_t id = t_.at(row, c).text;
      if (id == kNullText) continue;
      if (bytes) __builtin_prefetch(t_.textSlot(id)->data());
      else __builtin_prefetch(t_.textSlot(id));
    }
  }

  const ReportTable& t_;
  size_t nc_;
  std::vector<Kind> kind_;
  std::vector<double> div_;
  std::vector<size_t> text_cols_;
};

}  // namespace

void writeCsv(const ReportTable& t, const FormatOptions& o, TextSink& out) {
  if (t.skipped()) {
    out.put(skippedNote(t, o) + "\n");
    return;
  }
  size_t nc = t.columnCount(), nr = t.rowCount();
  std::string header;
  for (size_t c = 0; c < nc; ++c) {
    if (c > 0) header.push_back(',');
    appendCsvText(columnHeader(t.columns()[c], o.time_unit), header);
  }
  header.push_back('\n');
  out.put(header);

  // Rows in chunks; large tables are formatted a few chunks at a time on as
  // many threads, and the chunks written in order.
  const RowWriter writer(t, o.time_unit);
  constexpr size_t kChunkRows = size_t{1} << 14;
  const size_t chunks = (nr + kChunkRows - 1) / kChunkRows;
  const size_t cores = std::thread::hardware_concurrency();
  const size_t lanes = chunks >= 8 ? std::min<size_t>({cores, 4, chunks}) : 1;
  std::vector<std::string> bufs(std::max<size_t>(lanes, 1));
  auto format = [&](size_t chunk, std::string& buf) {
    writer.write(chunk * kChunkRows, std::min(nr, (chunk + 1) * kChunkRows), buf);
  };
  for (size_t first = 0; first < chunks; first += bufs.size()) {
    size_t n = std::min(bufs.size(), chunks - first);
    std::vector<std::thread> helpers;
    size_t inline_from = 1;
    for (size_t j = 1; j < n; ++j) {
      try {
        helpers.emplace_back([&, j] { format(first + j, bufs[j]); });
      } catch (const std::system_error&) {
        break;  // no thread to be had: this thread formats the rest
      }
      inline_from = j + 1;
    }
    format(first, bufs[0]);
    for (size_t j = inline_from; j < n; ++j) format(first + j, bufs[j]);
    for (std::thread& h : helpers) h.join();
    for (size_t j = 0; j < n; ++j) out.put(bufs[j]);
  }
}

}  // namespace gpuscope::stats
