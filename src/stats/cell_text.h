// How one cell is written: for people (table: thousands separators, fixed
// decimals like nsys's column format) and for machines (csv/json: plain
// numbers, doubles in shortest round-trip form).
#pragma once

#include <string>

#include "stats/format.h"
#include "stats/report_table.h"

namespace gpuscope::stats {

// Divisor from stored units (ns, bytes, bytes/s) to displayed units.
double displayDivisor(Unit unit, TimeUnit time_unit);

// Appends the table text of a cell ("" for NULL).
void appendDisplayCell(const ReportTable& t, size_t row, size_t col, TimeUnit time_unit, std::string& out);

// Appends the machine text of a numeric cell: integers exactly when no
// scaling applies, otherwise the scaled double. NULL appends nothing and
// returns false.
bool appendRawNumber(const ReportTable& t, size_t row, size_t col, TimeUnit time_unit, std::string& out);

// Shortest round-trip text of a double, with ".0" kept for whole numbers.
void appendDouble(double v, std::string& out);
// The same text written at `out`, which has room for kMaxDoubleText bytes;
// returns the end.
inline constexpr size_t kMaxDoubleText = 40;
char* writeDouble(double v, char* out);

}  // namespace gpuscope::stats
