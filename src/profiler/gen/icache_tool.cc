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

#include "inject/icache_ptx.h"

namespace {

bool readAll(const char* path, std::string* out) {
  std::FILE* f = std::fopen(path, "rb");
  if (!f) return false;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out->append(buf, n);
  const bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}

// Writes `text` to `path`, removing the file again when any write fails.
bool writeAll(const char* path, const std::string& text) {
  std::FILE* f = std::fopen(path, "wb");
  if (!f) return false;
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) {
    std::remove(path);
    return false;
  }
  return true;
}

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

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "ptx" && argc == 3) {
    if (writeAll(argv[2], gpuscope::profiler::inject::icacheEvictPtx())) return 0;
    std::fprintf(stderr, "icache_tool: cannot write %s\n", argv[2]);
    return 1;
  }
  if (mode == "embed" && argc == 4) {
    std::string bytes;
    if (!readAll(argv[2], &bytes) || bytes.empty()) {
      std::fprintf(stderr, "icache_tool: cannot read %s\n", argv[2]);
      return 1;
    }
    if (writeAll(argv[3], asArray(bytes))) return 0;
    std::fprintf(stderr, "icache_tool: cannot write %s\n", argv[3]);
    return 1;
  }
  std::fprintf(stderr, "usage: icache_tool ptx OUT.ptx | icache_tool embed IN.fatbin OUT.inc\n");
  return 2;
}
