#include <gtest/gtest.h>

#include "explore/tensor_format.h"

namespace gpuscope::explore {
namespace {

TEST(ExploreTensorFormat, TrexTable) {
  auto f = describeFormat("Row major linear FP32", false);
  EXPECT_EQ(f.format, "FP32 NCHW");
  EXPECT_EQ(f.precision, "FP32");
  EXPECT_EQ(f.element_bytes, 4);
  f = describeFormat("Thirty-two wide channel vectorized row major Int8 format", false);
  EXPECT_EQ(f.format, "Int8 NC/32HW32");
  EXPECT_EQ(f.precision, "INT8");
  EXPECT_EQ(f.element_bytes, 1);
  // The developer guide's example carries a trailing period, which is dropped.
  f = describeFormat("Channel major FP16 format where channel % 8 == 0.", false);
  EXPECT_EQ(f.format, "FP16 NHWC8");
  EXPECT_EQ(f.element_bytes, 2);
  f = describeFormat("Row major linear Int32", true);
  EXPECT_EQ(f.format, "INT32 NCHW");
  EXPECT_EQ(f.precision, "INT32");
  f = describeFormat("Half", false);  // Myelin tensors
  EXPECT_EQ(f.format, "Half");
  EXPECT_EQ(f.precision, "FP16");
}

TEST(ExploreTensorFormat, TrexDefectsOnlyInCompatMode) {
  auto c = describeFormat("BFloat16", true);
  EXPECT_EQ(c.precision, "FP32");  // TREx's defect
  EXPECT_EQ(c.element_bytes, 2);
  auto f = describeFormat("BFloat16", false);
  EXPECT_EQ(f.precision, "BF16");
  EXPECT_EQ(describeFormat("Row major linear BFloat16 format", true).element_bytes, 0);
  EXPECT_EQ(describeFormat("Row major linear BFloat16 format", false).element_bytes, 2);
  EXPECT_EQ(describeFormat("Row major linear BOOL", true).element_bytes, 0);
  EXPECT_EQ(describeFormat("Row major linear BOOL", false).element_bytes, 1);
  // Outside the table: TREx says "Unknown format" with 0 bytes; we read the type word.
  auto u = describeFormat("Row major linear FP8 E4M3 format with padding", true);
  EXPECT_EQ(u.format, "Unknown format");
  EXPECT_EQ(u.element_bytes, 0);
  auto v = describeFormat("Row major linear FP8 E4M3 format with padding", false);
  EXPECT_EQ(v.precision, "FP8");
  EXPECT_EQ(v.element_bytes, 1);
  EXPECT_EQ(describeFormat("N/A due to dynamic shapes", false).element_bytes, 0);
}

TEST(ExploreTensorFormat, WeightSizes) {
  EXPECT_EQ(weightElementBytes("Int8", true), 1);
  EXPECT_EQ(weightElementBytes("Half", true), 2);
  EXPECT_EQ(weightElementBytes("Float", true), 4);
  EXPECT_EQ(weightElementBytes("BFloat16", true), 0);
  EXPECT_EQ(weightElementBytes("BFloat16", false), 2);
  EXPECT_EQ(formatShape({1, 3, 224, 224}), "[1, 3, 224, 224]");
  EXPECT_EQ(formatShape({}), "[]");
}

}  // namespace
}  // namespace gpuscope::explore
