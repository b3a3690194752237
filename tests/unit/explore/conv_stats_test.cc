// Convolution annotation against TREx's published check (reference/trex.md §5):
// first conv of mobilenet.qat, 3->32, 224->112, 3x3, INT8, 0.00872257 ms.
#include <gtest/gtest.h>

#include "explore/conv_stats.h"
#include "test_paths.h"

namespace gpuscope::explore {
namespace {

TEST(ExploreConvStats, MobilenetFirstConvolution) {
  GS_REQUIRE_SHARED_TRT();
  LoadOptions o;
  o.graph = test::trexInput("mobilenet.qat.onnx.engine.graph.json");
  auto plan = loadEnginePlan(o);
  ASSERT_TRUE(plan.ok());
  auto s = convolutionStats(plan->layers[1]);
  ASSERT_TRUE(s.has_value());
  // By hand: N=1 K=32 P=Q=112 C=3 R=S=3 G=1, 1 byte per element.
  EXPECT_DOUBLE_EQ(s->macs, 1.0 * 32 * 112 * 112 * 3 * 3 * 3);
  EXPECT_DOUBLE_EQ(s->macs, 10838016);
  EXPECT_DOUBLE_EQ(s->bytes, 3.0 * 224 * 224 + 32.0 * 112 * 112 + 32.0 * 3 * 3 * 3);
  EXPECT_DOUBLE_EQ(s->bytes, 552800);
  EXPECT_NEAR(s->arithmetic_intensity, 19.61, 0.005);
  EXPECT_NEAR(s->compute_efficiency, 1.2425e9, 0.0001e9);
  EXPECT_DOUBLE_EQ(s->gemm_m, 112.0 * 112);
  EXPECT_DOUBLE_EQ(s->gemm_n, 32);
  EXPECT_DOUBLE_EQ(s->gemm_k, 27);
  // Depthwise: groups divide the MACs and the weights.
  auto d = convolutionStats(plan->layers[2]);
  ASSERT_TRUE(d.has_value());
  EXPECT_DOUBLE_EQ(d->macs, 1.0 * 32 * 112 * 112 * 32 * 3 * 3 / 32);
  // Every Convolution of the plan has 4-D tensors and a Kernel: 53 annotated.
  EXPECT_EQ(convolutionStats(*plan).size(), 53u);
  EXPECT_FALSE(convolutionStats(plan->layers[0]).has_value());  // a Reformat
}

}  // namespace
}  // namespace gpuscope::explore
