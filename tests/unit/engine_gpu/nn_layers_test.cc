// GPU softmax / layer norm / batch norm / reductions / pooling (gpu/nn/)
// against the CPU reference ops, fp32 at 1e-4 and fp16/bf16 at 1e-2
// (max abs err / max abs ref).
#include <gtest/gtest.h>

#include "unit/engine_gpu/gpu_test_util.h"

namespace gpuscope::engine::gputest {
namespace {

HostTensor i64(std::vector<int64_t> v) {
  int64_t n = int64_t(v.size());
  return HostTensor::fromInts(DType::kInt64, {n}, v);
}

void check(GpuEnv& env, OneNode& n, DType t) {
  RunOptions o;
  o.tol = tolFor(t);
  EXPECT_GE(checkAgainstCpu(env, n, o), 1);
}

const DType kFloats[] = {DType::kFloat32, DType::kFloat16, DType::kBFloat16};

TEST(GpuNnLayers, SoftmaxLastAndMiddleAxis) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(11);
  for (DType t : kFloats) {
    for (int64_t axis : {-1, 1}) {
      SCOPED_TRACE(std::string(dtypeName(t)) + " axis " + std::to_string(axis));
      OneNode n;
      ValueId x = n.input("x", randomTensor(t, {4, 7, 129}, rng, -8, 8));
      Attributes a;
      a.set("axis", axis);
      ASSERT_TRUE(n.node("Softmax", {x}, a));
      check(*env, n, t);
    }
  }
  OneNode n;  // LogSoftmax, long rows
  ValueId x = n.input("x", randomTensor(DType::kFloat32, {3, 5000}, rng, -8, 8));
  ASSERT_TRUE(n.node("LogSoftmax", {x}));
  check(*env, n, DType::kFloat32);
}

// Rows the vectorised kernel holds in registers (768: 1 warp per fp16 row,
// 2 warps per fp32 row; 1000 fp32: 4 vectors per thread; 2056 fp16: 3 warps
// per row; 16 fp16: 2 lanes per row) and a width it leaves to the scalar
// kernel (100 fp16/bf16), with a row count that leaves the last block partly
// empty.
TEST(GpuNnLayers, SoftmaxRowsVectorisedWidths) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(16);
  for (DType t : kFloats) {
    for (int64_t cols : {768, 1000, 2056, 100, 16}) {
      for (const char* op : {"Softmax", "LogSoftmax"}) {
        SCOPED_TRACE(std::string(op) + " " + std::string(dtypeName(t)) + " cols " + std::to_string(cols));
        OneNode n;
        ValueId x = n.input("x", randomTensor(t, {37, cols}, rng, -8, 8));
        ASSERT_TRUE(n.node(op, {x}));
        check(*env, n, t);
      }
    }
  }
}

TEST(GpuNnLayers, LayerNormalization) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(12);
  for (DType t : kFloats) {
    SCOPED_TRACE(dtypeName(t));
    OneNode n;
    ValueId x = n.input("x", randomTensor(t, {2, 16, 768}, rng, -3, 5));
    ValueId s = n.constant("scale", randomTensor(t, {768}, rng, 0.5, 1.5));
    ValueId b = n.constant("bias", randomTensor(t, {768}, rng));
    Attributes a;
    a.set("epsilon", 1e-5f);
    ASSERT_TRUE(n.node("LayerNormalization", {x, s, b}, a));
    check(*env, n, t);
  }
  OneNode n;  // normalize the last two dims, no bias, with Mean / InvStdDev outputs
  ValueId x = n.input("x", randomTensor(DType::kFloat32, {3, 5, 40}, rng, -2, 2));
  ValueId s = n.constant("scale", randomTensor(DType::kFloat32, {5, 40}, rng));
  Attributes a;
  a.set("axis", int64_t(-2));
  ASSERT_TRUE(n.node("LayerNormalization", {x, s}, a, 3));
  check(*env, n, DType::kFloat32);
}

// Widths of the register-resident kernel (768 and 1024: one warp per fp16
// row; 4096: 4 warps; 2056: 3 warps per fp16 row, 2 rows in a 192-thread
// block; 4100 fp32: 9 warps; 8: one thread per fp16 row, 2 per fp32 row) and
// of the scalar fallback (100 fp16/bf16, 4100 fp16/bf16: not a multiple of
// 8); 37 and 301 rows are not multiples of the rows per block (1..256).
TEST(GpuNnLayers, LayerNormalizationWidths) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(17);
  for (DType t : kFloats) {
    for (int64_t cols : {768, 1024, 4096, 2056, 100, 8, 4100}) {
      for (int64_t rows : {37, 301}) {
        if (cols >= 4096 && rows > 37) continue;
        SCOPED_TRACE(std::string(dtypeName(t)) + " " + std::to_string(rows) + "x" + std::to_string(cols));
        OneNode n;
        ValueId x = n.input("x", randomTensor(t, {rows, cols}, rng, -3, 5));
        ValueId s = n.constant("scale", randomTensor(t, {cols}, rng, 0.5, 1.5));
        ValueId b = n.constant("bias", randomTensor(t, {cols}, rng));
        Attributes a;
        a.set("epsilon", 1e-6f);
        ASSERT_TRUE(n.node("LayerNormalization", {x, s, b}, a));
        check(*env, n, t);
      }
    }
  }
}

// Mean / InvStdDev outputs (fp32, stash_type 1) from the vectorised kernel:
// fp16 rows of 768, no bias; rows with a large offset check that the
// variance is taken about the mean (a one-pass E[x^2] - E[x]^2 would lose it).
TEST(GpuNnLayers, LayerNormalizationStatsFromVectorKernel) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(18);
  for (DType t : kFloats) {
    SCOPED_TRACE(dtypeName(t));
    OneNode n;
    ValueId x = n.input("x", randomTensor(t, {4, 9, 768}, rng, 60, 64));
    ValueId s = n.constant("scale", randomTensor(t, {768}, rng, 0.5, 1.5));
    ASSERT_TRUE(n.node("LayerNormalization", {x, s}, {}, 3));
    check(*env, n, t);
  }
}

TEST(GpuNnLayers, BatchNormalizationInference) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(13);
  for (DType t : kFloats) {
    SCOPED_TRACE(dtypeName(t));
    OneNode n;
    ValueId x = n.input("x", randomTensor(t, {2, 8, 5, 5}, rng));
    ValueId sc = n.constant("s", randomTensor(t, {8}, rng));
    ValueId b = n.constant("b", randomTensor(t, {8}, rng));
    ValueId m = n.constant("m", randomTensor(t, {8}, rng));
    ValueId var = n.constant("v", randomTensor(t, {8}, rng, 0.5, 2));
    ASSERT_TRUE(n.node("BatchNormalization", {x, sc, b, m, var}));
    check(*env, n, t);
  }
}

TEST(GpuNnLayers, ReductionsOverAnyAxes) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(14);
  struct Case { const char* op; std::vector<int64_t> axes; int64_t keep; DType t; };
  for (const Case& c : {Case{"ReduceMean", {-1}, 1, DType::kFloat32}, Case{"ReduceMean", {-1}, 1, DType::kFloat16},
                        Case{"ReduceSum", {0, 2}, 0, DType::kFloat32}, Case{"ReduceMax", {}, 1, DType::kFloat32},
                        Case{"ReduceMin", {1}, 0, DType::kBFloat16}, Case{"ReduceSum", {1}, 1, DType::kFloat32},
                        Case{"ReduceProd", {2}, 1, DType::kFloat32}, Case{"ReduceL2", {1, 2}, 0, DType::kFloat32},
                        Case{"ReduceLogSumExp", {-1}, 0, DType::kFloat32}, Case{"ReduceSumSquare", {0}, 1, DType::kFloat16}}) {
    SCOPED_TRACE(std::string(c.op) + " " + std::string(dtypeName(c.t)));
    OneNode n(18);  // opset 18: axes is an input for every Reduce op
    ValueId x = n.input("x", randomTensor(c.t, {6, 33, 70}, rng, c.axes.empty() ? -1.0 : 0.5, c.axes.empty() ? 1.0 : 1.5));
    std::vector<ValueId> in = {x};
    if (!c.axes.empty()) in.push_back(n.constant("axes", i64(c.axes)));
    Attributes a;
    a.set("keepdims", c.keep);
    ASSERT_TRUE(n.node(c.op, in, a));
    check(*env, n, c.t);
  }
}

TEST(GpuNnLayers, MaxAndAveragePooling) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(15);
  for (DType t : kFloats) {
    SCOPED_TRACE(dtypeName(t));
    {
      OneNode n;  // ResNet stem pool
      ValueId x = n.input("x", randomTensor(t, {2, 4, 15, 15}, rng));
      Attributes a;
      a.set("kernel_shape", std::vector<int64_t>{3, 3});
      a.set("strides", std::vector<int64_t>{2, 2});
      a.set("pads", std::vector<int64_t>{1, 1, 1, 1});
      ASSERT_TRUE(n.node("MaxPool", {x}, a));
      check(*env, n, t);
    }
    for (int64_t include : {0, 1}) {
      OneNode n;
      ValueId x = n.input("x", randomTensor(t, {2, 3, 9, 11}, rng));
      Attributes a;
      a.set("kernel_shape", std::vector<int64_t>{3, 2});
      a.set("strides", std::vector<int64_t>{2, 2});
      a.set("pads", std::vector<int64_t>{1, 0, 1, 1});
      a.set("count_include_pad", include);
      ASSERT_TRUE(n.node("AveragePool", {x}, a));
      check(*env, n, t);
    }
    {
      OneNode n;
      ValueId x = n.input("x", randomTensor(t, {2, 8, 7, 7}, rng));
      ASSERT_TRUE(n.node("GlobalAveragePool", {x}));
      check(*env, n, t);
    }
  }
  OneNode n;  // ceil mode
  ValueId x = n.input("x", randomTensor(DType::kFloat32, {1, 2, 10, 10}, rng));
  Attributes a;
  a.set("kernel_shape", std::vector<int64_t>{3, 3});
  a.set("strides", std::vector<int64_t>{2, 2});
  a.set("ceil_mode", int64_t(1));
  ASSERT_TRUE(n.node("MaxPool", {x}, a));
  check(*env, n, DType::kFloat32);
}

}  // namespace
}  // namespace gpuscope::engine::gputest
