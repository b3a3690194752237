// Helpers for the store tests: a scratch directory, a trace with every table
// populated, and direct SQL over a file (the independent check of what the
// writer produced).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/trace.h"

namespace gpuscope::store::testing {

// A fresh directory under TMPDIR, removed with its contents on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Names of the entries in the directory, sorted.
  std::vector<std::string> entries() const;

 private:
  std::string path_;
};

// Strings that break naive writers: HTML/script, quotes, newlines, NUL-free
// unicode, SQL-ish text.
const std::vector<std::string>& hostileStrings();

// Every table gets rows; integer columns cycle through ordinary values, the
// kNull sentinel and the extremes that are not the sentinel.
model::Trace makeFullTrace(size_t rows_per_table);

// A small trace whose numbers the tests count by hand (see the comment on
// its definition): 5 kernels in 2 processes, their launches, an NVTX range
// and mark, 2 copies, 1 diagnostic.
model::Trace makeSmallTrace();

// Every table and column, every string id, every diagnostic (gtest
// expectations naming the table, column and row that differ).
void expectTracesEqual(const model::Trace& a, const model::Trace& b);

// Single-value SQL over a database file, opened read-only.
int64_t queryInt(const std::string& path, const std::string& sql);
std::string queryText(const std::string& path, const std::string& sql);
// Runs `sql` read-write on `path`; returns false (and sets *error) on failure.
bool execSql(const std::string& path, const std::string& sql, std::string* error = nullptr);

void writeBytes(const std::string& path, const std::string& bytes);
std::string readBytes(const std::string& path);

}  // namespace gpuscope::store::testing
