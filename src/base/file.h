// File helpers: whole-file reads that name the path in every error, and an
// atomic output file (write to a temporary name, rename on commit) so that a
// failed run never leaves a partial file nor overwrites a good one.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include "base/status.h"

namespace gpuscope {

// Reads all of `path`. The returned string's capacity is at least
// size() + padding, so parsers that read past the end (simdjson) can use it
// in place. Directories, missing and unreadable paths are InvalidInput.
StatusOr<std::string> readFile(const std::string& path, size_t padding = 0);

// Reads at most `n` bytes from the start of `path` (for format sniffing).
StatusOr<std::string> readHead(const std::string& path, size_t n);

// Fails with InvalidInput unless `path` can be created: it must not exist
// (unless `force`), and it must not be a directory.
Status checkOutputPath(const std::string& path, bool force);

// Writes to `<path>.tmp-<pid>` and renames onto `path` on commit(). The
// destructor removes the temporary file if commit() was not reached.
class AtomicOutput {
 public:
  static StatusOr<AtomicOutput> create(const std::string& path, bool force);
  AtomicOutput(AtomicOutput&& other) noexcept;
  AtomicOutput& operator=(AtomicOutput&&) = delete;
  AtomicOutput(const AtomicOutput&) = delete;
  ~AtomicOutput();

  // The temporary path, for writers that need a file name (SQLite).
  const std::string& tempPath() const { return temp_path_; }
  const std::string& path() const { return path_; }
  // A stdio stream on the temporary file, opened on first use.
  StatusOr<std::FILE*> stream();
  Status write(std::string_view bytes);
  // Flushes, syncs and renames. Errors (a full disk) are InvalidInput.
  Status commit();

 private:
  AtomicOutput(std::string path, std::string temp_path, bool force)
      : path_(std::move(path)), temp_path_(std::move(temp_path)), force_(force) {}
  std::string path_;
  std::string temp_path_;
  bool force_ = false;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
  bool write_failed_ = false;
};

}  // namespace gpuscope
