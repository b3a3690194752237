#include "stats/cell_text.h"

#include <charconv>
#include <cstdio>

namespace gpuscope::stats {
namespace {

// Appends `digits` (optionally signed, optionally with a fraction) with a
// comma between each group of three integer digits.
void appendGrouped(const char* s, size_t n, std::string& out) {
  size_t i = 0;
  if (i < n && s[i] == '-') out.push_back(s[i++]);
  size_t int_end = i;
  while (int_end < n && s[int_end] >= '0' && s[int_end] <= '9') ++int_end;
  size_t int_len = int_end - i;
  for (size_t k = 0; k < int_len; ++k) {
    if (k > 0 && (int_len - k) % 3 == 0) out.push_back(',');
    out.push_back(s[i + k]);
  }
  out.append(s + int_end, n - int_end);
}

void appendFixed(double v, int decimals, std::string& out) {
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  if (n < 0) return;
  if (buf[0] == '-') {  // no "-0.0"
    bool all_zero = true;
    for (int i = 1; i < n; ++i) all_zero = all_zero && (buf[i] == '0' || buf[i] == '.');
    if (all_zero) {
      appendGrouped(buf + 1, static_cast<size_t>(n - 1), out);
      return;
    }
  }
  appendGrouped(buf, static_cast<size_t>(n), out);
}

void appendInt(int64_t v, std::string& out) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  appendGrouped(buf, static_cast<size_t>(r.ptr - buf), out);
}

}  // namespace

double displayDivisor(Unit unit, TimeUnit time_unit) {
  switch (unit) {
    case Unit::kDurNs:
    case Unit::kTsNs:
      switch (time_unit) {
        case TimeUnit::kNs: return 1.0;
        case TimeUnit::kUs: return 1e3;
        case TimeUnit::kMs: return 1e6;
        case TimeUnit::kSec: return 1e9;
      }
      return 1.0;
    case Unit::kMemB:
    case Unit::kThruB: return 1e6;  // nsys: MB = 1,000,000 bytes
    default: return 1.0;
  }
}

void appendDisplayCell(const ReportTable& t, size_t row, size_t col, TimeUnit time_unit, std::string& out) {
  if (t.isNull(row, col)) return;
  const Column& c = t.columns()[col];
  if (c.type == ValueType::kText) {
    out.append(t.textAt(row, col));
    return;
  }
  bool is_int = c.type == ValueType::kInt;
  double v = is_int ? static_cast<double>(t.intAt(row, col)) : t.doubleAt(row, col);
  switch (c.unit) {
    case Unit::kDurNs:
    case Unit::kTsNs:
      if (time_unit == TimeUnit::kNs) {
        if (is_int) appendInt(t.intAt(row, col), out);
        else appendFixed(v, 1, out);
      } else {
        appendFixed(v / displayDivisor(c.unit, time_unit), 4, out);
      }
      return;
    case Unit::kMemB:
    case Unit::kThruB: appendFixed(v / 1e6, 3, out); return;
    case Unit::kRatio: appendFixed(v, 1, out); return;
    case Unit::kCount:
    case Unit::kText:
      if (is_int) appendInt(t.intAt(row, col), out);
      else appendFixed(v, 1, out);
      return;
  }
}

char* writeDouble(double v, char* out) {
  // Fast path, same text: a whole number below 2^52 whose last digit is not
  // 0 has exactly its integer digits as shortest round-trip form, and fixed
  // notation is shorter than scientific for it, so to_chars(double) would
  // write the integer. (Averages and medians of single calls are such
  // values; shortest-double conversion dominated writing big reports.)
  if (v > -4503599627370496.0 && v < 4503599627370496.0) {
    auto i = static_cast<int64_t>(v);
    if (static_cast<double>(i) == v && i % 10 != 0) {
      char* end = std::to_chars(out, out + 24, i).ptr;
      end[0] = '.';
      end[1] = '0';
      return end + 2;
    }
  }
  char* end = std::to_chars(out, out + kMaxDoubleText - 2, v).ptr;
  std::string_view s(out, static_cast<size_t>(end - out));
  if (s.find_first_of(".eEn") == std::string_view::npos) {
    end[0] = '.';
    end[1] = '0';
    end += 2;
  }
  return end;
}

void appendDouble(double v, std::string& out) {
  char buf[kMaxDoubleText];
  out.append(buf, static_cast<size_t>(writeDouble(v, buf) - buf));
}

bool appendRawNumber(const ReportTable& t, size_t row, size_t col, TimeUnit time_unit, std::string& out) {
  if (t.isNull(row, col)) return false;
  const Column& c = t.columns()[col];
  double div = displayDivisor(c.unit, time_unit);
  if (c.type == ValueType::kInt) {
    if (div == 1.0) {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, t.intAt(row, col));
      out.append(buf, static_cast<size_t>(r.ptr - buf));
    } else {
      appendDouble(static_cast<double>(t.intAt(row, col)) / div, out);
    }
    return true;
  }
  appendDouble(t.doubleAt(row, col) / div, out);
  return true;
}

}  // namespace gpuscope::stats
