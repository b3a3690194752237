// GPU shape layers (gpu/shape/) against the CPU reference ops: random
// inputs, every layer's tactic, exact match (data movement must not change
// a bit; casts compared with the dtype tolerance).
#include <gtest/gtest.h>

#include "unit/engine_gpu/gpu_test_util.h"

namespace gpuscope::engine::gputest {
namespace {

HostTensor ints(DType t, Shape s, std::vector<int64_t> v) { return HostTensor::fromInts(t, std::move(s), v); }
HostTensor i64(std::vector<int64_t> v) {
  int64_t n = int64_t(v.size());
  return ints(DType::kInt64, {n}, std::move(v));
}

Attributes attrs(std::initializer_list<std::pair<const char*, AttrValue>> kv) {
  Attributes a;
  for (const auto& [k, v] : kv) a.set(k, v);
  return a;
}

void expectExact(GpuEnv& env, OneNode& n) {
  RunOptions o;
  o.tol = 0;
  EXPECT_GE(checkAgainstCpu(env, n, o), 1);
}

TEST(GpuShapeLayers, TransposeGenericAndTiled) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(1);
  struct Case { DType t; Shape s; std::vector<int64_t> perm; };
  for (const Case& c : {Case{DType::kFloat32, {2, 3, 4, 5}, {0, 2, 1, 3}},   // inner dim kept: strided copy
                        Case{DType::kFloat32, {2, 3, 64, 48}, {0, 1, 3, 2}},  // tiled transpose
                        Case{DType::kFloat16, {4, 128, 96}, {0, 2, 1}},
                        Case{DType::kBFloat16, {3, 5, 7, 9, 2}, {4, 2, 0, 3, 1}},
                        Case{DType::kInt64, {3, 40}, {}},
                        Case{DType::kFloat16, {2, 8, 4, 64}, {0, 2, 1, 3}},   // BERT heads: 16-byte words
                        Case{DType::kFloat32, {2, 3, 6, 2}, {1, 0, 2, 3}}}) { // 8-byte words
    SCOPED_TRACE(shapeText(c.s));
    OneNode n;
    ValueId x = n.input("x", randomTensor(c.t, c.s, rng, -50, 50));
    Attributes a;
    if (!c.perm.empty()) a.set("perm", c.perm);
    ASSERT_TRUE(n.node("Transpose", {x}, a));
    expectExact(*env, n);
  }
}

TEST(GpuShapeLayers, SliceWithStepsAndNegativeIndices) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(2);
  {
    OneNode n;
    ValueId x = n.input("x", randomTensor(DType::kFloat32, {4, 10, 6}, rng));
    ASSERT_TRUE(n.node("Slice", {x, n.constant("st", i64({1, -8})), n.constant("en", i64({3, 100})),
                                 n.constant("ax", i64({0, 1})), n.constant("sp", i64({1, 2}))}));
    expectExact(*env, n);
  }
  {
    OneNode n;  // negative step, fp16
    ValueId x = n.input("x", randomTensor(DType::kFloat16, {5, 9}, rng));
    ASSERT_TRUE(n.node("Slice", {x, n.constant("st", i64({-1})), n.constant("en", i64({-100})),
                                 n.constant("ax", i64({1})), n.constant("sp", i64({-3}))}));
    expectExact(*env, n);
  }
  {
    OneNode n;  // inner slice at a 16-byte aligned offset (vectorized copy)
    ValueId x = n.input("x", randomTensor(DType::kFloat16, {4, 32}, rng));
    ASSERT_TRUE(n.node("Slice", {x, n.constant("st", i64({8})), n.constant("en", i64({24})), n.constant("ax", i64({1}))}));
    expectExact(*env, n);
  }
  {
    OneNode n;  // contiguous slice of the outer dim (memcpy path)
    ValueId x = n.input("x", randomTensor(DType::kInt32, {6, 8}, rng, -100, 100));
    ASSERT_TRUE(n.node("Slice", {x, n.constant("st", i64({2})), n.constant("en", i64({5}))}));
    expectExact(*env, n);
  }
}

TEST(GpuShapeLayers, ExpandAndTile) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(3);
  {
    OneNode n;
    ValueId x = n.input("x", randomTensor(DType::kFloat32, {3, 1, 5}, rng));
    ASSERT_TRUE(n.node("Expand", {x, n.constant("shape", i64({2, 3, 4, 5}))}));
    expectExact(*env, n);
  }
  {
    OneNode n;
    ValueId x = n.input("x", randomTensor(DType::kBFloat16, {1, 7}, rng));
    ASSERT_TRUE(n.node("Expand", {x, n.constant("shape", i64({6, 1}))}));
    expectExact(*env, n);
  }
  {
    OneNode n;
    ValueId x = n.input("x", randomTensor(DType::kFloat16, {2, 3, 4}, rng));
    ASSERT_TRUE(n.node("Tile", {x, n.constant("rep", i64({2, 1, 3}))}));
    expectExact(*env, n);
  }
}

TEST(GpuShapeLayers, ConcatAndSplit) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(4);
  {
    OneNode n;
    ValueId a = n.input("a", randomTensor(DType::kFloat16, {2, 3, 5}, rng));
    ValueId b = n.input("b", randomTensor(DType::kFloat16, {2, 1, 5}, rng));
    ValueId c = n.input("c", randomTensor(DType::kFloat16, {2, 4, 5}, rng));
    ASSERT_TRUE(n.node("Concat", {a, b, c}, attrs({{"axis", int64_t(1)}})));
    expectExact(*env, n);
  }
  {
    OneNode n;
    ValueId a = n.input("a", randomTensor(DType::kInt64, {2, 3}, rng, -9, 9));
    ValueId b = n.input("b", randomTensor(DType::kInt64, {1, 3}, rng, -9, 9));
    ASSERT_TRUE(n.node("Concat", {a, b}, attrs({{"axis", int64_t(-2)}})));
    expectExact(*env, n);
  }
  {
    OneNode n;
    ValueId x = n.input("x", randomTensor(DType::kFloat32, {6, 10}, rng));
    ASSERT_TRUE(n.node("Split", {x, n.constant("split", i64({2, 3, 5}))}, attrs({{"axis", int64_t(1)}}), 3));
    expectExact(*env, n);
  }
}

TEST(GpuShapeLayers, PadConstantWithNegativePads) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(5);
  {
    OneNode n;
    ValueId x = n.input("x", randomTensor(DType::kFloat32, {2, 3, 4, 5}, rng));
    HostTensor v = HostTensor::fromFloats(DType::kFloat32, {}, std::vector<float>{1.5f});
    ASSERT_TRUE(n.node("Pad", {x, n.constant("pads", i64({0, 1, 2, 0, 0, 2, 1, 3})), n.constant("v", v)}));
    expectExact(*env, n);
  }
  {
    OneNode n;  // cropping pads, fp16, default value 0
    ValueId x = n.input("x", randomTensor(DType::kFloat16, {4, 6}, rng));
    ASSERT_TRUE(n.node("Pad", {x, n.constant("pads", i64({-1, 2, 1, -2}))}));
    expectExact(*env, n);
  }
}

TEST(GpuShapeLayers, GatherAnyAxisBothIndexTypes) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(6);
  {
    OneNode n;  // embedding lookup with runtime int64 indices, some negative
    ValueId table = n.constant("table", randomTensor(DType::kFloat16, {100, 16}, rng));
    ValueId idx = n.input("idx", ints(DType::kInt64, {2, 7}, {0, 5, 99, -1, -100, 42, 7, 1, 2, 3, 4, 5, 6, 98}));
    ASSERT_TRUE(n.node("Gather", {table, idx}));
    expectExact(*env, n);
  }
  {
    OneNode n;  // axis 1, int32 indices
    ValueId x = n.input("x", randomTensor(DType::kFloat32, {3, 8, 5}, rng));
    ValueId idx = n.constant("idx", ints(DType::kInt32, {4}, {7, 0, -2, 3}));
    ASSERT_TRUE(n.node("Gather", {x, idx}, attrs({{"axis", int64_t(1)}})));
    expectExact(*env, n);
  }
  {
    OneNode n;  // scalar index on the last axis (rank drops)
    ValueId x = n.input("x", randomTensor(DType::kInt64, {4, 6}, rng, 0, 1000));
    ValueId idx = n.constant("idx", ints(DType::kInt64, {}, {-1}));
    ASSERT_TRUE(n.node("Gather", {x, idx}, attrs({{"axis", int64_t(-1)}})));
    expectExact(*env, n);
  }
}

TEST(GpuShapeLayers, WhereBroadcast) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(7);
  OneNode n;
  ValueId c = n.input("c", randomTensor(DType::kBool, {2, 1, 5}, rng, 0, 2));
  ValueId x = n.input("x", randomTensor(DType::kFloat32, {2, 4, 5}, rng));
  ValueId y = n.input("y", randomTensor(DType::kFloat32, {5}, rng));
  ASSERT_TRUE(n.node("Where", {c, x, y}));
  expectExact(*env, n);
}

TEST(GpuShapeLayers, CastAndReformat) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(8);
  struct Case { DType from, to; double lo, hi; };
  for (const Case& c : {Case{DType::kFloat32, DType::kFloat16, -100, 100}, Case{DType::kFloat16, DType::kFloat32, -100, 100},
                        Case{DType::kFloat32, DType::kBFloat16, -100, 100}, Case{DType::kInt64, DType::kFloat32, -1000, 1000},
                        Case{DType::kFloat32, DType::kInt32, -1000, 1000}, Case{DType::kBool, DType::kFloat32, 0, 2},
                        Case{DType::kFloat32, DType::kBool, -2, 2}, Case{DType::kInt32, DType::kInt64, -1000, 1000},
                        Case{DType::kFloat32, DType::kFloat32, -1, 1}}) {
    for (const char* op : {"Cast", "gpuscope.Reformat"}) {
      if (std::string(op) == "gpuscope.Reformat" && !(isFloat(c.from) && isFloat(c.to))) continue;
      SCOPED_TRACE(std::string(op) + " " + std::string(dtypeName(c.from)) + " -> " + std::string(dtypeName(c.to)));
      OneNode n;
      ValueId x = n.input("x", randomTensor(c.from, {3, 37}, rng, c.lo, c.hi));
      ASSERT_TRUE(n.node(op, {x}, attrs({{"to", int64_t(dtypeToOnnx(c.to))}})));
      expectExact(*env, n);  // conversions are exact roundings: CPU and GPU must agree bit for bit
    }
  }
}

TEST(GpuShapeLayers, Trilu) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(9);
  for (int64_t upper : {0, 1}) {
    OneNode n;
    ValueId x = n.input("x", randomTensor(DType::kFloat32, {2, 5, 7}, rng));
    ASSERT_TRUE(n.node("Trilu", {x, n.constant("k", ints(DType::kInt64, {}, {upper ? 1 : -1}))},
                       attrs({{"upper", upper}})));
    expectExact(*env, n);
  }
}

TEST(GpuShapeLayers, UnsupportedConfigurationsNameTheNode) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(10);
  OneNode n;
  ValueId x = n.input("x", randomTensor(DType::kFloat32, {4, 6}, rng));
  ASSERT_TRUE(n.node("Pad", {x, n.constant("pads", i64({1, 1, 1, 1}))}, attrs({{"mode", std::string("reflect")}})));
  auto layer = GpuLayerRegistry::instance().find("Pad")(GpuLayerArgs{n.graph, n.id, env->ctx});
  ASSERT_FALSE(layer.ok());
  EXPECT_EQ(layer.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(layer.status().message().find("node 'test_Pad' (Pad)"), std::string::npos) << layer.status().message();
  EXPECT_NE(layer.status().message().find("reflect"), std::string::npos);
}

}  // namespace
}  // namespace gpuscope::engine::gputest
