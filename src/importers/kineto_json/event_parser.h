// Reads one trace event object with simdjson On-Demand into a RawEvent:
// one pass over its keys, dispatching on length then bytes, numbers taken
// from their raw text (exact ns, see decimal.h), no allocation.
#pragma once

#include <simdjson.h>

#include <string>

#include "importers/kineto_json/raw_event.h"

namespace gpuscope::importers::kineto_json {

struct ParseFailure {
  const char* at = nullptr;  // position in the parsed buffer, if known
  std::string what;
};

// Fills `ev` (which must be default-initialised) from `object`. On failure
// (invalid JSON, a time that is not a number or out of range) returns false
// and sets `failure`.
bool parseEvent(simdjson::ondemand::object& object, simdjson::ondemand::document& doc,
                RawEvent* ev, ParseFailure* failure);

// Helpers shared with the top-level reader.
// The key of `field` without unescaping when it has no backslash.
simdjson::error_code fieldKey(simdjson::ondemand::field& field, std::string_view* key);
// A number or numeric string as int64 (fractions rounded); false when the
// value is of another type or out of range (nothing is consumed then).
bool readInteger(simdjson::ondemand::value& value, int64_t* out);

}  // namespace gpuscope::importers::kineto_json
