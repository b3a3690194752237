// Neural-network ops through inferShapes (folding) and runNodeOnCpu.
// Expected values are hand-computed or come from naive formulas written here.
#include <cmath>
#include <cstdint>

#include <gtest/gtest.h>

#include "unit/engine_ops/op_test_util.h"

namespace gpuscope::engine::testing {
namespace {

using V = std::vector<float>;
using I = std::vector<int64_t>;

std::vector<float> floats(const HostTensor& t) { return t.toFloats(); }

void expectNear(const std::vector<float>& got, const std::vector<float>& want, float tol = 1e-5f) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

// Deterministic non-trivial values: (i * 7 % 11 - 5) / 4.
HostTensor pattern(Shape shape, DType dtype = DType::kFloat32) {
  HostTensor t(dtype, shape);
  for (int64_t i = 0; i < t.elements(); ++i) t.setDouble(i, double((i * 7) % 11 - 5) / 4.0);
  return t;
}

TEST(NnOps, MatMul2DAndVectors) {
  HostTensor a = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  HostTensor b = f32({3, 2}, {7, 8, 9, 10, 11, 12});
  OpResult r = runOp("MatMul", {OpInput{a}, OpInput{b}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(floats(r.outputs[0]), (V{58, 64, 139, 154}));
  OpResult va = runOp("MatMul", {OpInput{f32({3}, {1, 2, 3})}, rt(b)});
  ASSERT_TRUE(va.status.ok()) << va.status.message();
  EXPECT_EQ(va.descs[0].shape, (Shape{2}));
  EXPECT_EQ(floats(va.outputs[0]), (V{58, 64}));
  OpResult vb = runOp("MatMul", {OpInput{a}, OpInput{f32({3}, {1, 1, 1})}});
  EXPECT_EQ(vb.descs[0].shape, (Shape{2}));
  EXPECT_EQ(floats(vb.outputs[0]), (V{6, 15}));
  OpResult vv = runOp("MatMul", {OpInput{f32({3}, {1, 2, 3})}, OpInput{f32({3}, {1, 2, 3})}});
  EXPECT_EQ(vv.descs[0].shape, Shape{});
  EXPECT_EQ(floats(vv.outputs[0]), (V{14}));
  EXPECT_FALSE(runOp("MatMul", {OpInput{a}, OpInput{a}}).status.ok());
}

TEST(NnOps, MatMulBatchBroadcast) {
  // A [2,1,2,3] x B [4,3,2] -> [2,4,2,2]; naive triple loop as the reference.
  HostTensor a = pattern({2, 1, 2, 3});
  HostTensor b = pattern({4, 3, 2});
  OpResult r = runOp("MatMul", {rt(a), OpInput{b}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.descs[0].shape, (Shape{2, 4, 2, 2}));
  std::vector<float> y = floats(r.outputs[0]);
  for (int p = 0; p < 2; ++p)
    for (int q = 0; q < 4; ++q)
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) {
          double want = 0;
          for (int k = 0; k < 3; ++k) want += a.getDouble(p * 6 + i * 3 + k) * b.getDouble(q * 6 + k * 2 + j);
          EXPECT_NEAR(y[size_t(((p * 4 + q) * 2 + i) * 2 + j)], want, 1e-5);
        }
}

TEST(NnOps, MatMulFp16) {
  OpResult r = runOp("MatMul", {OpInput{f16({1, 2}, {0.5f, 1.5f})}, OpInput{f16({2, 1}, {2, 4})}});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.descs[0].dtype, DType::kFloat16);
  EXPECT_EQ(floats(r.outputs[0]), (V{7}));
}

TEST(NnOps, GemmTransposesAlphaBetaAndBroadcastC) {
  // A^T stored [3,2], B^T stored [2,3]: A B = [[58,64],[139,154]].
  HostTensor at = f32({3, 2}, {1, 4, 2, 5, 3, 6});
  HostTensor bt = f32({2, 3}, {7, 9, 11, 8, 10, 12});
  Attributes at_attrs = attrs({{"transA", int64_t(1)}, {"transB", int64_t(1)}, {"alpha", 2.0f}, {"beta", 0.5f}});
  OpResult r = runOp("Gemm", {OpInput{at}, OpInput{bt}, OpInput{f32({2}, {1, 2})}}, at_attrs);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(floats(r.outputs[0]), (V{116.5f, 129, 278.5f, 309}));
  OpResult noc = runOp("Gemm", {OpInput{at}, OpInput{bt}}, at_attrs);
  EXPECT_EQ(floats(noc.outputs[0]), (V{116, 128, 278, 308}));
  EXPECT_FALSE(runOp("Gemm", {OpInput{at}, OpInput{bt}, OpInput{f32({3}, {1, 2, 3})}}, at_attrs).status.ok());
  EXPECT_FALSE(runOp("Gemm", {OpInput{at}, OpInput{at}}).status.ok());  // K: 2 vs 3
}

// Naive 2-D convolution written from the definition, for comparison.
std::vector<float> naiveConv2d(const HostTensor& x, const HostTensor& w, const std::vector<float>& bias, int group,
                               int stride, int pad_top, int pad_left, int dil, int oh, int ow) {
  int n = int(x.shape()[0]), c = int(x.shape()[1]), h = int(x.shape()[2]), wd = int(x.shape()[3]);
  int m = int(w.shape()[0]), cg = int(w.shape()[1]), kh = int(w.shape()[2]), kw = int(w.shape()[3]);
  std::vector<float> y;
  for (int b = 0; b < n; ++b)
    for (int o = 0; o < m; ++o)
      for (int i = 0; i < oh; ++i)
        for (int j = 0; j < ow; ++j) {
          double s = bias.empty() ? 0 : bias[size_t(o)];
          int g = o / (m / group);
          for (int ci = 0; ci < cg; ++ci)
            for (int u = 0; u < kh; ++u)
              for (int v = 0; v < kw; ++v) {
                int r = i * stride - pad_top + u * dil, q = j * stride - pad_left + v * dil;
                if (r < 0 || r >= h || q < 0 || q >= wd) continue;
                s += x.getDouble(((b * c + g * cg + ci) * h + r) * wd + q) *
                     w.getDouble(((o * cg + ci) * kh + u) * kw + v);
              }
          y.push_back(float(s));
        }
  return y;
}

TEST(NnOps, ConvHandComputed) {
  HostTensor x = f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  HostTensor w = f32({1, 1, 2, 2}, {1, 1, 1, 1});
  OpResult r = runOp("Conv", {OpInput{x}, OpInput{w}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.descs[0].shape, (Shape{1, 1, 2, 2}));
  EXPECT_EQ(floats(r.outputs[0]), (V{12, 16, 24, 28}));
  OpResult p = runOp("Conv", {OpInput{x}, OpInput{w}, OpInput{f32({1}, {0.5f})}},
                     attrs({{"pads", I{1, 1, 1, 1}}, {"strides", I{2, 2}}}));
  EXPECT_EQ(floats(p.outputs[0]), (V{1.5f, 5.5f, 11.5f, 28.5f}));
  // SAME_UPPER pads at the end (odd total pad), SAME_LOWER at the beginning.
  OpResult up = runOp("Conv", {OpInput{x}, OpInput{w}}, attrs({{"auto_pad", std::string("SAME_UPPER")}}));
  ASSERT_EQ(up.descs[0].shape, (Shape{1, 1, 3, 3}));
  EXPECT_EQ(floats(up.outputs[0]), (V{12, 16, 9, 24, 28, 15, 15, 17, 9}));
  OpResult lo = runOp("Conv", {OpInput{x}, OpInput{w}}, attrs({{"auto_pad", std::string("SAME_LOWER")}}));
  EXPECT_EQ(floats(lo.outputs[0]), (V{1, 3, 5, 5, 12, 16, 11, 24, 28}));
  OpResult valid = runOp("Conv", {OpInput{x}, OpInput{w}},
                         attrs({{"auto_pad", std::string("VALID")}, {"pads", I{1, 1, 1, 1}}}));
  EXPECT_EQ(valid.descs[0].shape, (Shape{1, 1, 2, 2}));
}

TEST(NnOps, ConvGroupsStridesDilationsAgainstNaive) {
  // 2 images, 4 channels, 2 groups, 6 filters 3x3, stride 2, pads (1,2,1,0), dilation 2.
  HostTensor x = pattern({2, 4, 7, 6});
  HostTensor w = pattern({6, 2, 3, 3});
  std::vector<float> bias{0.5f, -1, 2, 0, 1, -0.25f};
  Attributes a = attrs({{"group", int64_t(2)}, {"strides", I{2, 2}}, {"pads", I{1, 2, 1, 0}},
                        {"dilations", I{2, 2}}, {"kernel_shape", I{3, 3}}});
  OpResult r = runOp("Conv", {rt(x), OpInput{w}, OpInput{f32({6}, bias)}}, a);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  // H: (7 + 2 - 5) / 2 + 1 = 3; W: (6 + 2 - 5) / 2 + 1 = 2.
  ASSERT_EQ(r.descs[0].shape, (Shape{2, 6, 3, 2}));
  expectNear(floats(r.outputs[0]), naiveConv2d(x, w, bias, 2, 2, 1, 2, 2, 3, 2), 1e-4f);
  // fp16 input: same math, rounded at the end.
  OpResult h = runOp("Conv", {OpInput{x.castTo(DType::kFloat16)}, OpInput{w.castTo(DType::kFloat16)},
                              OpInput{f16({6}, bias)}}, a);
  ASSERT_TRUE(h.status.ok());
  EXPECT_EQ(h.descs[0].dtype, DType::kFloat16);
  expectNear(floats(h.outputs[0]), naiveConv2d(x, w, bias, 2, 2, 1, 2, 2, 3, 2), 1e-2f);
  // Group mismatch: 4 channels, W[1] = 2, group 1.
  EXPECT_FALSE(runOp("Conv", {OpInput{x}, OpInput{w}}).status.ok());
}

TEST(NnOps, ConvConfigurationsAgainstNaive) {
  struct Case {
    Shape x, w;
    int group, stride, pad, dil;
  };
  // ResNet stem (7x7 stride 2 pad 3), depthwise 3x3, 1x1 stride 2, dilated.
  std::vector<Case> cases{{{1, 3, 11, 9}, {4, 3, 7, 7}, 1, 2, 3, 1},
                          {{2, 4, 5, 5}, {4, 1, 3, 3}, 4, 1, 1, 1},
                          {{1, 6, 7, 7}, {5, 6, 1, 1}, 1, 2, 0, 1},
                          {{1, 2, 9, 8}, {2, 2, 3, 3}, 1, 1, 2, 3}};
  for (const Case& c : cases) {
    HostTensor x = pattern(c.x), w = pattern(c.w);
    Attributes a = attrs({{"group", int64_t(c.group)},
                          {"strides", I{c.stride, c.stride}},
                          {"pads", I{c.pad, c.pad, c.pad, c.pad}},
                          {"dilations", I{c.dil, c.dil}}});
    OpResult r = runOp("Conv", {OpInput{x}, OpInput{w}}, a);
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    int oh = int((c.x[2] + 2 * c.pad - c.dil * (c.w[2] - 1) - 1) / c.stride + 1);
    int ow = int((c.x[3] + 2 * c.pad - c.dil * (c.w[3] - 1) - 1) / c.stride + 1);
    ASSERT_EQ(r.descs[0].shape, (Shape{c.x[0], c.w[0], oh, ow}));
    expectNear(floats(r.outputs[0]), naiveConv2d(x, w, {}, c.group, c.stride, c.pad, c.pad, c.dil, oh, ow), 1e-4f);
  }
}

TEST(NnOps, FoldsLargeWeightTranspose) {
  // A 768x3072 weight transposed at build time, as BERT's MatMul weights are.
  HostTensor w(DType::kFloat32, {768, 3072});
  for (int64_t i = 0; i < w.elements(); ++i) w.data<float>()[i] = float(i % 65536);
  OpResult r = runOp("Transpose", {OpInput{w}});
  ASSERT_TRUE(r.status.ok());
  ASSERT_TRUE(r.folded);
  ASSERT_EQ(r.descs[0].shape, (Shape{3072, 768}));
  const float* y = r.outputs[0].data<float>();
  for (int64_t j : {0, 1, 1000, 3071})
    for (int64_t i : {0, 5, 767}) EXPECT_EQ(y[j * 768 + i], float((i * 3072 + j) % 65536));
}

TEST(NnOps, WindowAttributeErrors) {
  HostTensor x = f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  HostTensor w = f32({1, 1, 2, 2}, {1, 1, 1, 1});
  OpResult bad_pad = runOp("Conv", {OpInput{x}, OpInput{w}}, attrs({{"auto_pad", std::string("SAME")}}));
  ASSERT_FALSE(bad_pad.status.ok());
  EXPECT_NE(bad_pad.status.message().find("node 'n0' (Conv): unknown auto_pad 'SAME'"), std::string::npos);
  EXPECT_FALSE(runOp("Conv", {OpInput{x}, OpInput{w}}, attrs({{"strides", I{1}}})).status.ok());
  EXPECT_FALSE(runOp("Conv", {OpInput{x}, OpInput{f32({1, 1, 4, 4}, V(16, 1.0f))}}).status.ok());  // window > input
  EXPECT_FALSE(runOp("MaxPool", {OpInput{x}}).status.ok());  // kernel_shape missing
  EXPECT_FALSE(runOp("GlobalAveragePool", {OpInput{f32({2, 2}, {1, 2, 3, 4})}}).status.ok());
}

TEST(NnOps, Conv1D) {
  // x = [1,2,3,4], w = [1,-1] -> [-1,-1,-1]; pads 1,0 -> [-1 (0-1), -1, -1, -1].
  OpResult r = runOp("Conv", {OpInput{f32({1, 1, 4}, {1, 2, 3, 4})}, OpInput{f32({1, 1, 2}, {1, -1})}},
                     attrs({{"pads", I{1, 0}}}));
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.descs[0].shape, (Shape{1, 1, 4}));
  EXPECT_EQ(floats(r.outputs[0]), (V{-1, -1, -1, -1}));
}

TEST(NnOps, MaxPoolWithIndicesAndCeilMode) {
  HostTensor x = f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  OpResult r = runOp("MaxPool", {OpInput{x}}, attrs({{"kernel_shape", I{2, 2}}}), 2);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(floats(r.outputs[0]), (V{5, 6, 8, 9}));
  EXPECT_EQ(r.outputs[1].toInts(), (I{4, 5, 7, 8}));
  OpResult c = runOp("MaxPool", {OpInput{x}},
                     attrs({{"kernel_shape", I{2, 2}}, {"strides", I{2, 2}}, {"ceil_mode", int64_t(1)}}));
  EXPECT_EQ(c.descs[0].shape, (Shape{1, 1, 2, 2}));
  EXPECT_EQ(floats(c.outputs[0]), (V{5, 6, 8, 9}));
  OpResult f = runOp("MaxPool", {OpInput{x}}, attrs({{"kernel_shape", I{2, 2}}, {"strides", I{2, 2}}}));
  EXPECT_EQ(f.descs[0].shape, (Shape{1, 1, 1, 1}));
  // ResNet's stem pool: 3x3 stride 2 pad 1 on 4x4 -> 2x2; negative values keep
  // padding out of the max.
  HostTensor neg = f32({1, 1, 4, 4}, {-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14, -15, -16});
  OpResult s = runOp("MaxPool", {OpInput{neg}},
                     attrs({{"kernel_shape", I{3, 3}}, {"strides", I{2, 2}}, {"pads", I{1, 1, 1, 1}}}));
  EXPECT_EQ(floats(s.outputs[0]), (V{-1, -2, -5, -6}));
  // ceil_mode drops a window that would start in the end padding: 1-D input 4,
  // kernel 2, stride 2, pad_end 1: ceil((4+1-2)/2)+1 = 3 but window 3 starts at 4.
  OpResult d = runOp("MaxPool", {OpInput{f32({1, 1, 4}, {1, 2, 3, 4})}},
                     attrs({{"kernel_shape", I{2}}, {"strides", I{2}}, {"pads", I{0, 1}}, {"ceil_mode", int64_t(1)}}));
  EXPECT_EQ(d.descs[0].shape, (Shape{1, 1, 2}));
}

TEST(NnOps, AveragePoolPadsAndCeil) {
  HostTensor x = f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  OpResult c = runOp("AveragePool", {OpInput{x}},
                     attrs({{"kernel_shape", I{2, 2}}, {"strides", I{2, 2}}, {"ceil_mode", int64_t(1)}}));
  EXPECT_EQ(floats(c.outputs[0]), (V{3, 4.5f, 7.5f, 9}));
  Attributes pad = attrs({{"kernel_shape", I{3, 3}}, {"pads", I{1, 1, 1, 1}}});
  OpResult ex = runOp("AveragePool", {OpInput{x}}, pad);
  std::vector<float> e = floats(ex.outputs[0]);
  EXPECT_FLOAT_EQ(e[0], 3.0f);   // (1+2+4+5)/4
  EXPECT_FLOAT_EQ(e[1], 3.5f);   // (1+2+3+4+5+6)/6
  EXPECT_FLOAT_EQ(e[4], 5.0f);   // 45/9
  pad.set("count_include_pad", int64_t(1));
  OpResult in = runOp("AveragePool", {OpInput{x}}, pad);
  std::vector<float> i = floats(in.outputs[0]);
  EXPECT_FLOAT_EQ(i[0], 12.0f / 9.0f);
  EXPECT_FLOAT_EQ(i[1], 21.0f / 9.0f);
}

TEST(NnOps, GlobalPools) {
  HostTensor x = f32({1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  OpResult a = runOp("GlobalAveragePool", {OpInput{x}});
  ASSERT_TRUE(a.status.ok());
  EXPECT_EQ(a.descs[0].shape, (Shape{1, 2, 1, 1}));
  EXPECT_EQ(floats(a.outputs[0]), (V{2.5f, 6.5f}));
  OpResult m = runOp("GlobalMaxPool", {OpInput{x}});
  EXPECT_EQ(floats(m.outputs[0]), (V{4, 8}));
}

TEST(NnOps, BatchNormalizationInference) {
  HostTensor x = f32({1, 2, 1, 2}, {1, 2, 3, 4});
  OpResult r = runOp("BatchNormalization",
                     {OpInput{x}, OpInput{f32({2}, {1, 2})}, OpInput{f32({2}, {0, 1})}, OpInput{f32({2}, {1, 2})},
                      OpInput{f32({2}, {4, 0.25f})}},
                     attrs({{"epsilon", 0.0f}}));
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  // ch0: (x-1)/2; ch1: 2(x-2)/0.5 + 1.
  EXPECT_EQ(floats(r.outputs[0]), (V{0, 0.5f, 5, 9}));
  EXPECT_FALSE(runOp("BatchNormalization",
                     {OpInput{x}, OpInput{f32({2}, {1, 2})}, OpInput{f32({2}, {0, 1})}, OpInput{f32({2}, {1, 2})},
                      OpInput{f32({2}, {4, 0.25f})}},
                     attrs({{"training_mode", int64_t(1)}}))
                   .status.ok());
  EXPECT_FALSE(runOp("BatchNormalization",
                     {OpInput{x}, OpInput{f32({3}, {1, 2, 3})}, OpInput{f32({2}, {0, 1})}, OpInput{f32({2}, {1, 2})},
                      OpInput{f32({2}, {4, 0.25f})}})
                   .status.ok());
}

TEST(NnOps, LayerNormalizationWithStats) {
  // Rows [1,3] and [0,4]: means 2, 2; variances 1, 4 -> normalised [-1, 1] both.
  HostTensor x = f32({2, 2}, {1, 3, 0, 4});
  OpResult r = runOp("LayerNormalization", {rt(x), OpInput{f32({2}, {2, 3})}, OpInput{f32({2}, {1, 0})}},
                     attrs({{"epsilon", 0.0f}}), 3);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(floats(r.outputs[0]), (V{-1, 3, -1, 3}));
  EXPECT_EQ(r.descs[1], (TensorDesc{DType::kFloat32, {2, 1}}));
  EXPECT_EQ(floats(r.outputs[1]), (V{2, 2}));
  EXPECT_EQ(floats(r.outputs[2]), (V{1, 0.5f}));
  // fp16 in, fp16 out, no bias.
  OpResult h = runOp("LayerNormalization", {OpInput{f16({2, 2}, {1, 3, 0, 4})}, OpInput{f16({2}, {2, 3})}});
  ASSERT_TRUE(h.status.ok());
  EXPECT_EQ(h.descs[0].dtype, DType::kFloat16);
  expectNear(floats(h.outputs[0]), {-2, 3, -2, 3}, 1e-2f);
  EXPECT_FALSE(runOp("LayerNormalization", {OpInput{x}, OpInput{f32({3}, {1, 2, 3})}}).status.ok());
}

TEST(NnOps, SoftmaxAxesAndLegacyOpset) {
  HostTensor x = f32({2, 3}, {1, 2, 3, 0, 0, 0});
  OpResult r = runOp("Softmax", {OpInput{x}});
  ASSERT_TRUE(r.status.ok());
  double s = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  expectNear(floats(r.outputs[0]),
             {float(std::exp(1.0) / s), float(std::exp(2.0) / s), float(std::exp(3.0) / s), 1 / 3.f, 1 / 3.f, 1 / 3.f});
  // axis 0: columns (1,0), (2,0), (3,0).
  OpResult c = runOp("Softmax", {OpInput{x}}, attrs({{"axis", int64_t(0)}}));
  std::vector<float> y = floats(c.outputs[0]);
  for (int j = 0; j < 3; ++j) {
    double e = std::exp(double(j + 1));
    EXPECT_NEAR(y[size_t(j)], e / (e + 1), 1e-6);
    EXPECT_NEAR(y[size_t(3 + j)], 1 / (e + 1), 1e-6);
  }
  OpResult l = runOp("LogSoftmax", {OpInput{x}});
  EXPECT_NEAR(floats(l.outputs[0])[0], 1 - std::log(s), 1e-5);
  EXPECT_NEAR(floats(l.outputs[0])[4], -std::log(3.0), 1e-5);
  // Opset 11 coerces to 2-D at axis 1: fine for rank 2, refused for rank 3.
  EXPECT_TRUE(runOp("Softmax", {OpInput{x}}, {}, 1, 11).status.ok());
  EXPECT_FALSE(runOp("Softmax", {OpInput{pattern({2, 2, 2})}}, {}, 1, 11).status.ok());
  OpResult h = runOp("Softmax", {OpInput{f16({2}, {0, 0})}});
  EXPECT_EQ(h.descs[0].dtype, DType::kFloat16);
  EXPECT_EQ(floats(h.outputs[0]), (V{0.5f, 0.5f}));
}

TEST(NnOps, ReductionsAcrossOpsets) {
  HostTensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  OpResult s13 = runOp("ReduceSum", {OpInput{x}, OpInput{i64({1}, {1})}}, attrs({{"keepdims", int64_t(0)}}), 1, 13);
  ASSERT_TRUE(s13.status.ok()) << s13.status.message();
  EXPECT_EQ(s13.descs[0].shape, (Shape{2}));
  EXPECT_EQ(floats(s13.outputs[0]), (V{6, 15}));
  OpResult s11 = runOp("ReduceSum", {OpInput{x}}, attrs({{"axes", I{0}}}), 1, 11);
  EXPECT_EQ(s11.descs[0].shape, (Shape{1, 3}));
  EXPECT_EQ(floats(s11.outputs[0]), (V{5, 7, 9}));
  OpResult m18 = runOp("ReduceMean", {rt(x), OpInput{i64({1}, {-1})}});
  ASSERT_TRUE(m18.status.ok()) << m18.status.message();
  EXPECT_EQ(m18.descs[0].shape, (Shape{2, 1}));
  EXPECT_EQ(floats(m18.outputs[0]), (V{2, 5}));
  OpResult m17 = runOp("ReduceMean", {OpInput{x}}, attrs({{"axes", I{1}}}), 1, 17);
  EXPECT_EQ(floats(m17.outputs[0]), (V{2, 5}));
  OpResult mx = runOp("ReduceMax", {OpInput{x}}, attrs({{"keepdims", int64_t(0)}}));
  EXPECT_EQ(mx.descs[0].shape, Shape{});
  EXPECT_EQ(floats(mx.outputs[0]), (V{6}));
  EXPECT_EQ(floats(runOp("ReduceMin", {OpInput{x}}).outputs[0]), (V{1}));
  EXPECT_EQ(floats(runOp("ReduceProd", {OpInput{x}, OpInput{i64({1}, {0})}}).outputs[0]), (V{4, 10, 18}));
  expectNear(floats(runOp("ReduceL2", {OpInput{x}, OpInput{i64({1}, {1})}}).outputs[0]),
             {float(std::sqrt(14.0)), float(std::sqrt(77.0))});
  // Empty axes: reduce all, or nothing with noop_with_empty_axes.
  EXPECT_EQ(floats(runOp("ReduceSum", {OpInput{x}, OpInput{i64({0}, {})}}).outputs[0]), (V{21}));
  OpResult noop = runOp("ReduceSum", {OpInput{i64({2}, {3, 4})}}, attrs({{"noop_with_empty_axes", int64_t(1)}}));
  EXPECT_EQ(noop.outputs[0].toInts(), (I{3, 4}));
  OpResult isum = runOp("ReduceSum", {OpInput{i64({3}, {1, 2, 3})}});
  EXPECT_EQ(isum.descs[0].dtype, DType::kInt64);
  EXPECT_EQ(isum.outputs[0].toInts(), (I{6}));
  EXPECT_FALSE(runOp("ReduceSum", {OpInput{x}, OpInput{i64({1}, {2})}}).status.ok());
  EXPECT_FALSE(runOp("ReduceMean", {OpInput{x}, rt(i64({1}, {1}))}).status.ok());
}

TEST(NnOps, ArgMaxCumSumDropout) {
  HostTensor x = f32({2, 3}, {1, 3, 3, 7, 5, 6});
  OpResult a = runOp("ArgMax", {OpInput{x}}, attrs({{"axis", int64_t(1)}, {"keepdims", int64_t(0)}}));
  EXPECT_EQ(a.descs[0], (TensorDesc{DType::kInt64, {2}}));
  EXPECT_EQ(a.outputs[0].toInts(), (I{1, 0}));
  OpResult last = runOp("ArgMax", {OpInput{x}}, attrs({{"axis", int64_t(-1)}, {"select_last_index", int64_t(1)}}));
  EXPECT_EQ(last.descs[0].shape, (Shape{2, 1}));
  EXPECT_EQ(last.outputs[0].toInts(), (I{2, 0}));
  EXPECT_EQ(runOp("ArgMin", {OpInput{x}}).outputs[0].toInts(), (I{0, 0, 0}));
  OpResult c = runOp("CumSum", {OpInput{i64({3}, {1, 2, 3})}, OpInput{i64({}, {0})}});
  EXPECT_EQ(c.outputs[0].toInts(), (I{1, 3, 6}));
  OpResult cr = runOp("CumSum", {OpInput{f32({3}, {1, 2, 3})}, OpInput{i64({}, {0})}},
                      attrs({{"exclusive", int64_t(1)}, {"reverse", int64_t(1)}}));
  EXPECT_EQ(floats(cr.outputs[0]), (V{5, 3, 0}));
  OpResult d = runOp("Dropout", {rt(x), OpInput{f32({}, {0.1f})}}, {}, 2);
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_EQ(floats(d.outputs[0]), floats(x));
  EXPECT_EQ(d.descs[1].dtype, DType::kBool);
  EXPECT_EQ(d.outputs[1].toInts(), (I{1, 1, 1, 1, 1, 1}));
  EXPECT_FALSE(runOp("Dropout", {OpInput{x}, std::nullopt, OpInput{boolean({}, {1})}}).status.ok());
}

}  // namespace
}  // namespace gpuscope::engine::testing
