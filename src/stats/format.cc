#include "stats/format.h"

namespace gpuscope::stats {

void TextSink::flush() {
  if (buf_.empty()) return;
  if (out_ != nullptr) {
    out_->append(buf_);
  } else if (file_ != nullptr) {
    std::fwrite(buf_.data(), 1, buf_.size(), file_);  // errors surface via ferror / commit
  }
  buf_.clear();
}

StatusOr<OutputFormat> parseOutputFormat(std::string_view s) {
  if (s == "table" || s == "column") return OutputFormat::kTable;
  if (s == "csv") return OutputFormat::kCsv;
  if (s == "json") return OutputFormat::kJson;
  return InvalidInput("--format: expected table, csv or json, got '" + std::string(s) + "'");
}

StatusOr<TimeUnit> parseTimeUnit(std::string_view s) {
  if (s == "ns" || s == "nsec") return TimeUnit::kNs;
  if (s == "us" || s == "usec") return TimeUnit::kUs;
  if (s == "ms" || s == "msec") return TimeUnit::kMs;
  if (s == "sec" || s == "s" || s == "seconds") return TimeUnit::kSec;
  return InvalidInput("--timeunit: expected ns, us, ms or sec, got '" + std::string(s) + "'");
}

std::string_view fileExtension(OutputFormat f) {
  switch (f) {
    case OutputFormat::kTable: return "txt";
    case OutputFormat::kCsv: return "csv";
    case OutputFormat::kJson: return "json";
  }
  return "txt";
}

std::string columnHeader(const Column& c, TimeUnit unit) {
  switch (c.unit) {
    case Unit::kDurNs:
    case Unit::kTsNs:
      switch (unit) {
        case TimeUnit::kNs: return c.label + " (ns)";
        case TimeUnit::kUs: return c.label + " (us)";
        case TimeUnit::kMs: return c.label + " (ms)";
        case TimeUnit::kSec: return c.label + " (sec)";
      }
      break;
    case Unit::kMemB: return c.label + " (MB)";
    case Unit::kThruB: return c.label + " (MBps)";
    case Unit::kRatio: return c.label + " (%)";
    case Unit::kCount:
    case Unit::kText: break;
  }
  return c.label;
}

std::string skippedNote(const ReportTable& t, const FormatOptions& o) {
  return "SKIPPED: " + (o.source_name.empty() ? std::string("the trace") : o.source_name) + " " +
         t.skipped().value_or("has no data") + ".";
}

void writeReport(const ReportTable& t, const FormatOptions& o, TextSink& out) {
  switch (o.format) {
    case OutputFormat::kTable: writeTable(t, o, out); break;
    case OutputFormat::kCsv: writeCsv(t, o, out); break;
    case OutputFormat::kJson:
      writeJson(t, o, out);
      out.put('\n');
      break;
  }
}

void writeReports(std::span<const ReportTable> tables, const FormatOptions& o, TextSink& out) {
  if (o.format == OutputFormat::kJson) {
    out.put("[\n");
    for (size_t i = 0; i < tables.size(); ++i) {
      if (i > 0) out.put(",\n");
      writeJson(tables[i], o, out);
    }
    out.put("\n]\n");
    return;
  }
  for (size_t i = 0; i < tables.size(); ++i) {
    if (i > 0) out.put('\n');
    out.put(" ** " + tables[i].title() + " (" + tables[i].name() + "):\n\n");
    writeReport(tables[i], o, out);
  }
}

std::string formatReport(const ReportTable& t, const FormatOptions& o) {
  std::string s;
  {
    TextSink sink(&s);
    writeReport(t, o, sink);
  }
  return s;
}

}  // namespace gpuscope::stats
