// GatherND GPU layer (gpu/shape/index_layers.cc) against the CPU reference
// op: exact match (data movement must not change a bit), every word size,
// both index types, batch_dims 0..2, runtime and constant indices; and that
// out-of-range indices are clamped in bounds instead of read past the data.
#include <gtest/gtest.h>

#include "unit/engine_gpu/gpu_test_util.h"

namespace gpuscope::engine::gputest {
namespace {

HostTensor ints(DType t, Shape s, std::vector<int64_t> v) { return HostTensor::fromInts(t, std::move(s), v); }

Attributes batchDims(int64_t b) {
  Attributes a;
  a.set("batch_dims", AttrValue(b));
  return a;
}

void expectExact(GpuEnv& env, OneNode& n) {
  RunOptions o;
  o.tol = 0;
  EXPECT_GE(checkAgainstCpu(env, n, o), 1);
}

// Random in-range indices (negative half the time) for tuples over `dims`.
HostTensor randomIndices(DType t, Shape shape, const std::vector<int64_t>& dims, std::mt19937& rng) {
  int64_t n = shapeElements(shape);
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    int64_t dim = dims[size_t(i) % dims.size()];
    int64_t k = std::uniform_int_distribution<int64_t>(0, dim - 1)(rng);
    v[size_t(i)] = (rng() & 1) ? k - dim : k;
  }
  return ints(t, std::move(shape), v);
}

TEST(GpuGatherND, OnnxExamplesAndBatchDims) {
  GS_REQUIRE_GPU(env);
  // The five ONNX docs examples (int64 data), plus batch_dims 1 on the same data.
  HostTensor sq = ints(DType::kInt64, {2, 2}, {0, 1, 2, 3});
  HostTensor cube = ints(DType::kInt64, {2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  struct Case { HostTensor data, idx; int64_t b; };
  std::vector<Case> cases{{sq, ints(DType::kInt64, {2, 2}, {0, 0, 1, 1}), 0},
                          {sq, ints(DType::kInt64, {2, 1}, {1, 0}), 0},
                          {cube, ints(DType::kInt64, {2, 2}, {0, 1, 1, 0}), 0},
                          {cube, ints(DType::kInt64, {2, 1, 2}, {0, 1, 1, 0}), 0},
                          {cube, ints(DType::kInt64, {2, 1}, {1, 0}), 1}};
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("example " + std::to_string(i + 1));
    OneNode n;
    ValueId x = n.input("x", cases[i].data);
    ValueId idx = n.input("idx", cases[i].idx);
    ASSERT_TRUE(n.node("GatherND", {x, idx}, batchDims(cases[i].b)));
    expectExact(*env, n);
  }
}

TEST(GpuGatherND, RandomShapesDtypesAndIndexTypes) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(11);
  struct Case { DType dt; Shape data; Shape idx; int64_t b; DType it; bool const_idx; };
  for (const Case& c : {
           Case{DType::kFloat16, {2, 128, 64}, {2, 1}, 1, DType::kInt64, false},  // pooled token per batch (BERT/GPT-2)
           Case{DType::kFloat32, {4, 7, 5, 3}, {6, 2}, 0, DType::kInt32, false},  // 2-tuples, slice of 15
           Case{DType::kBFloat16, {3, 4, 5}, {3, 8, 2}, 1, DType::kInt64, true},  // element gather per batch
           Case{DType::kInt64, {2, 3, 4, 6}, {2, 3, 5, 1}, 2, DType::kInt32, true},
           Case{DType::kBool, {5, 9}, {4, 2}, 0, DType::kInt64, false},           // 1-byte words, full-rank tuples
           Case{DType::kFloat32, {1000, 33}, {300, 1}, 0, DType::kInt64, false}}) {
    SCOPED_TRACE(shapeText(c.data) + " idx " + shapeText(c.idx) + " b=" + std::to_string(c.b));
    int64_t m = c.idx.back();
    std::vector<int64_t> dims(c.data.begin() + c.b, c.data.begin() + c.b + m);
    OneNode n;
    ValueId x = n.input("x", randomTensor(c.dt, c.data, rng, c.dt == DType::kBool ? 0 : -100,
                                          c.dt == DType::kBool ? 2 : 100));
    HostTensor iv = randomIndices(c.it, c.idx, dims, rng);
    ValueId idx = c.const_idx ? n.constant("idx", iv) : n.input("idx", iv);
    ASSERT_TRUE(n.node("GatherND", {x, idx}, batchDims(c.b)));
    expectExact(*env, n);
  }
}

TEST(GpuGatherND, OutOfRangeIndicesAreClampedNotReadOutOfBounds) {
  GS_REQUIRE_GPU(env);
  // data [3,2] = 10..15; tuples 7 -> clamped to 2, -9 (-> -6) clamped to 0, 1 kept.
  OneNode n;
  ValueId x = n.input("x", ints(DType::kInt64, {3, 2}, {10, 11, 12, 13, 14, 15}));
  ValueId idx = n.input("idx", ints(DType::kInt64, {3, 1}, {7, -9, 1}));
  ASSERT_TRUE(n.node("GatherND", {x, idx}));
  std::vector<HostTensor> out = runOnGpu(*env, n, 0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].toInts(), (std::vector<int64_t>{14, 15, 10, 11, 12, 13}));
}

}  // namespace
}  // namespace gpuscope::engine::gputest
