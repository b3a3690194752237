// CSV export: one `<table>.csv` per model table, generic over the table
// declarations in model/tables.h, so a column added there appears here
// without code. Header = column names; STR columns are written as text;
// a NULL integer is an empty field; quoting follows RFC 4180.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "export/buffered_writer.h"
#include "model/trace.h"

namespace gpuscope::exporters {

struct CsvExportOptions {
  // SQL names of the tables to write (e.g. "kernels"); empty = every table.
  std::vector<std::string> tables;
  // Replace an existing non-empty output directory (only one holding
  // nothing but .csv files, so a mistyped path cannot wipe other data).
  bool force = false;
};

struct CsvTableWritten {
  std::string table;
  size_t rows = 0;
};

// Names of all model tables, in schema order.
std::vector<std::string> csvTableNames();

// InvalidInput naming the first entry of `tables` that is not a table name.
Status validateCsvTables(const std::vector<std::string>& tables);

// Appends `field` to `out`, quoted when it holds a comma, quote, CR or LF.
void appendCsvField(std::string& out, std::string_view field);

// Writes table `name` as CSV; InvalidInput if there is no such table.
Status writeCsvTable(const model::Trace& trace, std::string_view name, BufferedWriter& w);

// Writes one file per selected non-empty table into a new directory `dir`.
// The files are written into a temporary sibling directory which is renamed
// into place at the end, so a failed export leaves nothing behind.
StatusOr<std::vector<CsvTableWritten>> exportCsvTables(const model::Trace& trace,
                                                       const std::string& dir,
                                                       const CsvExportOptions& options);

}  // namespace gpuscope::exporters
