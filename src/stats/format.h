// Formatters for ReportTables, kept apart from the reports (as Google
// Benchmark keeps reporters apart from runs): table (nsys's aligned
// `column` format), csv and json. Units are applied here: durations and
// timestamps scaled by --timeunit, sizes shown in MB (1e6 bytes),
// throughputs in MB/s.
#pragma once

#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "stats/report_table.h"

namespace gpuscope::stats {

enum class OutputFormat { kTable, kCsv, kJson };
enum class TimeUnit { kNs, kUs, kMs, kSec };

StatusOr<OutputFormat> parseOutputFormat(std::string_view s);  // table|column|csv|json
StatusOr<TimeUnit> parseTimeUnit(std::string_view s);          // ns|us|ms|sec (and nsec, usec, msec, s)
std::string_view fileExtension(OutputFormat f);                  // "txt", "csv", "json"

struct FormatOptions {
  OutputFormat format = OutputFormat::kTable;
  TimeUnit time_unit = TimeUnit::kNs;
  std::string source_name;  // the input file, for "SKIPPED: <file> does not contain ..."
};

// Buffered text output to a FILE* or a string.
class TextSink {
 public:
  explicit TextSink(std::FILE* file) : file_(file) {}
  explicit TextSink(std::string* out) : out_(out) {}
  TextSink(const TextSink&) = delete;
  TextSink& operator=(const TextSink&) = delete;
  ~TextSink() { flush(); }
  void put(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= (1u << 20)) flush();
  }
  void put(char c) { buf_.push_back(c); }
  void flush();

 private:
  std::FILE* file_ = nullptr;
  std::string* out_ = nullptr;
  std::string buf_;
};

// Column header as shown: label plus unit, e.g. "Total Time (ns)", "Total (MB)".
std::string columnHeader(const Column& c, TimeUnit unit);
// "SKIPPED: <file> does not contain CUDA kernel data."
std::string skippedNote(const ReportTable& t, const FormatOptions& o);

// One report's body in the chosen format (a SKIPPED note if it has no data).
void writeTable(const ReportTable& t, const FormatOptions& o, TextSink& out);
void writeCsv(const ReportTable& t, const FormatOptions& o, TextSink& out);
void writeJson(const ReportTable& t, const FormatOptions& o, TextSink& out);
void writeReport(const ReportTable& t, const FormatOptions& o, TextSink& out);

// Several reports to one stream: table and csv put each under a heading
// line " ** CUDA API Summary (cuda_api_sum):"; json writes one array.
void writeReports(std::span<const ReportTable> tables, const FormatOptions& o, TextSink& out);

// Convenience for tests.
std::string formatReport(const ReportTable& t, const FormatOptions& o);

}  // namespace gpuscope::stats
