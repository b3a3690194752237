#include "export/output_directory.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

namespace gpuscope::exporters {
namespace {

namespace fs = std::filesystem;

std::string withoutTrailingSlashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// Checks `path` may become our output. Sets *exists when there is a
// directory to replace.
Status checkDestination(const std::string& path, bool force, bool* exists) {
  *exists = false;
  std::error_code ec;
  fs::file_status st = fs::symlink_status(path, ec);
  if (ec || !fs::exists(st)) return OkStatus();
  if (!fs::is_directory(st)) {
    return InvalidInput(path + ": exists and is not a directory, expected an output directory");
  }
  *exists = true;
  bool empty = true;
  bool only_csv = true;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    empty = false;
    const fs::path& p = it->path();
    if (!it->is_regular_file() || it->is_symlink() || p.extension() != ".csv") only_csv = false;
  }
  if (ec) return InvalidInput(path + ": cannot list directory: " + ec.message());
  if (empty) return OkStatus();
  if (!force) return InvalidInput(path + ": output directory exists and is not empty (use --force to replace it)");
  if (!only_csv) {
    return InvalidInput(path + ": holds files other than .csv; refusing to replace it even with --force");
  }
  return OkStatus();
}

}  // namespace

Status checkOutputDirectory(const std::string& path, bool force) {
  if (path.empty()) return InvalidInput("output directory path is empty");
  bool exists = false;
  return checkDestination(withoutTrailingSlashes(path), force, &exists);
}

StatusOr<OutputDirectory> OutputDirectory::create(const std::string& raw_path, bool force) {
  if (raw_path.empty()) return InvalidInput("output directory path is empty");
  std::string path = withoutTrailingSlashes(raw_path);
  bool exists = false;
  GS_RETURN_IF_ERROR(checkDestination(path, force, &exists));
  std::string templ = path + ".tmp-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    return InvalidInput(path + ": cannot create output directory: " + std::strerror(errno));
  }
  ::chmod(buf.data(), 0755);  // mkdtemp makes it 0700; the result is an ordinary directory
  return OutputDirectory(path, std::string(buf.data()), force);
}

OutputDirectory::OutputDirectory(OutputDirectory&& other) noexcept
    : path_(std::move(other.path_)),
      temp_path_(std::move(other.temp_path_)),
      force_(other.force_),
      committed_(other.committed_) {
  other.committed_ = true;  // the moved-from object owns nothing
}

OutputDirectory::~OutputDirectory() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(temp_path_, ec);
}

StatusOr<AtomicOutput> OutputDirectory::createFile(const std::string& name) const {
  return AtomicOutput::create(temp_path_ + "/" + name, false);
}

Status OutputDirectory::commit() {
  // Re-check: the destination may have changed while we wrote.
  bool exists = false;
  GS_RETURN_IF_ERROR(checkDestination(path_, force_, &exists));
  std::string old;
  if (exists) {
    // rename() replaces only an empty directory: move a full one aside
    // first, and back again if the swap fails.
    old = path_ + ".old-" + std::to_string(::getpid());
    if (::rename(path_.c_str(), old.c_str()) != 0) {
      return InvalidInput(path_ + ": cannot move the old directory aside: " + std::strerror(errno));
    }
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    std::string err = std::strerror(errno);
    if (!old.empty()) ::rename(old.c_str(), path_.c_str());
    return InvalidInput(path_ + ": cannot rename output into place: " + err);
  }
  committed_ = true;
  if (!old.empty()) {
    std::error_code ec;
    fs::remove_all(old, ec);  // only .csv files, checked above
  }
  return OkStatus();
}

}  // namespace gpuscope::exporters
