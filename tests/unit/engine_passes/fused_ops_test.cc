// The gpuscope.* CPU reference ops on hand-computed cases (the pass tests
// compare them with the unfused ONNX graphs on random data).
#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/ops/fused_ops.h"
#include "engine/passes/infer_shapes.h"
#include "pass_test_util.h"

namespace gpuscope::engine::testing {
namespace {

// Builds a one-node graph of `op`, infers it and runs it on `inputs`.
StatusOr<HostTensor> runOne(GraphBuilder& b, const std::string& op, std::vector<ValueId> ins, Attributes a,
                            const std::map<std::string, HostTensor>& inputs) {
  b.output(b.node(op, "n", std::move(ins), std::move(a)));
  GS_RETURN_IF_ERROR(inferShapes(b.g, InferOptions{.fold_constants = false}));
  GS_ASSIGN_OR_RETURN(std::vector<HostTensor> out, runGraph(b.g, inputs));
  return out[0];
}

TEST(FusedOps, AttentionCausalByHand) {
  // Sq = Sk = 2, D = 1, q = 1, k = [0, ln 3], v = [2, 6]. Row 0 sees key 0 only -> 2;
  // row 1: softmax([0, ln 3]) = [1/4, 3/4] -> 0.5 + 4.5 = 5.
  GraphBuilder b;
  ValueId q = b.input("q", {1, 1, 2, 1}), k = b.input("k", {1, 1, 2, 1}), v = b.input("v", {1, 1, 2, 1});
  std::map<std::string, HostTensor> in{{"q", HostTensor::fromFloats(DType::kFloat32, {1, 1, 2, 1}, std::vector<float>{1, 1})},
                                       {"k", HostTensor::fromFloats(DType::kFloat32, {1, 1, 2, 1}, std::vector<float>{0, std::log(3.f)})},
                                       {"v", HostTensor::fromFloats(DType::kFloat32, {1, 1, 2, 1}, std::vector<float>{2, 6})}};
  auto y = runOne(b, std::string(fused::kAttention), {q, k, v}, attrs({{"scale", 1.f}, {"causal", int64_t(1)}}), in);
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_NEAR(y->getDouble(0), 2.0, 1e-6);
  EXPECT_NEAR(y->getDouble(1), 5.0, 1e-5);
}

TEST(FusedOps, AttentionShapeErrorsNameTheNode) {
  GraphBuilder b;
  ValueId q = b.input("q", {1, 2, 3, 4}), k = b.input("k", {1, 2, 3, 5}), v = b.input("v", {1, 2, 3, 4});
  b.output(b.node(std::string(fused::kAttention), "att", {q, k, v}));
  Status s = inferShapes(b.g, InferOptions{.fold_constants = false});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), ::testing::HasSubstr("node 'att' (gpuscope.Attention)"));
}

TEST(FusedOps, ConvResidualClipByHand) {
  // 1x1 conv, W = 2: x = [-1, 0.2, 3] -> [-2, 0.4, 6]; + Z 0.5 -> [-1.5, 0.9, 6.5]; clip [-1, 1].
  GraphBuilder b;
  ValueId x = b.input("x", {1, 1, 1, 3}), z = b.input("z", {1, 1, 1, 3});
  std::map<std::string, HostTensor> in{{"x", HostTensor::fromFloats(DType::kFloat32, {1, 1, 1, 3}, std::vector<float>{-1, 0.2f, 3})},
                                       {"z", HostTensor::fromFloats(DType::kFloat32, {1, 1, 1, 3}, std::vector<float>{0.5f, 0.5f, 0.5f})}};
  auto y = runOne(b, std::string(fused::kConv), {x, b.constant("w", {1, 1, 1, 1}, {2.f}), kNoValue, z},
                  attrs({{"activation", std::string("Clip")}, {"clip_min", -1.f}, {"clip_max", 1.f}}), in);
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_FLOAT_EQ(float(y->getDouble(0)), -1.f);
  EXPECT_FLOAT_EQ(float(y->getDouble(1)), 0.9f);
  EXPECT_FLOAT_EQ(float(y->getDouble(2)), 1.f);
}

TEST(FusedOps, GemmGeluFormsByHand) {
  // A = [[1, 1]], B^T given (trans_b): B = [[0.5, 0.5]] -> A B^T = 1; alpha 2 -> 2; bias -1 -> 1.
  // gelu_erf(1) = 0.8413447460685429, gelu_tanh(1) = 0.8411919906082768 (published values).
  for (auto [act, want] : {std::pair<const char*, double>{"Gelu", 0.8413447460685429}, {"GeluTanh", 0.8411919906082768},
                           {"Relu", 1.0}}) {
    GraphBuilder b;
    ValueId a = b.input("a", {1, 2});
    std::map<std::string, HostTensor> in{{"a", HostTensor::fromFloats(DType::kFloat32, {1, 2}, std::vector<float>{1, 1})}};
    auto y = runOne(b, std::string(fused::kGemm), {a, b.constant("b", {1, 2}, {0.5f, 0.5f}), b.constant("bias", {1}, {-1.f})},
                    attrs({{"trans_b", int64_t(1)}, {"alpha", 2.f}, {"activation", std::string(act)}}), in);
    ASSERT_TRUE(y.ok()) << y.status().message();
    EXPECT_NEAR(y->getDouble(0), want, 1e-6) << act;
  }
}

TEST(FusedOps, GemmRejectsConvActivation) {
  GraphBuilder b;
  ValueId a = b.input("a", {2, 2});
  b.output(b.node(std::string(fused::kGemm), "g", {a, b.constant("b", {2, 2}, {1, 0, 0, 1})},
                  attrs({{"activation", std::string("Sigmoid")}})));
  Status s = inferShapes(b.g, InferOptions{.fold_constants = false});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput);
}

TEST(FusedOps, GemmResidualByHand) {
  // A = [[1, 2], [3, 4]] (batch 2 of [1,2] rows), B = [[1, 0], [0, 1]] * 1 -> A;
  // alpha 0.5 -> [[0.5, 1], [1.5, 2]]; bias [10, 20] -> [[10.5, 21], [11.5, 22]];
  // R = [[-10, -21], [-13, -20]] -> [[0.5, 0], [-1.5, 2]]; Relu of the sum -> [[0.5, 0], [0, 2]].
  GraphBuilder b;
  ValueId a = b.input("a", {2, 1, 2}), r = b.input("r", {2, 1, 2});
  std::map<std::string, HostTensor> in{{"a", HostTensor::fromFloats(DType::kFloat32, {2, 1, 2}, std::vector<float>{1, 2, 3, 4})},
                                       {"r", HostTensor::fromFloats(DType::kFloat32, {2, 1, 2}, std::vector<float>{-10, -21, -13, -20})}};
  auto y = runOne(b, std::string(fused::kGemm), {a, b.constant("b", {2, 2}, {1, 0, 0, 1}), b.constant("bias", {2}, {10, 20}), r},
                  attrs({{"alpha", 0.5f}, {"activation", std::string("Relu")}}), in);
  ASSERT_TRUE(y.ok()) << y.status().message();
  ASSERT_EQ(y->shape(), (Shape{2, 1, 2}));
  const double want[] = {0.5, 0, 0, 2};
  for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(float(y->getDouble(i)), float(want[i])) << i;
}

TEST(FusedOps, GemmResidualWithoutBias) {
  // [1, 2] @ [[3], [4]] = 11; + R 0.25 = 11.25 (bias omitted: input 2 is kNoValue).
  GraphBuilder b;
  ValueId a = b.input("a", {1, 2}), r = b.input("r", {1, 1});
  std::map<std::string, HostTensor> in{{"a", HostTensor::fromFloats(DType::kFloat32, {1, 2}, std::vector<float>{1, 2})},
                                       {"r", HostTensor::fromFloats(DType::kFloat32, {1, 1}, std::vector<float>{0.25f})}};
  auto y = runOne(b, std::string(fused::kGemm), {a, b.constant("b", {2, 1}, {3, 4}), kNoValue, r}, attrs({}), in);
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_FLOAT_EQ(float(y->getDouble(0)), 11.25f);
}

TEST(FusedOps, GemmResidualMustHaveTheOutputShapeAndType) {
  // Y is [2,3,4]: a residual that would broadcast ([3,4], [2,3,1]), one of
  // another type and a fifth input are all refused by inference.
  struct Case { Shape r; DType t; bool extra; const char* what; };
  for (const Case& c : {Case{{3, 4}, DType::kFloat32, false, "residual must be fp32 2x3x4"},
                        Case{{2, 3, 1}, DType::kFloat32, false, "residual must be fp32 2x3x4"},
                        Case{{2, 3, 4}, DType::kFloat16, false, "residual must be fp32 2x3x4"},
                        Case{{2, 3, 4}, DType::kFloat32, true, "at most 4 inputs"}}) {
    SCOPED_TRACE(shapeText(c.r));
    GraphBuilder b;
    ValueId a = b.input("a", {2, 3, 5}), r = b.input("r", c.r, c.t);
    std::vector<ValueId> ins = {a, b.weight("w", {5, 4}), kNoValue, r};
    if (c.extra) ins.push_back(r);
    b.output(b.node(std::string(fused::kGemm), "g", ins));
    Status s = inferShapes(b.g, InferOptions{.fold_constants = false});
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), StatusCode::kInvalidInput);
    EXPECT_THAT(s.message(), ::testing::HasSubstr("node 'g' (gpuscope.Gemm)"));
    EXPECT_THAT(s.message(), ::testing::HasSubstr(c.what));
  }
}

TEST(FusedOps, ReformatRoundsToHalf) {
  GraphBuilder b;
  ValueId x = b.input("x", {2});
  std::map<std::string, HostTensor> in{{"x", HostTensor::fromFloats(DType::kFloat32, {2}, std::vector<float>{1.f / 3.f, 70000.f})}};
  auto y = runOne(b, std::string(fused::kReformat), {x}, attrs({{"to", int64_t(10)}}), in);  // 10 = FLOAT16
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_EQ(y->dtype(), DType::kFloat16);
  EXPECT_EQ(y->data<uint16_t>()[0], 0x3555);  // 1/3 in binary16
  EXPECT_EQ(y->data<uint16_t>()[1], 0x7c00);  // overflow -> +inf, as ONNX Cast
}

}  // namespace
}  // namespace gpuscope::engine::testing
