// JSON text pieces written without a JSON library: strings escaped for any
// input bytes, and nanosecond times printed as exact microseconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gpuscope::exporters {

// Appends `s` as a quoted JSON string. Every input is accepted: quotes,
// backslashes and control characters (NUL included) are escaped; invalid
// UTF-8 bytes become U+FFFD, one per bad byte; '<', '>', '&', U+2028 and
// U+2029 are written as \u escapes so the text is also safe inside an HTML
// <script> element or a JavaScript string.
void appendJsonString(std::string& out, std::string_view s);

// Appends `ns` nanoseconds as microseconds with exactly three decimals,
// computed with integers only (1234567 -> "1234.567", -1 -> "-0.001"), so no
// nanosecond is lost to floating point at any magnitude.
void appendMicros(std::string& out, int64_t ns);

}  // namespace gpuscope::exporters
