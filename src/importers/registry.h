// The one place that knows which trace formats exist. Formats are decided by
// content, never by file extension: magic bytes first (gzip, SQLite), then
// the first non-blank characters (JSON), then, for SQLite, the tables inside.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/trace.h"

namespace gpuscope::importers {

enum class Format {
  kUnknown,
  kGzip,           // unwrapped, then sniffed again
  kSqlite,         // decided further by the tables inside
  kGpuscopeStore,  // our .gpuscope
  kNsysSqlite,     // nsys export --type sqlite
  kKinetoJson,     // PyTorch profiler / Chrome trace JSON
};
std::string_view formatName(Format f);

// Decides from the first bytes of a file (at least 64 are best).
Format sniffFormat(std::string_view head);

struct LoadOptions {
  bool quiet = false;  // no progress on stderr
  // SQL names of the model tables the caller needs ("kernels", ...); empty =
  // all. A .gpuscope store skips the others (they stay empty); other formats
  // load everything. ("= {}": callers may leave it out of designated
  // initializers without -Wmissing-field-initializers.)
  std::vector<std::string> tables = {};
};

// Reads any supported trace file into memory, sorted by time.
StatusOr<model::Trace> loadTrace(const std::string& path, const LoadOptions& options = {});

}  // namespace gpuscope::importers
