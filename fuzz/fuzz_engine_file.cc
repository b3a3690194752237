// Fuzzes the engine file reader (src/engine/serialize) and the load-time
// graph check that runs shape inference over the decoded graph: whatever the
// bytes, the result is a value or an InvalidInput naming the input.
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/serialize/engine_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string kName = "<fuzz>";
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto file = gpuscope::engine::serialize::readEngineFile(bytes, kName);
  if (!file.ok()) {
    if (file.status().message().rfind(kName + ": ", 0) != 0) __builtin_trap();
    return 0;
  }
  gpuscope::Status s = gpuscope::engine::serialize::checkEngineGraph(file->graph, kName);
  if (!s.ok() && s.message().rfind(kName + ": ", 0) != 0) __builtin_trap();
  return 0;
}
