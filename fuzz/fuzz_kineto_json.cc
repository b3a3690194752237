// Fuzzes the Kineto / Chrome trace JSON importer with arbitrary bytes.
#include <simdjson.h>

#include <cstdint>
#include <string>

#include "importers/kineto_json/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string json(reinterpret_cast<const char*>(data), size);
  json.reserve(size + simdjson::SIMDJSON_PADDING);
  auto trace = gpuscope::importers::readKinetoJson(json, "fuzz.json");
  if (trace.ok()) {
    // Whatever was accepted must be internally consistent.
    const auto& k = trace->kernels;
    for (size_t i = 0; i < k.size(); ++i) {
      if (k.name[i] >= trace->strings.size()) __builtin_trap();
    }
  } else if (trace.status().message().find("fuzz.json") == std::string::npos) {
    __builtin_trap();  // every error names the file
  }
  return 0;
}
