// A directory of output files that appears whole or not at all: files are
// written into a temporary sibling directory, which commit() renames onto
// the requested path. Until then (and if commit() is never reached) the
// temporary directory is removed and the destination is untouched.
#pragma once

#include <string>

#include "base/file.h"
#include "base/status.h"

namespace gpuscope::exporters {

// The checks create() makes, for callers that want to fail before long work.
Status checkOutputDirectory(const std::string& path, bool force);

class OutputDirectory {
 public:
  // Fails with InvalidInput when `path` exists and is not a directory, or is
  // a non-empty directory and !force. With force, only a directory holding
  // nothing but regular `.csv` files is replaced (a mistyped -o must not
  // wipe unrelated data).
  static StatusOr<OutputDirectory> create(const std::string& path, bool force);
  OutputDirectory(OutputDirectory&& other) noexcept;
  OutputDirectory& operator=(OutputDirectory&&) = delete;
  OutputDirectory(const OutputDirectory&) = delete;
  ~OutputDirectory();

  const std::string& tempPath() const { return temp_path_; }
  // An atomic file `name` inside the temporary directory.
  StatusOr<AtomicOutput> createFile(const std::string& name) const;
  Status commit();

 private:
  OutputDirectory(std::string path, std::string temp_path, bool force)
      : path_(std::move(path)), temp_path_(std::move(temp_path)), force_(force) {}
  std::string path_;
  std::string temp_path_;
  bool force_ = false;
  bool committed_ = false;
};

}  // namespace gpuscope::exporters
