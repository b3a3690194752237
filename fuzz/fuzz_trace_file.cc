// Fuzzes format detection and loading of a whole file (gzip, SQLite, JSON):
// the bytes are written to a temporary file and handed to loadTrace.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "importers/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/gpuscope-fuzz-trace-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  auto trace = gpuscope::importers::loadTrace(path, {.quiet = true});
  if (!trace.ok() && trace.status().message().find(path) == std::string::npos) __builtin_trap();
  return 0;
}
