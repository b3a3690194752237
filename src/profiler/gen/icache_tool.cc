// Build tool for the instruction-cache eviction kernel (inject/icache_ptx.h),
// run by src/profiler/CMakeLists.txt:
//   icache_tool ptx OUT.ptx             the kernel's PTX, which nvcc then
//                                       assembles into a fatbin;
//   icache_tool embed IN.fatbin OUT.inc that fatbin as a C++ array, which
//                                       inject/icache_image.cc includes.
// The injection library then loads SASS in milliseconds instead of
// JIT-compiling 32,768 instructions (~2 s) in every profiled program.
#include <cstdio>
#include <string>

#include "base/file.h"
#include "inject/icache_ptx.h"

namespace {

std::string asArray(const std::string& bytes) {
  std::string out = "alignas(16) const unsigned char gs_icache_fatbin[] = {\n";
  out.reserve(out.size() + bytes.size() * 5 + 16);
  char cell[8];
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::snprintf(cell, sizeof cell, "%u,", static_cast<unsigned char>(bytes[i]));
    out += cell;
    if (i % 24 == 23) out += '\n';
  }
  out += "\n};\n";
  return out;
}

// Writes `text` to `path` through base's atomic output: a failed build step
// leaves no partial file behind for the next one to take as done.
int writeOut(const std::string& path, const std::string& text) {
  auto out = gpuscope::AtomicOutput::create(path, /*force=*/true);
  gpuscope::Status s = out.ok() ? out->write(text) : out.status();
  if (s.ok()) s = out->commit();
  if (s.ok()) return 0;
  std::fprintf(stderr, "icache_tool: %s\n", s.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "ptx" && argc == 3) return writeOut(argv[2], gpuscope::profiler::inject::icacheEvictPtx());
  if (mode == "embed" && argc == 4) {
    auto bytes = gpuscope::readFile(argv[2]);
    if (!bytes.ok()) {
      std::fprintf(stderr, "icache_tool: %s\n", bytes.status().message().c_str());
      return 1;
    }
    if (bytes->empty()) {
      std::fprintf(stderr, "icache_tool: %s: empty\n", argv[2]);
      return 1;
    }
    return writeOut(argv[3], asArray(*bytes));
  }
  std::fprintf(stderr, "usage: icache_tool ptx OUT.ptx | icache_tool embed IN.fatbin OUT.inc\n");
  return 2;
}
