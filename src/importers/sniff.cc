// Format detection by content (registry.h). Magic numbers first, then the
// first non-blank character: a Chrome/Kineto trace is a JSON object
// ({"traceEvents": ...}) or, in the older form, a bare array of events.
#include "importers/sniff.h"

#include "base/gzip.h"
#include "importers/registry.h"

namespace gpuscope::importers {

std::string_view formatName(Format f) {
  switch (f) {
    case Format::kUnknown:
      return "unknown";
    case Format::kGzip:
      return "gzip";
    case Format::kSqlite:
      return "sqlite";
    case Format::kGpuscopeStore:
      return "gpuscope";
    case Format::kNsysSqlite:
      return "nsys_sqlite";
    case Format::kKinetoJson:
      return "kineto_json";
  }
  return "unknown";
}

size_t contentStart(std::string_view head) {
  size_t i = head.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (i < head.size() &&
         (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r')) {
    ++i;
  }
  return i;
}

Format sniffFormat(std::string_view head) {
  if (isGzip(head)) return Format::kGzip;
  if (head.starts_with(kSqliteMagic)) return Format::kSqlite;
  size_t i = contentStart(head);
  if (i < head.size() && (head[i] == '{' || head[i] == '[')) return Format::kKinetoJson;
  return Format::kUnknown;
}

}  // namespace gpuscope::importers
