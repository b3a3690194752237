#include "export/json_text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

#include "unit/export/sample_trace.h"

namespace gpuscope::exporters {
namespace {

std::string micros(int64_t ns) {
  std::string out;
  appendMicros(out, ns);
  return out;
}

std::string jsonQuoted(std::string_view s) {
  std::string out;
  appendJsonString(out, s);
  return out;
}

TEST(JsonText, MicrosecondsAreExact) {
  // Expected strings written by hand: ns / 1000 with three decimals.
  EXPECT_EQ(micros(0), "0.000");
  EXPECT_EQ(micros(1), "0.001");
  EXPECT_EQ(micros(999), "0.999");
  EXPECT_EQ(micros(1000), "1.000");
  EXPECT_EQ(micros(1234567), "1234.567");
  EXPECT_EQ(micros(1700000000123456789), "1700000000123456.789");  // epoch ns, 2023
  EXPECT_EQ(micros(-1), "-0.001");
  EXPECT_EQ(micros(-1000), "-1.000");
  EXPECT_EQ(micros(-1234567), "-1234.567");
  EXPECT_EQ(micros(std::numeric_limits<int64_t>::max()), "9223372036854775.807");
  EXPECT_EQ(micros(std::numeric_limits<int64_t>::min()), "-9223372036854775.808");
}

TEST(JsonText, HostileStringsRoundTrip) {
  for (const std::string& s :
       {std::string(testing::kHostileName), testing::nulName(), testing::controlName(),
        testing::unicodeName(), std::string(), std::string("plain"), std::string("\"\\/"),
        std::string(1, '\0')}) {
    std::string text = jsonQuoted(s);
    nlohmann::json parsed = nlohmann::json::parse(text);
    EXPECT_EQ(parsed.get<std::string>(), s) << text;
    // No raw control byte may reach the output.
    for (char c : text) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << text;
  }
}

TEST(JsonText, EscapesForHtmlAndJavaScript) {
  EXPECT_EQ(jsonQuoted("</script>"), "\"\\u003c/script\\u003e\"");
  EXPECT_EQ(jsonQuoted("a&b"), "\"a\\u0026b\"");
  EXPECT_EQ(jsonQuoted("\xe2\x80\xa8\xe2\x80\xa9"), "\"\\u2028\\u2029\"");
  EXPECT_EQ(jsonQuoted(std::string("\0", 1)), "\"\\u0000\"");
  EXPECT_EQ(jsonQuoted("\x01\x1f"), "\"\\u0001\\u001f\"");
  EXPECT_EQ(jsonQuoted("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
}

TEST(JsonText, InvalidUtf8BecomesReplacementCharacters) {
  std::string text = jsonQuoted(testing::invalidUtf8Name());
  EXPECT_EQ(nlohmann::json::parse(text).get<std::string>(), testing::invalidUtf8Decoded());
  // Overlong encodings, surrogates, bytes above U+10FFFF, truncated sequences.
  const std::string r = "\xef\xbf\xbd";
  EXPECT_EQ(nlohmann::json::parse(jsonQuoted("\xc0\xaf")).get<std::string>(), r + r);
  EXPECT_EQ(nlohmann::json::parse(jsonQuoted("\xf4\x90\x80\x80")).get<std::string>(), r + r + r + r);
  EXPECT_EQ(nlohmann::json::parse(jsonQuoted("x\xe2\x82")).get<std::string>(), "x" + r + r);
  // Valid 2-, 3- and 4-byte sequences pass through as they are.
  EXPECT_EQ(jsonQuoted("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
}

}  // namespace
}  // namespace gpuscope::exporters
