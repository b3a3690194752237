// Test helper: runs the Kineto importer on JSON text held in memory.
#pragma once

#include <simdjson.h>

#include <string>

#include "importers/kineto_json/reader.h"

namespace gpuscope::testing {

inline StatusOr<model::Trace> importKinetoText(std::string text,
                                                const std::string& path = "trace.json") {
  text.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  return importers::readKinetoJson(text, path);
}

}  // namespace gpuscope::testing
