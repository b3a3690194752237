// Shape/data-movement ops through inferShapes (folding) and runNodeOnCpu.
// Expected values are written out by hand.
#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

#include "engine/ops/op_def.h"
#include "engine/passes/infer_shapes.h"
#include "unit/engine_ops/op_test_util.h"

namespace gpuscope::engine::testing {
namespace {

using V = std::vector<float>;
using I = std::vector<int64_t>;

std::vector<float> floats(const HostTensor& t) { return t.toFloats(); }
std::vector<int64_t> ints(const HostTensor& t) { return t.toInts(); }

HostTensor iota(Shape shape) {  // 0, 1, 2, ... as fp32
  HostTensor t(DType::kFloat32, shape);
  for (int64_t i = 0; i < t.elements(); ++i) t.data<float>()[i] = float(i);
  return t;
}

TEST(ShapeOps, ReshapeCopiesZeroAndInfersMinusOne) {
  OpResult r = runOp("Reshape", {OpInput{iota({2, 3, 4})}, OpInput{i64({3}, {0, -1, 2})}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_TRUE(r.folded);
  EXPECT_EQ(r.descs[0].shape, (Shape{2, 6, 2}));
  EXPECT_EQ(floats(r.outputs[0])[13], 13.0f);
}

TEST(ShapeOps, ReshapeAllowZeroAndErrors) {
  OpResult r = runOp("Reshape", {OpInput{iota({0, 3})}, OpInput{i64({2}, {3, 0})}}, attrs({{"allowzero", int64_t(1)}}));
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.descs[0].shape, (Shape{3, 0}));
  OpResult bad = runOp("Reshape", {OpInput{iota({2, 3})}, OpInput{i64({2}, {4, -1})}});
  EXPECT_FALSE(bad.status.ok());
  EXPECT_NE(bad.status.message().find("node 'n0' (Reshape)"), std::string::npos) << bad.status.message();
  OpResult two = runOp("Reshape", {OpInput{iota({2, 3})}, OpInput{i64({2}, {-1, -1})}});
  EXPECT_FALSE(two.status.ok());
  // A shape that is not a constant cannot be inferred.
  OpResult dyn = runOp("Reshape", {OpInput{iota({2, 3})}, rt(i64({2}, {3, 2}))});
  ASSERT_FALSE(dyn.status.ok());
  EXPECT_NE(dyn.status.message().find("shape input must be a constant"), std::string::npos);
}

TEST(ShapeOps, FlattenSqueezeUnsqueeze) {
  OpResult f = runOp("Flatten", {OpInput{iota({2, 3, 4})}}, attrs({{"axis", int64_t(-1)}}));
  ASSERT_TRUE(f.status.ok());
  EXPECT_EQ(f.descs[0].shape, (Shape{6, 4}));
  OpResult f0 = runOp("Flatten", {OpInput{iota({2, 3})}}, attrs({{"axis", int64_t(0)}}));
  EXPECT_EQ(f0.descs[0].shape, (Shape{1, 6}));
  // Opset 13+: axes as input; before: attribute; none: every 1.
  OpResult s13 = runOp("Squeeze", {OpInput{iota({1, 3, 1})}, OpInput{i64({1}, {-1})}});
  ASSERT_TRUE(s13.status.ok());
  EXPECT_EQ(s13.descs[0].shape, (Shape{1, 3}));
  OpResult s11 = runOp("Squeeze", {OpInput{iota({1, 3, 1})}}, attrs({{"axes", I{0}}}), 1, 11);
  EXPECT_EQ(s11.descs[0].shape, (Shape{3, 1}));
  OpResult sall = runOp("Squeeze", {OpInput{iota({1, 3, 1})}});
  EXPECT_EQ(sall.descs[0].shape, (Shape{3}));
  OpResult sbad = runOp("Squeeze", {OpInput{iota({1, 3, 1})}, OpInput{i64({1}, {1})}});
  EXPECT_FALSE(sbad.status.ok());
  OpResult u = runOp("Unsqueeze", {OpInput{iota({2, 3})}, OpInput{i64({2}, {0, -1})}});
  ASSERT_TRUE(u.status.ok());
  EXPECT_EQ(u.descs[0].shape, (Shape{1, 2, 3, 1}));
  EXPECT_EQ(floats(u.outputs[0]), (V{0, 1, 2, 3, 4, 5}));
  OpResult u11 = runOp("Unsqueeze", {OpInput{iota({3})}}, attrs({{"axes", I{1}}}), 1, 11);
  EXPECT_EQ(u11.descs[0].shape, (Shape{3, 1}));
  OpResult udup = runOp("Unsqueeze", {OpInput{iota({3})}, OpInput{i64({2}, {0, -3})}});
  EXPECT_FALSE(udup.status.ok());  // 0 and -3 are the same axis of the rank-3 output
}

TEST(ShapeOps, ShapeAndSizeOfRuntimeInput) {
  OpResult s = runOp("Shape", {rt(iota({2, 3, 4}))}, attrs({{"start", int64_t(-2)}}));
  ASSERT_TRUE(s.status.ok()) << s.status.message();
  EXPECT_EQ(s.descs[0], (TensorDesc{DType::kInt64, {2}}));
  EXPECT_EQ(ints(s.outputs[0]), (I{3, 4}));
  OpResult se = runOp("Shape", {rt(iota({2, 3, 4}))}, attrs({{"start", int64_t(1)}, {"end", int64_t(-1)}}));
  EXPECT_EQ(ints(se.outputs[0]), (I{3}));
  OpResult z = runOp("Size", {rt(iota({2, 3, 4}))});
  EXPECT_EQ(z.descs[0].shape, Shape{});
  EXPECT_EQ(ints(z.outputs[0]), (I{24}));
}

TEST(ShapeOps, Transpose) {
  // x[i][j][k] = 12i + 4j + k; perm (2,0,1): y[k][i][j] = x[i][j][k].
  OpResult r = runOp("Transpose", {OpInput{iota({2, 3, 4})}}, attrs({{"perm", I{2, 0, 1}}}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.descs[0].shape, (Shape{4, 2, 3}));
  std::vector<float> y = floats(r.outputs[0]);
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) EXPECT_EQ(y[size_t(k * 6 + i * 3 + j)], float(12 * i + 4 * j + k));
  OpResult d = runOp("Transpose", {OpInput{iota({2, 3})}});
  EXPECT_EQ(floats(d.outputs[0]), (V{0, 3, 1, 4, 2, 5}));
  OpResult bad = runOp("Transpose", {OpInput{iota({2, 3})}}, attrs({{"perm", I{0, 0}}}));
  EXPECT_FALSE(bad.status.ok());
}

TEST(ShapeOps, ConcatNegativeAxisAndErrors) {
  OpResult r = runOp("Concat", {OpInput{f32({2, 1}, {1, 2})}, OpInput{f32({2, 2}, {3, 4, 5, 6})}},
                     attrs({{"axis", int64_t(-1)}}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.descs[0].shape, (Shape{2, 3}));
  EXPECT_EQ(floats(r.outputs[0]), (V{1, 3, 4, 2, 5, 6}));
  OpResult ints1 = runOp("Concat", {OpInput{i64({1}, {7})}, OpInput{i64({0}, {})}, OpInput{i64({2}, {8, 9})}},
                         attrs({{"axis", int64_t(0)}}));
  EXPECT_EQ(ints(ints1.outputs[0]), (I{7, 8, 9}));
  OpResult bad = runOp("Concat", {OpInput{f32({2, 1}, {1, 2})}, OpInput{f32({3, 1}, {1, 2, 3})}},
                       attrs({{"axis", int64_t(1)}}));
  EXPECT_FALSE(bad.status.ok());
}

TEST(ShapeOps, SplitInputAttributeAndNumOutputs) {
  OpResult r = runOp("Split", {OpInput{iota({2, 5})}, OpInput{i64({2}, {2, 3})}}, attrs({{"axis", int64_t(1)}}), 2);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(floats(r.outputs[0]), (V{0, 1, 5, 6}));
  EXPECT_EQ(floats(r.outputs[1]), (V{2, 3, 4, 7, 8, 9}));
  OpResult a = runOp("Split", {OpInput{iota({5})}}, attrs({{"split", I{4, 1}}}), 2, 11);
  ASSERT_TRUE(a.status.ok());
  EXPECT_EQ(floats(a.outputs[1]), (V{4}));
  // num_outputs = 3 over 5: ceil(5/3) = 2 -> 2, 2, 1.
  OpResult n = runOp("Split", {OpInput{iota({5})}}, attrs({{"num_outputs", int64_t(3)}}), 3);
  ASSERT_TRUE(n.status.ok()) << n.status.message();
  EXPECT_EQ(n.descs[2].shape, (Shape{1}));
  EXPECT_EQ(floats(n.outputs[1]), (V{2, 3}));
  OpResult even = runOp("Split", {OpInput{iota({6})}}, {}, 3);
  EXPECT_EQ(floats(even.outputs[2]), (V{4, 5}));
  EXPECT_FALSE(runOp("Split", {OpInput{iota({5})}}, {}, 2).status.ok());
  EXPECT_FALSE(runOp("Split", {OpInput{iota({5})}, OpInput{i64({2}, {2, 2})}}, {}, 2).status.ok());
}

TEST(ShapeOps, SliceNegativeClampedAndSteps) {
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  // x = 0..9; starts -3, ends INT64_MAX -> 7, 8, 9.
  OpResult r = runOp("Slice", {OpInput{iota({10})}, OpInput{i64({1}, {-3})}, OpInput{i64({1}, {kMax})}});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(floats(r.outputs[0]), (V{7, 8, 9}));
  // Reverse the whole axis: start -1, end INT64_MIN, step -1.
  OpResult rev = runOp("Slice", {OpInput{iota({5})}, OpInput{i64({1}, {-1})}, OpInput{i64({1}, {kMin})},
                                 std::nullopt, OpInput{i64({1}, {-1})}});
  ASSERT_TRUE(rev.status.ok()) << rev.status.message();
  EXPECT_EQ(floats(rev.outputs[0]), (V{4, 3, 2, 1, 0}));
  // 2-D, axis 1 only, step 2 from 1: x[i][j] = 4i + j over 3x4 -> cols 1, 3.
  OpResult s2 = runOp("Slice", {OpInput{iota({3, 4})}, OpInput{i64({1}, {1})}, OpInput{i64({1}, {100})},
                                OpInput{i64({1}, {-1})}, OpInput{i64({1}, {2})}});
  EXPECT_EQ(floats(s2.outputs[0]), (V{1, 3, 5, 7, 9, 11}));
  // Step -2 from 8 down to (exclusive) 1 -> 8, 6, 4, 2.
  OpResult s3 = runOp("Slice", {OpInput{iota({10})}, OpInput{i64({1}, {8})}, OpInput{i64({1}, {1})},
                                OpInput{i64({1}, {0})}, OpInput{i64({1}, {-2})}});
  EXPECT_EQ(floats(s3.outputs[0]), (V{8, 6, 4, 2}));
  // Empty result when start >= end.
  OpResult e = runOp("Slice", {OpInput{iota({4})}, OpInput{i64({1}, {3})}, OpInput{i64({1}, {1})}});
  EXPECT_EQ(e.descs[0].shape, (Shape{0}));
  EXPECT_FALSE(runOp("Slice", {OpInput{iota({4})}, OpInput{i64({1}, {0})}, OpInput{i64({1}, {2})},
                               OpInput{i64({1}, {0})}, OpInput{i64({1}, {0})}}).status.ok());
}

TEST(ShapeOps, GatherAxesAndNegativeIndices) {
  // Embedding-style gather of rows with a 2-D index tensor.
  OpResult r = runOp("Gather", {OpInput{iota({3, 2})}, OpInput{i64({2, 2}, {2, 0, -1, 1})}});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.descs[0].shape, (Shape{2, 2, 2}));
  EXPECT_EQ(floats(r.outputs[0]), (V{4, 5, 0, 1, 4, 5, 2, 3}));
  // Scalar index on axis 1 drops the axis (shape arithmetic: Shape -> Gather).
  OpResult s = runOp("Gather", {OpInput{iota({2, 3})}, OpInput{i64({}, {-1})}}, attrs({{"axis", int64_t(1)}}));
  EXPECT_EQ(s.descs[0].shape, (Shape{2}));
  EXPECT_EQ(floats(s.outputs[0]), (V{2, 5}));
  EXPECT_FALSE(runOp("Gather", {OpInput{iota({3})}, OpInput{i64({1}, {3})}}).status.ok());
  // GatherElements axis 1: y[i][j] = x[i][idx[i][j]].
  OpResult ge = runOp("GatherElements", {OpInput{f32({2, 2}, {1, 2, 3, 4})}, OpInput{i64({2, 2}, {0, 0, 1, -2})}},
                      attrs({{"axis", int64_t(1)}}));
  ASSERT_TRUE(ge.status.ok());
  EXPECT_EQ(floats(ge.outputs[0]), (V{1, 1, 4, 3}));
}

TEST(ShapeOps, ExpandAndTile) {
  // Bidirectional: [3,1] with shape [2,1,4] -> [2,3,4].
  OpResult e = runOp("Expand", {OpInput{f32({3, 1}, {1, 2, 3})}, OpInput{i64({3}, {2, 1, 4})}});
  ASSERT_TRUE(e.status.ok());
  EXPECT_EQ(e.descs[0].shape, (Shape{2, 3, 4}));
  std::vector<float> y = floats(e.outputs[0]);
  EXPECT_EQ(y[0], 1);
  EXPECT_EQ(y[5], 2);
  EXPECT_EQ(y[12 + 11], 3);
  EXPECT_FALSE(runOp("Expand", {OpInput{iota({3})}, OpInput{i64({1}, {2})}}).status.ok());
  OpResult t = runOp("Tile", {OpInput{f32({2, 2}, {1, 2, 3, 4})}, OpInput{i64({2}, {2, 2})}});
  ASSERT_TRUE(t.status.ok());
  EXPECT_EQ(floats(t.outputs[0]), (V{1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4}));
  OpResult t1 = runOp("Tile", {OpInput{f32({1, 3}, {1, 2, 3})}, OpInput{i64({2}, {2, 1})}});
  EXPECT_EQ(floats(t1.outputs[0]), (V{1, 2, 3, 1, 2, 3}));
}

TEST(ShapeOps, ConstantsAndRange) {
  auto seven = std::make_shared<const HostTensor>(i64({1}, {7}));
  OpResult c = runOp("ConstantOfShape", {OpInput{i64({2}, {2, 3})}}, attrs({{"value", seven}}));
  ASSERT_TRUE(c.status.ok());
  EXPECT_EQ(c.descs[0], (TensorDesc{DType::kInt64, {2, 3}}));
  EXPECT_EQ(ints(c.outputs[0]), (I{7, 7, 7, 7, 7, 7}));
  OpResult z = runOp("ConstantOfShape", {OpInput{i64({1}, {3})}});
  EXPECT_EQ(z.descs[0].dtype, DType::kFloat32);
  EXPECT_EQ(floats(z.outputs[0]), (V{0, 0, 0}));
  OpResult k = runOp("Constant", {}, attrs({{"value_ints", I{4, 5}}}));
  ASSERT_TRUE(k.status.ok());
  EXPECT_EQ(ints(k.outputs[0]), (I{4, 5}));
  OpResult kf = runOp("Constant", {}, attrs({{"value_float", 2.5f}}));
  EXPECT_EQ(kf.descs[0].shape, Shape{});
  EXPECT_EQ(floats(kf.outputs[0]), (V{2.5f}));
  // Range int: 10, 7, 4, 1 (limit -1 exclusive... ceil((−1−10)/−3) = 4).
  OpResult ri = runOp("Range", {OpInput{i64({}, {10})}, OpInput{i64({}, {-1})}, OpInput{i64({}, {-3})}});
  ASSERT_TRUE(ri.status.ok()) << ri.status.message();
  EXPECT_EQ(ints(ri.outputs[0]), (I{10, 7, 4, 1}));
  OpResult rf = runOp("Range", {OpInput{f32({}, {0})}, OpInput{f32({}, {1})}, OpInput{f32({}, {0.25f})}});
  EXPECT_EQ(floats(rf.outputs[0]), (V{0, 0.25f, 0.5f, 0.75f}));
  OpResult re = runOp("Range", {OpInput{i64({}, {3})}, OpInput{i64({}, {3})}, OpInput{i64({}, {1})}});
  EXPECT_EQ(re.descs[0].shape, (Shape{0}));
}

TEST(ShapeOps, CastBetweenTypes) {
  // fp32 -> fp16: 1/3 rounds to 0x3555 (0.333251953125); 65520 overflows to inf.
  OpResult h = runOp("Cast", {OpInput{f32({3}, {1.0f / 3.0f, -2.5f, 65520.0f})}}, attrs({{"to", int64_t(10)}}));
  ASSERT_TRUE(h.status.ok());
  ASSERT_EQ(h.descs[0].dtype, DType::kFloat16);
  EXPECT_EQ(h.outputs[0].data<uint16_t>()[0], 0x3555);
  EXPECT_EQ(h.outputs[0].data<uint16_t>()[1], 0xC100);
  EXPECT_EQ(h.outputs[0].data<uint16_t>()[2], 0x7C00);
  // fp32 -> int64 truncates toward zero; -> bool is != 0; bool -> fp32 is 0/1.
  OpResult i = runOp("Cast", {OpInput{f32({3}, {2.7f, -2.7f, 0.0f})}}, attrs({{"to", int64_t(7)}}));
  EXPECT_EQ(ints(i.outputs[0]), (I{2, -2, 0}));
  OpResult b = runOp("Cast", {OpInput{f32({3}, {2.7f, -0.5f, 0.0f})}}, attrs({{"to", int64_t(9)}}));
  EXPECT_EQ(b.descs[0].dtype, DType::kBool);
  EXPECT_EQ(ints(b.outputs[0]), (I{1, 1, 0}));
  OpResult bf = runOp("Cast", {OpInput{boolean({2}, {1, 0})}}, attrs({{"to", int64_t(1)}}));
  EXPECT_EQ(floats(bf.outputs[0]), (V{1, 0}));
  // int64 -> int32 and bf16 (bf16 of 3 is 0x4040).
  OpResult i32 = runOp("Cast", {OpInput{i64({2}, {-5, 70000})}}, attrs({{"to", int64_t(6)}}));
  EXPECT_EQ(i32.outputs[0].data<int32_t>()[0], -5);
  EXPECT_EQ(i32.outputs[0].data<int32_t>()[1], 70000);
  OpResult b16 = runOp("Cast", {OpInput{i64({1}, {3})}}, attrs({{"to", int64_t(16)}}));
  EXPECT_EQ(b16.outputs[0].data<uint16_t>()[0], 0x4040);
  OpResult like = runOp("CastLike", {OpInput{f16({2}, {1.5f, 2.0f})}, OpInput{f32({1}, {0})}});
  EXPECT_EQ(like.descs[0].dtype, DType::kFloat32);
  EXPECT_EQ(floats(like.outputs[0]), (V{1.5f, 2.0f}));
  EXPECT_FALSE(runOp("Cast", {OpInput{f32({1}, {1})}}, attrs({{"to", int64_t(8)}})).status.ok());  // string
}

TEST(ShapeOps, WhereBroadcastsAllThree) {
  // cond [2,1], x [3], y scalar -> [2,3].
  OpResult r = runOp("Where", {OpInput{boolean({2, 1}, {1, 0})}, OpInput{f32({3}, {1, 2, 3})}, OpInput{f32({}, {-1})}});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.descs[0].shape, (Shape{2, 3}));
  EXPECT_EQ(floats(r.outputs[0]), (V{1, 2, 3, -1, -1, -1}));
  EXPECT_FALSE(runOp("Where", {OpInput{f32({1}, {1})}, OpInput{f32({1}, {1})}, OpInput{f32({1}, {1})}}).status.ok());
}

TEST(ShapeOps, TriluUpperLowerWithK) {
  // 3x3 of 1..9.
  HostTensor m = f32({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  OpResult u = runOp("Trilu", {OpInput{m}});
  EXPECT_EQ(floats(u.outputs[0]), (V{1, 2, 3, 0, 5, 6, 0, 0, 9}));
  OpResult l = runOp("Trilu", {OpInput{m}, OpInput{i64({}, {-1})}}, attrs({{"upper", int64_t(0)}}));
  EXPECT_EQ(floats(l.outputs[0]), (V{0, 0, 0, 4, 0, 0, 7, 8, 0}));
  OpResult u1 = runOp("Trilu", {OpInput{m}, OpInput{i64({}, {1})}});
  EXPECT_EQ(floats(u1.outputs[0]), (V{0, 2, 3, 0, 0, 6, 0, 0, 0}));
}

TEST(ShapeOps, PadModes) {
  HostTensor x = f32({3}, {1, 2, 3});
  OpResult c = runOp("Pad", {OpInput{x}, OpInput{i64({2}, {2, 1})}, OpInput{f32({}, {9})}});
  ASSERT_TRUE(c.status.ok()) << c.status.message();
  EXPECT_EQ(floats(c.outputs[0]), (V{9, 9, 1, 2, 3, 9}));
  OpResult r = runOp("Pad", {OpInput{x}, OpInput{i64({2}, {2, 2})}}, attrs({{"mode", std::string("reflect")}}));
  EXPECT_EQ(floats(r.outputs[0]), (V{3, 2, 1, 2, 3, 2, 1}));
  OpResult e = runOp("Pad", {OpInput{x}, OpInput{i64({2}, {2, 1})}}, attrs({{"mode", std::string("edge")}}));
  EXPECT_EQ(floats(e.outputs[0]), (V{1, 1, 1, 2, 3, 3}));
  // Negative pads crop; axes input (opset 18) pads only axis 1 of a 2x2.
  OpResult n = runOp("Pad", {OpInput{x}, OpInput{i64({2}, {-1, 1})}});
  EXPECT_EQ(floats(n.outputs[0]), (V{2, 3, 0}));
  OpResult a = runOp("Pad", {OpInput{f32({2, 2}, {1, 2, 3, 4})}, OpInput{i64({2}, {1, 0})}, std::nullopt,
                             OpInput{i64({1}, {-1})}});
  ASSERT_TRUE(a.status.ok()) << a.status.message();
  EXPECT_EQ(floats(a.outputs[0]), (V{0, 1, 2, 0, 3, 4}));
  EXPECT_FALSE(runOp("Pad", {OpInput{x}, OpInput{i64({2}, {3, 0})}}, attrs({{"mode", std::string("reflect")}}))
                   .status.ok());
}

TEST(ShapeOps, ScatterNDAndScatterElements) {
  OpResult r = runOp("ScatterND", {OpInput{f32({4}, {1, 2, 3, 4})}, OpInput{i64({2, 1}, {1, 3})},
                                   OpInput{f32({2}, {9, 10})}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(floats(r.outputs[0]), (V{1, 9, 3, 10}));
  // Row slice of a 2x2 (k = 1 < rank), index -1 is the last row.
  OpResult row = runOp("ScatterND", {OpInput{f32({2, 2}, {0, 0, 0, 0})}, OpInput{i64({1, 1}, {-1})},
                                     OpInput{f32({1, 2}, {5, 6})}});
  EXPECT_EQ(floats(row.outputs[0]), (V{0, 0, 5, 6}));
  OpResult add = runOp("ScatterND", {OpInput{f32({4}, {1, 2, 3, 4})}, OpInput{i64({2, 1}, {0, 0})},
                                     OpInput{f32({2}, {1, 2})}}, attrs({{"reduction", std::string("add")}}));
  EXPECT_EQ(floats(add.outputs[0]), (V{4, 2, 3, 4}));
  EXPECT_FALSE(runOp("ScatterND", {OpInput{f32({4}, {1, 2, 3, 4})}, OpInput{i64({2, 1}, {0, 1})},
                                   OpInput{f32({3}, {1, 2, 3})}}).status.ok());
  OpResult e = runOp("ScatterElements", {OpInput{f32({2, 3}, {0, 0, 0, 0, 0, 0})}, OpInput{i64({2, 2}, {2, 0, 1, -1})},
                                         OpInput{f32({2, 2}, {1, 2, 3, 4})}}, attrs({{"axis", int64_t(1)}}));
  ASSERT_TRUE(e.status.ok()) << e.status.message();
  EXPECT_EQ(floats(e.outputs[0]), (V{2, 0, 1, 0, 3, 4}));
}

TEST(ShapeOps, DataMovementIsTypeAgnosticAndErrorsNameTheNode) {
  // fp16 transpose keeps the bit patterns; int64 gather of a shape vector.
  HostTensor h = f16({2, 2}, {1.5f, -2, 3, 65504});
  OpResult t = runOp("Transpose", {OpInput{h}});
  ASSERT_EQ(t.descs[0].dtype, DType::kFloat16);
  EXPECT_EQ(t.outputs[0].data<uint16_t>()[1], h.data<uint16_t>()[2]);
  EXPECT_EQ(t.outputs[0].data<uint16_t>()[3], h.data<uint16_t>()[3]);
  OpResult g = runOp("Gather", {OpInput{i64({4}, {8, 128, 12, 64})}, OpInput{i64({2}, {-1, 0})}});
  EXPECT_EQ(ints(g.outputs[0]), (I{64, 8}));
  OpResult bad = runOp("Concat", {OpInput{iota({2})}, OpInput{iota({2})}}, attrs({{"axis", int64_t(1)}}));
  ASSERT_FALSE(bad.status.ok());
  EXPECT_EQ(bad.status.message(), "node 'n0' (Concat): axis 1 is out of range for rank 1");
}

TEST(ShapeOps, ShapeAndSizeNeverReadBytes) {
  // The driver may fold Shape/Size of a runtime input with a byte-less tensor.
  const OpDef* shape = OpRegistry::instance().find("Shape");
  const OpDef* size = OpRegistry::instance().find("Size");
  ASSERT_TRUE(shape && size);
  HostTensor placeholder(DType::kFloat16, {256, 3, 224, 224}, {});
  std::vector<const HostTensor*> in{&placeholder};
  Node node{"Shape", "shape_of_input", {0}, {1}, attrs({{"end", int64_t(2)}}), {}, false};
  std::vector<HostTensor> out{HostTensor(DType::kInt64, {2})};
  ASSERT_TRUE(shape->cpu(node, in, out).ok());
  EXPECT_EQ(ints(out[0]), (I{256, 3}));
  std::vector<HostTensor> n{HostTensor(DType::kInt64, {})};
  ASSERT_TRUE(size->cpu(node, in, n).ok());
  EXPECT_EQ(ints(n[0]), (I{256 * 3 * 224 * 224}));
}

TEST(ShapeOps, ShapeArithmeticChainFolds) {
  // Shape(const) -> Gather(1) -> Unsqueeze -> Concat -> Reshape, as torch.onnx emits.
  Graph g;
  g.opset = 18;
  ValueId x = g.addConstant("x", iota({2, 3, 4}));
  ValueId s = g.addValue("s"), d = g.addValue("d"), du = g.addValue("du"), cat = g.addValue("cat"),
          y = g.addValue("y");
  ValueId idx = g.addConstant("idx", i64({}, {1}));
  ValueId minus1 = g.addConstant("m1", i64({1}, {-1}));
  ValueId zero = g.addConstant("zero", i64({1}, {0}));
  g.addNode(Node{"Shape", "shape", {x}, {s}, {}, {}, false});
  g.addNode(Node{"Gather", "gather", {s, idx}, {d}, {}, {}, false});
  g.addNode(Node{"Unsqueeze", "unsq", {d, zero}, {du}, {}, {}, false});
  Node concat{"Concat", "concat", {minus1, du}, {cat}, {}, {}, false};
  concat.attrs.set("axis", int64_t(0));
  g.addNode(concat);
  g.addNode(Node{"Reshape", "reshape", {x, cat}, {y}, {}, {}, false});
  g.outputs.push_back(y);
  ASSERT_TRUE(inferShapes(g).ok());
  // Only the graph-output Reshape stays; its shape input folded to [-1, 3].
  ASSERT_EQ(g.liveNodeCount(), 1);
  EXPECT_EQ(g.nodes[0].op, "Reshape");
  EXPECT_EQ(g.values[size_t(g.findValue("y"))].desc.shape, (Shape{8, 3}));
  EXPECT_EQ(g.constantOf(g.findValue("cat"))->toInts(), (I{-1, 3}));
}

}  // namespace
}  // namespace gpuscope::engine::testing
