#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gpuscope {
namespace {

std::string errnoText() { return std::strerror(errno); }

Status checkReadable(const std::string& path, struct stat* st) {
  if (::stat(path.c_str(), st) != 0) {
    return InvalidInput(path + ": cannot open: " + errnoText());
  }
  if (S_ISDIR(st->st_mode)) return InvalidInput(path + ": is a directory, expected a file");
  return OkStatus();
}

}  // namespace

StatusOr<std::string> readFile(const std::string& path, size_t padding) {
  struct stat st {};
  GS_RETURN_IF_ERROR(checkReadable(path, &st));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return InvalidInput(path + ": cannot open: " + errnoText());
  std::string data;
  // Regular files: one read of the known size, then a small probe for EOF, so
  // the buffer is the file plus padding (no doubling on a 1 GB trace). Pipes
  // and files that grow while read fall back to geometric growth.
  constexpr size_t kProbe = 4096;
  size_t expected = S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) : 0;
  data.reserve(expected + kProbe + padding);
  size_t chunk = expected > 0 ? expected : size_t{1} << 16;
  for (;;) {
    size_t old = data.size();
    if (data.capacity() < old + chunk + padding) data.reserve(old + old / 2 + chunk + padding);
    data.resize(old + chunk);
    ssize_t n = ::read(fd, data.data() + old, chunk);
    if (n < 0) {
      data.resize(old);
      if (errno == EINTR) continue;
      std::string err = errnoText();
      ::close(fd);
      return InvalidInput(path + ": read failed at byte " + std::to_string(old) + ": " + err);
    }
    data.resize(old + static_cast<size_t>(n));
    if (n == 0) break;
    chunk = data.size() >= expected ? (data.size() == expected ? kProbe : size_t{1} << 16)
                                    : expected - data.size();
  }
  ::close(fd);
  if (data.capacity() < data.size() + padding) data.reserve(data.size() + padding);
  return data;
}

StatusOr<std::string> readHead(const std::string& path, size_t n) {
  struct stat st {};
  GS_RETURN_IF_ERROR(checkReadable(path, &st));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return InvalidInput(path + ": cannot open: " + errnoText());
  std::string data(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, data.data() + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      std::string err = errnoText();
      ::close(fd);
      return InvalidInput(path + ": read failed: " + err);
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  data.resize(got);
  return data;
}

Status checkOutputPath(const std::string& path, bool force) {
  if (path.empty()) return InvalidInput("output path is empty");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return InvalidInput(path + ": is a directory, expected an output file");
    if (!force) return InvalidInput(path + ": output exists (use --force to overwrite)");
  }
  return OkStatus();
}

StatusOr<AtomicOutput> AtomicOutput::create(const std::string& path, bool force) {
  GS_RETURN_IF_ERROR(checkOutputPath(path, force));
  std::string temp = path + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return InvalidInput(path + ": cannot create output: " + errnoText());
  ::close(fd);
  return AtomicOutput(path, temp, force);
}

AtomicOutput::AtomicOutput(AtomicOutput&& other) noexcept
    : path_(std::move(other.path_)),
      temp_path_(std::move(other.temp_path_)),
      force_(other.force_),
      file_(other.file_),
      committed_(other.committed_),
      write_failed_(other.write_failed_) {
  other.file_ = nullptr;
  other.committed_ = true;  // the moved-from object owns nothing
}

AtomicOutput::~AtomicOutput() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

StatusOr<std::FILE*> AtomicOutput::stream() {
  if (file_ == nullptr) {
    file_ = std::fopen(temp_path_.c_str(), "wb");
    if (file_ == nullptr) return InvalidInput(path_ + ": cannot write output: " + errnoText());
  }
  return file_;
}

Status AtomicOutput::write(std::string_view bytes) {
  GS_ASSIGN_OR_RETURN(std::FILE * f, stream());
  if (std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
    write_failed_ = true;
    return InvalidInput(path_ + ": write failed: " + errnoText());
  }
  return OkStatus();
}

Status AtomicOutput::commit() {
  if (write_failed_) return InvalidInput(path_ + ": write failed earlier; output discarded");
  if (file_ != nullptr) {
    bool bad = std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0;
    std::string err = bad ? errnoText() : "";
    bad = (std::fclose(file_) != 0) || bad;
    file_ = nullptr;
    if (bad) return InvalidInput(path_ + ": write failed: " + (err.empty() ? errnoText() : err));
  }
  // Re-check: another process may have created the path since create().
  GS_RETURN_IF_ERROR(checkOutputPath(path_, force_));
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return InvalidInput(path_ + ": cannot rename output into place: " + errnoText());
  }
  committed_ = true;
  return OkStatus();
}

}  // namespace gpuscope
