// Exact decimal parsing of JSON number text. Kineto writes times as
// microseconds with up to three decimals ("1712195495519689.047"); going
// through double would lose nanoseconds for epoch-sized values (a double has
// ~15.9 significant digits, the value above has 19), so the digits are
// scaled as integers instead.
#pragma once

#include <cstdint>
#include <string_view>

namespace gpuscope::importers::kineto_json {

enum class DecimalResult { kOk, kNotANumber, kOutOfRange };

// Parses JSON number text `text` (trailing whitespace allowed) and returns
// value × 10^scale, rounded half away from zero, in *out. Exponents
// ("1.5e3") are honoured. Anything that is not a complete number (NaN,
// Infinity, "12abc", "") is kNotANumber; a result outside int64 is
// kOutOfRange.
DecimalResult parseScaledDecimal(std::string_view text, int scale, int64_t* out);

// Microseconds text -> integer nanoseconds (scale 3).
inline DecimalResult parseMicrosToNs(std::string_view text, int64_t* ns) {
  return parseScaledDecimal(text, 3, ns);
}

// An integer-valued number (fractions are rounded half away from zero).
inline DecimalResult parseInteger(std::string_view text, int64_t* value) {
  return parseScaledDecimal(text, 0, value);
}

}  // namespace gpuscope::importers::kineto_json
