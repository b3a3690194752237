// appendDouble's whole-number fast path must write exactly what the general
// shortest round-trip conversion (std::to_chars on the double) writes.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "stats/cell_text.h"

namespace gpuscope::stats {
namespace {

// The reference: the general path, written independently of the fast path.
std::string reference(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, static_cast<size_t>(r.ptr - buf));
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string written(double v) {
  std::string s;
  appendDouble(v, s);
  return s;
}

TEST(AppendDouble, WholeNumbersMatchShortestRoundTrip) {
  const double edge[] = {0.0, -0.0, 1.0, -1.0, 9.0, 10.0, 11.0, 100.0, 101.0, 1e6, 1000001.0,
                         123456789.0, -987654321.0, 4503599627370495.0, 4503599627370496.0,
                         -4503599627370495.0, 9007199254740993.0, 1e15 + 1, 1e21, 1e22, 123e20};
  for (double v : edge) EXPECT_EQ(written(v), reference(v)) << v;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    int digits = 1 + static_cast<int>(rng() % 17);
    auto mod = static_cast<int64_t>(std::pow(10.0, digits));
    int64_t n = static_cast<int64_t>(rng() % static_cast<uint64_t>(mod)) * ((rng() & 1) ? 1 : -1);
    double v = static_cast<double>(n);
    ASSERT_EQ(written(v), reference(v)) << n;
  }
}

TEST(AppendDouble, FractionsUnchanged) {
  EXPECT_EQ(written(31.2), "31.2");
  EXPECT_EQ(written(0.5), "0.5");
  EXPECT_EQ(written(-2.25), "-2.25");
  EXPECT_EQ(written(1e-7), reference(1e-7));
  EXPECT_EQ(written(12345.5), "12345.5");
  EXPECT_EQ(written(std::nan("")), reference(std::nan("")));
}

}  // namespace
}  // namespace gpuscope::stats
