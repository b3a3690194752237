// Fuzzes the `ncu --csv` reader behind --kernel-metrics (profiler/ncu_csv.h):
// any bytes give kernel_metrics rows or an InvalidInput naming the file and,
// past the header, the line; never a crash.
#include <cstdint>
#include <string>
#include <string_view>

#include "profiler/ncu_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  gpuscope::profiler::looksLikeNcuCsv(text.substr(0, 4096));
  auto t = gpuscope::profiler::importNcuCsv(text, "fuzz.csv");
  if (!t.ok() && (t.status().message().rfind("fuzz.csv", 0) != 0 ||
                  t.status().message().find('\n') != std::string::npos))
    __builtin_trap();
  return 0;
}
