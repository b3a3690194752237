// Exact microseconds -> nanoseconds conversion (rule: value × 1000, rounded
// half away from zero beyond the third decimal).
#include "importers/kineto_json/decimal.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace gpuscope::importers::kineto_json {
namespace {

int64_t ns(const char* text) {
  int64_t v = -12345;
  EXPECT_EQ(parseMicrosToNs(text, &v), DecimalResult::kOk) << text;
  return v;
}

TEST(KinetoDecimal, IntegerAndThreeDecimalMicroseconds) {
  EXPECT_EQ(ns("0"), 0);
  EXPECT_EQ(ns("12"), 12000);
  EXPECT_EQ(ns("12.5"), 12500);
  EXPECT_EQ(ns("123456789.123"), 123456789123);
  // 19 significant digits: a double would round this to ...689.0469 or so.
  EXPECT_EQ(ns("1712195495519689.047"), 1712195495519689047);
  EXPECT_EQ(ns("1680000000123.456"), 1680000000123456);
  EXPECT_EQ(ns("2413669096090.1"), 2413669096090100);
  EXPECT_EQ(ns("7.000 \n"), 7000);  // simdjson tokens carry trailing whitespace
}

TEST(KinetoDecimal, RoundsHalfAwayFromZeroBeyondNanoseconds) {
  EXPECT_EQ(ns("1.0005"), 1001);
  EXPECT_EQ(ns("1.0004999"), 1000);
  EXPECT_EQ(ns("-1.0005"), -1001);
  EXPECT_EQ(ns("0.0005"), 1);
  EXPECT_EQ(ns("0.0004"), 0);
  EXPECT_EQ(ns("2.99999"), 3000);
  // More fraction digits than 128 bits hold: only the first ones matter.
  EXPECT_EQ(ns("1.0004999999999999999999999999999999999999"), 1000);
  EXPECT_EQ(ns("1.00050000000000000000000000000000000000001"), 1001);
}

TEST(KinetoDecimal, ExponentsAndSigns) {
  EXPECT_EQ(ns("1e3"), 1000000);
  EXPECT_EQ(ns("1.5E-3"), 2);  // 1.5 ns -> 2
  EXPECT_EQ(ns("-2.5e-3"), -3);
  EXPECT_EQ(ns("0e400"), 0);
  EXPECT_EQ(ns("-0"), 0);
  EXPECT_EQ(ns("0.000"), 0);
}

TEST(KinetoDecimal, Int64Limits) {
  EXPECT_EQ(ns("9223372036854775.807"), INT64_MAX);
  EXPECT_EQ(ns("-9223372036854775.808"), INT64_MIN);
  int64_t v = 0;
  EXPECT_EQ(parseMicrosToNs("9223372036854775.808", &v), DecimalResult::kOutOfRange);
  EXPECT_EQ(parseMicrosToNs("1e400", &v), DecimalResult::kOutOfRange);
  EXPECT_EQ(parseMicrosToNs("123456789012345678901234567890", &v), DecimalResult::kOutOfRange);
}

TEST(KinetoDecimal, RejectsNonNumbers) {
  int64_t v = 0;
  for (const char* bad : {"", "NaN", "nan", "Infinity", "-Infinity", "1.", ".5", "-", "12abc",
                          "1e", "1e+", "+1", "0x10", "1.2.3", "\"12\""}) {
    EXPECT_EQ(parseMicrosToNs(bad, &v), DecimalResult::kNotANumber) << bad;
  }
}

TEST(KinetoDecimal, IntegersRoundFractions) {
  int64_t v = 0;
  ASSERT_EQ(parseInteger("135071", &v), DecimalResult::kOk);
  EXPECT_EQ(v, 135071);
  ASSERT_EQ(parseInteger("2.5", &v), DecimalResult::kOk);
  EXPECT_EQ(v, 3);
  ASSERT_EQ(parseInteger("-7", &v), DecimalResult::kOk);
  EXPECT_EQ(v, -7);
}

}  // namespace
}  // namespace gpuscope::importers::kineto_json
