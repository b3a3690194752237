// Runs the built gpuscope binary as a user would and captures what it did.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace gpuscope::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `gpuscope ARGS...` through /bin/sh with `shell_prefix` (e.g. "ulimit -f 8;")
// in front; arguments are single-quoted.
CliResult runGpuscope(const std::vector<std::string>& args, const std::string& shell_prefix = "");

// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Names of everything in the directory (to prove nothing partial is left).
  std::vector<std::string> list() const;

 private:
  std::filesystem::path path_;
};

std::string readAll(const std::string& path);
void writeAll(const std::string& path, const std::string& bytes);
std::string examplePath(const std::string& name);  // examples/<name> in the source tree

}  // namespace gpuscope::testing
