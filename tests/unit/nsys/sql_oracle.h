// Expected values for the nsys importer tests, computed by plain SQL over the
// source file (the way nsys's own report scripts read it), never by the
// importer. Every check compares the imported model::Trace with the SQL
// result, row by row.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/trace.h"

namespace gpuscope::testing {

// A small read-only sqlite3 handle for tests.
class SqlFile {
 public:
  explicit SqlFile(const std::string& path);
  ~SqlFile();
  SqlFile(const SqlFile&) = delete;
  SqlFile& operator=(const SqlFile&) = delete;

  bool hasTable(const std::string& table) const;
  bool hasColumn(const std::string& table, const std::string& column) const;
  int64_t scalar(const std::string& sql) const;  // first column of the first row
  std::string text(const std::string& sql) const;
  // Every row as strings ("NULL" for NULL), columns joined by '|'.
  std::vector<std::string> rows(const std::string& sql) const;

 private:
  sqlite3* db_ = nullptr;
};

// The trace's rows rendered like SqlFile::rows, for comparison; sorted.
std::vector<std::string> kernelRows(const model::Trace& t);   // pid|corr|name|start|end
std::vector<std::string> apiRows(const model::Trace& t);      // pid|tid|corr|name|kind|start|end
std::vector<std::string> memcpyRows(const model::Trace& t);   // pid|corr|bytes|kind|start|end
std::vector<std::string> nvtxRows(const model::Trace& t);     // pid|tid|kind|start|end|text|domain
std::vector<std::string> osrtRows(const model::Trace& t);     // pid|tid|name|start|end

// The same, by SQL over an nsys export; sorted.
std::vector<std::string> sqlKernelRows(const SqlFile& db);
std::vector<std::string> sqlApiRows(const SqlFile& db);
std::vector<std::string> sqlMemcpyRows(const SqlFile& db);
std::vector<std::string> sqlNvtxRows(const SqlFile& db);
std::vector<std::string> sqlOsrtRows(const SqlFile& db);

// Runs every comparison above plus table counts, API<->kernel joins,
// devices and metadata, as gtest expectations.
void expectTraceMatchesSql(const std::string& path, const model::Trace& trace);

}  // namespace gpuscope::testing
