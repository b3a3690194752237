// Elementwise ONNX ops through their registered OpDefs: values worked out by
// hand (or with <cmath> directly), ONNX typing rules and numpy broadcasting.
#include <cmath>

#include <gtest/gtest.h>

#include "engine/ops/pointwise/op_table.h"
#include "test_util.h"

namespace gpuscope::engine {
namespace {

using pwtest::floats;
using pwtest::ints;
using pwtest::runOp;

TEST(PointwiseOps, AddBroadcastsRowOverMatrix) {
  HostTensor a = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  HostTensor b = floats({3}, {10, 20, 30});
  auto r = runOp("Add", {&a, &b});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.descs[0].shape, (Shape{2, 3}));
  EXPECT_EQ(r.outputs[0].toFloats(), (std::vector<float>{11, 22, 33, 14, 25, 36}));
}

TEST(PointwiseOps, BroadcastBothSidesAndScalar) {
  HostTensor a = floats({2, 1}, {1, 2});
  HostTensor b = floats({1, 3}, {10, 20, 30});
  auto r = runOp("Mul", {&a, &b});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.outputs[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(r.outputs[0].toFloats(), (std::vector<float>{10, 20, 30, 20, 40, 60}));
  HostTensor s = floats({}, {2});
  auto r2 = runOp("Sub", {&s, &a});
  ASSERT_TRUE(r2.status.ok());
  EXPECT_EQ(r2.outputs[0].toFloats(), (std::vector<float>{1, 0}));
}

TEST(PointwiseOps, IncompatibleShapesAndTypesAreInvalidInputNamingTheNode) {
  HostTensor a = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  HostTensor b = floats({2}, {1, 2});
  auto r = runOp("Add", {&a, &b});
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidInput);
  EXPECT_NE(r.status.message().find("Add_0"), std::string::npos) << r.status.message();
  HostTensor i = ints({3}, {1, 2, 3});
  auto r2 = runOp("Add", {&a, &i});
  EXPECT_EQ(r2.status.code(), StatusCode::kInvalidInput);
  EXPECT_NE(r2.status.message().find("fp32, int64"), std::string::npos) << r2.status.message();
  auto r3 = runOp("Sigmoid", {&i});  // float only
  EXPECT_EQ(r3.status.code(), StatusCode::kInvalidInput);
}

TEST(PointwiseOps, IntegerDivTruncatesTowardZeroAndModFollowsFmodAttr) {
  HostTensor a = ints({4}, {-7, 7, -7, 7});
  HostTensor b = ints({4}, {2, -2, -2, 2});
  auto d = runOp("Div", {&a, &b});
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.outputs[0].dtype(), DType::kInt64);
  EXPECT_EQ(d.outputs[0].toInts(), (std::vector<int64_t>{-3, -3, 3, 3}));
  HostTensor m1 = ints({4}, {-7, 7, -7, 7});
  HostTensor m2 = ints({4}, {3, -3, -3, 3});
  auto mod = runOp("Mod", {&m1, &m2});  // sign of the divisor (Python %)
  ASSERT_TRUE(mod.status.ok());
  EXPECT_EQ(mod.outputs[0].toInts(), (std::vector<int64_t>{2, -2, -1, 1}));
  Attributes fm;
  fm.set("fmod", int64_t(1));
  auto cmod = runOp("Mod", {&m1, &m2}, fm);  // sign of the dividend (C fmod)
  ASSERT_TRUE(cmod.status.ok());
  EXPECT_EQ(cmod.outputs[0].toInts(), (std::vector<int64_t>{-1, 1, -1, 1}));
  HostTensor f1 = floats({2}, {-7.5f, 7.5f});
  HostTensor f2 = floats({2}, {2, 2});
  auto fmod = runOp("Mod", {&f1, &f2}, fm);
  ASSERT_TRUE(fmod.status.ok());
  EXPECT_EQ(fmod.outputs[0].toFloats(), (std::vector<float>{-1.5f, 1.5f}));
  HostTensor z = ints({1}, {0});
  auto dz = runOp("Div", {&a, &z});  // undefined in ONNX; must not crash
  EXPECT_TRUE(dz.status.ok());
}

TEST(PointwiseOps, Int32ArithmeticWraps) {
  HostTensor a = ints({1}, {2147483647}, DType::kInt32);
  HostTensor b = ints({1}, {1}, DType::kInt32);
  auto r = runOp("Add", {&a, &b});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.outputs[0].dtype(), DType::kInt32);
  EXPECT_EQ(r.outputs[0].toInts()[0], -2147483648LL);
}

TEST(PointwiseOps, ComparisonsGiveBoolAndLogicOpsTakeBool) {
  HostTensor a = floats({4}, {1, 2, 3, NAN});
  HostTensor b = floats({1}, {2});
  struct Case {
    const char* op;
    std::vector<int64_t> want;
  } cases[] = {{"Equal", {0, 1, 0, 0}}, {"Less", {1, 0, 0, 0}}, {"LessOrEqual", {1, 1, 0, 0}},
               {"Greater", {0, 0, 1, 0}}, {"GreaterOrEqual", {0, 1, 1, 0}}};
  for (const Case& c : cases) {
    auto r = runOp(c.op, {&a, &b});
    ASSERT_TRUE(r.status.ok()) << c.op;
    EXPECT_EQ(r.outputs[0].dtype(), DType::kBool) << c.op;
    EXPECT_EQ(r.outputs[0].toInts(), c.want) << c.op;
  }
  HostTensor p = ints({4}, {0, 0, 1, 1}, DType::kBool);
  HostTensor q = ints({4}, {0, 1, 0, 1}, DType::kBool);
  EXPECT_EQ(runOp("And", {&p, &q}).outputs[0].toInts(), (std::vector<int64_t>{0, 0, 0, 1}));
  EXPECT_EQ(runOp("Or", {&p, &q}).outputs[0].toInts(), (std::vector<int64_t>{0, 1, 1, 1}));
  EXPECT_EQ(runOp("Xor", {&p, &q}).outputs[0].toInts(), (std::vector<int64_t>{0, 1, 1, 0}));
  EXPECT_EQ(runOp("Not", {&p}).outputs[0].toInts(), (std::vector<int64_t>{1, 1, 0, 0}));
  EXPECT_EQ(runOp("And", {&a, &b}).status.code(), StatusCode::kInvalidInput);
  auto isnan = runOp("IsNaN", {&a});
  EXPECT_EQ(isnan.outputs[0].toInts(), (std::vector<int64_t>{0, 0, 0, 1}));
  HostTensor inf = floats({3}, {INFINITY, -INFINITY, 1});
  Attributes neg_only;
  neg_only.set("detect_positive", int64_t(0));
  EXPECT_EQ(runOp("IsInf", {&inf}, neg_only).outputs[0].toInts(), (std::vector<int64_t>{0, 1, 0}));
}

TEST(PointwiseOps, ActivationsWithAttributes) {
  HostTensor x = floats({4}, {-2, -0.5f, 0, 3});
  Attributes a;
  a.set("alpha", 0.1f);
  auto lr = runOp("LeakyRelu", {&x}, a);
  ASSERT_TRUE(lr.status.ok());
  EXPECT_EQ(lr.outputs[0].toFloats(), (std::vector<float>{-2 * 0.1f, -0.5f * 0.1f, 0, 3}));
  EXPECT_EQ(runOp("LeakyRelu", {&x}).outputs[0].toFloats()[0], -2 * 0.01f);  // default alpha
  EXPECT_EQ(runOp("Relu", {&x}).outputs[0].toFloats(), (std::vector<float>{0, 0, 0, 3}));
  // HardSigmoid defaults alpha 0.2, beta 0.5: clamp(0.2x + 0.5, 0, 1).
  auto hsig = runOp("HardSigmoid", {&x}).outputs[0].toFloats();
  EXPECT_FLOAT_EQ(hsig[0], 0.1f);
  EXPECT_FLOAT_EQ(hsig[1], 0.4f);
  EXPECT_FLOAT_EQ(hsig[2], 0.5f);
  EXPECT_FLOAT_EQ(hsig[3], 1.f);
  // HardSwish = x * clamp(x/6 + 0.5, 0, 1): -2 -> -2/6, -0.5 -> -0.5*(5/12), 3 -> 3.
  auto hs = runOp("HardSwish", {&x}).outputs[0].toFloats();
  EXPECT_FLOAT_EQ(hs[0], -2.f / 6.f);
  EXPECT_FLOAT_EQ(hs[1], -0.5f * 5.f / 12.f);
  EXPECT_FLOAT_EQ(hs[3], 3);
  auto elu = runOp("Elu", {&x}).outputs[0].toFloats();
  EXPECT_FLOAT_EQ(elu[0], std::exp(-2.f) - 1);
  auto selu = runOp("Selu", {&x}).outputs[0].toFloats();
  EXPECT_FLOAT_EQ(selu[3], 3 * 1.0507009873554805f);
  EXPECT_FLOAT_EQ(selu[0], 1.0507009873554805f * 1.6732632423543772f * (std::exp(-2.f) - 1));
  HostTensor slope = floats({1}, {0.25f});
  EXPECT_EQ(runOp("PRelu", {&x, &slope}).outputs[0].toFloats(), (std::vector<float>{-0.5f, -0.125f, 0, 3}));
  auto sp = runOp("Softplus", {&x}).outputs[0].toFloats();
  EXPECT_FLOAT_EQ(sp[3], std::log(1 + std::exp(3.f)));
}

TEST(PointwiseOps, UnaryMathMatchesCmath) {
  HostTensor x = floats({5}, {-1.7f, -0.3f, 0.2f, 1.5f, 2.5f});
  std::vector<float> v = x.toFloats();
  struct Case {
    const char* op;
    double (*f)(double);
  } cases[] = {{"Tanh", std::tanh}, {"Erf", std::erf}, {"Exp", std::exp}, {"Sin", std::sin}, {"Cos", std::cos},
               {"Floor", std::floor}, {"Ceil", std::ceil}, {"Abs", std::fabs}};
  for (const Case& c : cases) {
    auto r = runOp(c.op, {&x});
    ASSERT_TRUE(r.status.ok()) << c.op;
    for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(r.outputs[0].toFloats()[i], float(c.f(v[i]))) << c.op << i;
  }
  // Round is half-to-even: 2.5 -> 2, -1.7 -> -2.
  EXPECT_EQ(runOp("Round", {&x}).outputs[0].toFloats(), (std::vector<float>{-2, -0, 0, 2, 2}));
  EXPECT_EQ(runOp("Sign", {&x}).outputs[0].toFloats(), (std::vector<float>{-1, -1, 1, 1, 1}));
  HostTensor pos = floats({2}, {4, 0.25f});
  EXPECT_EQ(runOp("Sqrt", {&pos}).outputs[0].toFloats(), (std::vector<float>{2, 0.5f}));
  EXPECT_EQ(runOp("Reciprocal", {&pos}).outputs[0].toFloats(), (std::vector<float>{0.25f, 4}));
  EXPECT_EQ(runOp("Log", {&pos}).outputs[0].toFloats()[0], float(std::log(4.0)));
  EXPECT_EQ(runOp("Neg", {&pos}).outputs[0].toFloats(), (std::vector<float>{-4, -0.25f}));
  auto sig = runOp("Sigmoid", {&x}).outputs[0].toFloats();
  EXPECT_EQ(sig[2], float(1 / (1 + std::exp(-double(v[2])))));
}

TEST(PointwiseOps, GeluErfAndTanhForms) {
  HostTensor x = floats({3}, {-1, 0.5f, 2});
  auto e = runOp("Gelu", {&x});
  ASSERT_TRUE(e.status.ok());
  EXPECT_FLOAT_EQ(e.outputs[0].toFloats()[2], float(0.5 * 2 * (1 + std::erf(2 / std::sqrt(2.0)))));
  Attributes t;
  t.set("approximate", std::string("tanh"));
  auto g = runOp("Gelu", {&x}, t);
  double xx = 0.5;
  EXPECT_FLOAT_EQ(g.outputs[0].toFloats()[1],
                  float(0.5 * xx * (1 + std::tanh(std::sqrt(2 / M_PI) * (xx + 0.044715 * xx * xx * xx)))));
  t.set("approximate", std::string("fast"));
  EXPECT_EQ(runOp("Gelu", {&x}, t).status.code(), StatusCode::kInvalidInput);
}

TEST(PointwiseOps, VariadicMaxMinSumMean) {
  HostTensor a = floats({2, 2}, {1, 5, 3, 7});
  HostTensor b = floats({2}, {4, 4});
  HostTensor c = floats({}, {2});
  EXPECT_EQ(runOp("Max", {&a, &b, &c}).outputs[0].toFloats(), (std::vector<float>{4, 5, 4, 7}));
  EXPECT_EQ(runOp("Min", {&a, &b, &c}).outputs[0].toFloats(), (std::vector<float>{1, 2, 2, 2}));
  EXPECT_EQ(runOp("Sum", {&a, &b, &c}).outputs[0].toFloats(), (std::vector<float>{7, 11, 9, 13}));
  EXPECT_EQ(runOp("Mean", {&a, &b, &c}).outputs[0].toFloats(), (std::vector<float>{7 / 3.f, 11 / 3.f, 3, 13 / 3.f}));
  EXPECT_EQ(runOp("Max", {&a}).outputs[0].toFloats(), a.toFloats());
  HostTensor i = ints({2}, {3, -9});
  HostTensor j = ints({2}, {-4, 8});
  EXPECT_EQ(runOp("Max", {&i, &j}).outputs[0].toInts(), (std::vector<int64_t>{3, 8}));
}

TEST(PointwiseOps, ClipBoundsAsInputsOmittedOrAttributes) {
  HostTensor x = floats({4}, {-5, -1, 1, 5});
  HostTensor lo = floats({}, {-2});
  HostTensor hi = floats({}, {2});
  EXPECT_EQ(runOp("Clip", {&x, &lo, &hi}).outputs[0].toFloats(), (std::vector<float>{-2, -1, 1, 2}));
  EXPECT_EQ(runOp("Clip", {&x, nullptr, &hi}).outputs[0].toFloats(), (std::vector<float>{-5, -1, 1, 2}));
  EXPECT_EQ(runOp("Clip", {&x}).outputs[0].toFloats(), x.toFloats());
  Attributes a;  // Clip-6
  a.set("min", 0.f);
  a.set("max", 6.f);
  EXPECT_EQ(runOp("Clip", {&x}, a).outputs[0].toFloats(), (std::vector<float>{0, 0, 1, 5}));
  HostTensor xi = ints({3}, {-9, 4, 9});
  HostTensor li = ints({}, {0});
  EXPECT_EQ(runOp("Clip", {&xi, &li}).outputs[0].toInts(), (std::vector<int64_t>{0, 4, 9}));
}

TEST(PointwiseOps, PowMixedTypes) {
  HostTensor x = floats({3}, {2, 3, 0.5f});
  HostTensor e = ints({}, {2});
  auto r = runOp("Pow", {&x, &e});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.outputs[0].dtype(), DType::kFloat32);
  EXPECT_EQ(r.outputs[0].toFloats(), (std::vector<float>{4, 9, 0.25f}));
  HostTensor b = ints({3}, {2, -3, 5});
  HostTensor p = ints({3}, {10, 3, 0});
  EXPECT_EQ(runOp("Pow", {&b, &p}).outputs[0].toInts(), (std::vector<int64_t>{1024, -27, 1}));
}

TEST(PointwiseOps, HalfPrecisionRoundsOnceAtTheOutput) {
  // 1 + 2^-11 is halfway between fp16 neighbours 1 and 1 + 2^-10: ties to even -> 1.
  HostTensor a = floats({2}, {1, 1}, DType::kFloat16);
  HostTensor b = floats({2}, {0.00048828125f, 0.0009765625f}, DType::kFloat16);
  auto r = runOp("Add", {&a, &b});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.outputs[0].dtype(), DType::kFloat16);
  EXPECT_EQ(r.outputs[0].toFloats(), (std::vector<float>{1, 1.0009765625f}));
  HostTensor bf = floats({1}, {3}, DType::kBFloat16);
  auto s = runOp("Mul", {&bf, &bf});
  EXPECT_EQ(s.outputs[0].dtype(), DType::kBFloat16);
  EXPECT_EQ(s.outputs[0].toFloats()[0], 9);
}

TEST(PointwiseOps, EveryOnnxOpOfTheTableIsRegistered) {
  for (const auto& op : pointwise::allOps()) {
    const OpDef* def = OpRegistry::instance().find(op.name);
    if (op.onnx_op) {
      ASSERT_NE(def, nullptr) << op.name;
      EXPECT_TRUE(def->infer && def->cpu) << op.name;
    }
  }
  EXPECT_NE(OpRegistry::instance().find("gpuscope.Pointwise"), nullptr);
}

}  // namespace
}  // namespace gpuscope::engine
