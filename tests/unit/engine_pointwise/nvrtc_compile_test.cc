// Generated CUDA sources compile with NVRTC for sm_90 — no GPU needed, so CI
// checks every op's CUDA expression (float and integer forms), every load /
// store type and both kernels; plus the layer's launch plan (dim collapsing,
// vector width) computed without a device.
#include <gtest/gtest.h>

#include "engine/gpu/pointwise/codegen.h"
#include "engine/gpu/pointwise/nvrtc_cache.h"
#include "engine/gpu/pointwise/pointwise_layer.h"
#include "engine/ops/fused_ops.h"
#include "engine/ops/pointwise/program.h"
#include "test_util.h"

namespace gpuscope::engine::pointwise {
namespace {

void expectCompiles(const Program& p, const KernelSpec& spec) {
  auto src = generateKernelSource(p, spec);
  ASSERT_TRUE(src.ok()) << src.status().message();
  auto again = generateKernelSource(p, spec);
  EXPECT_EQ(*src, *again);  // deterministic: the NVRTC cache keys on the text
  auto cubin = NvrtcCache::compileToCubin(*src, 9, 0);
  ASSERT_TRUE(cubin.ok()) << cubin.status().message() << "\n" << *src;
  ASSERT_GT(cubin->size(), 4u);
  EXPECT_EQ(cubin->substr(0, 4), std::string("\x7f" "ELF"));
  EXPECT_NE(src->find(kGenericEntry), std::string::npos);
  if (spec.vec) {
    EXPECT_NE(src->find(vecEntry(spec.vec)), std::string::npos);
  }
}

Ref in(int k) { return Ref{RefKind::kInput, k}; }

// One statement per op of the table over float inputs in0/in1 (fp32), bool
// in2 and int64 in3, in the float domain; and the integer forms over in3/in4.
Program everyOp(bool integer) {
  Program p;
  for (const OpInfo& op : allOps()) {
    Statement st;
    st.op = &op;
    st.params = defaultParams(op);
    int n = op.max_args == 0 ? 3 : op.max_args;
    Ref a = integer ? in(3) : in(0), b = integer ? in(4) : in(1);
    switch (op.typing) {
      case Typing::kSame:
        if (integer && op.int_fn == nullptr) continue;
        for (int i = 0; i < n; ++i) st.args.push_back(i % 2 ? b : a);
        break;
      case Typing::kCompare: st.args = {a, b}; break;
      case Typing::kLogic:
        if (!integer) continue;
        for (int i = 0; i < n; ++i) st.args.push_back(in(2));
        break;
      case Typing::kPredicate:
        if (integer) continue;
        st.args = {a};
        break;
      case Typing::kPow: st.args = {a, integer ? in(0) : in(3)}; break;  // mixed exponent types
      case Typing::kWhere: st.args = {in(2), a, b}; break;
      case Typing::kCast:
        for (DType to : {DType::kFloat16, DType::kBFloat16, DType::kInt32, DType::kBool, DType::kFloat32}) {
          Statement c = st;
          c.params.to = to;
          c.args = {a};
          p.statements.push_back(c);
        }
        continue;
    }
    p.statements.push_back(st);
  }
  p.outputs = {Ref{RefKind::kTemp, 0}};
  return p;
}

TEST(PointwiseNvrtc, EveryFloatExpressionCompiles) {
  Program p = everyOp(false);
  KernelSpec spec{{DType::kFloat32, DType::kFloat32, DType::kBool, DType::kInt64, DType::kInt64},
                  {DType::kFloat32},
                  {Access::kFull, Access::kStrided, Access::kScalar, Access::kFull, Access::kFull},
                  3,
                  false,
                  0};
  expectCompiles(p, spec);
}

TEST(PointwiseNvrtc, EveryIntegerExpressionCompilesWith64BitIndexing) {
  Program p = everyOp(true);
  KernelSpec spec{{DType::kFloat32, DType::kFloat32, DType::kBool, DType::kInt64, DType::kInt64},
                  {DType::kInt64},
                  {Access::kFull, Access::kFull, Access::kFull, Access::kStrided, Access::kScalar},
                  8,
                  true,
                  0};
  expectCompiles(p, spec);
}

TEST(PointwiseNvrtc, HalfBf16AndSmallIntegerLoadsStoresWithVectorKernel) {
  auto p = parseProgram(
      "c0 = 0.5:fp16\nt0 = Cast[to=fp32](in0)\nt1 = Cast[to=fp32](in1)\nt2 = Mul(t0, t1)\nt3 = Cast[to=fp16](t2)\n"
      "t4 = Mul(t3, c0)\nt5 = Cast[to=bf16](t2)\nt6 = Greater(t4, c0)\nt7 = Add(in2, in3)\nt8 = Cast[to=uint8](t7)\n"
      "t9 = Cast[to=int8](in4)\nout0 = t4\nout1 = t5\nout2 = t6\nout3 = t7\nout4 = t8\nout5 = t9\n");
  ASSERT_TRUE(p.ok()) << p.status().message();
  KernelSpec spec{{DType::kFloat16, DType::kBFloat16, DType::kInt32, DType::kInt32, DType::kInt64},
                  {DType::kFloat16, DType::kBFloat16, DType::kBool, DType::kInt32, DType::kUInt8, DType::kInt8},
                  {Access::kFull, Access::kFull, Access::kFull, Access::kScalar, Access::kFull},
                  1,
                  false,
                  2};
  EXPECT_EQ(vectorWidth(spec.inputs, spec.outputs), 2);  // int64 is the widest: 16 / 8
  expectCompiles(*p, spec);
  spec.vec = 0;
  spec.inputs[4] = DType::kFloat64;
  EXPECT_EQ(generateKernelSource(*p, spec).status().code(), StatusCode::kInvalidInput);
}

TEST(PointwiseNvrtc, LayerPlanCollapsesBroadcastDimsAndPicksTheVectorWidth) {
  Graph g;
  ValueId x = g.addValue("x", {DType::kFloat16, {2, 3, 4, 5}});
  ValueId b = g.addValue("b", {DType::kFloat16, {4, 5}});
  g.inputs = {x, b};
  ValueId y = pwtest::addOp(g, "Add", "add", {x, b});
  ValueId z = pwtest::addOp(g, "Relu", "relu", {x});
  g.outputs = {y, z};
  ASSERT_TRUE(inferShapes(g).ok());
  auto add = planPointwise(g, 0);
  ASSERT_TRUE(add.ok()) << add.status().message();
  EXPECT_EQ(add->spec.access, (std::vector<Access>{Access::kFull, Access::kStrided}));
  EXPECT_EQ(add->spec.rank, 2);  // [6, 20] with strides {0, 1} for b
  EXPECT_EQ(add->args.dims[0], 6);
  EXPECT_EQ(add->args.dims[1], 20);
  EXPECT_EQ(add->args.strides[1][0], 0);
  EXPECT_EQ(add->args.strides[1][1], 1);
  EXPECT_EQ(add->spec.vec, 0);  // a broadcast input: generic kernel only
  auto relu = planPointwise(g, 1);
  ASSERT_TRUE(relu.ok());
  EXPECT_EQ(relu->spec.vec, 8);  // 120 fp16 elements, 16-byte vectors
  auto c1 = NvrtcCache::compileToCubin(add->source, 9, 0);
  EXPECT_TRUE(c1.ok()) << c1.status().message();
  auto c2 = NvrtcCache::compileToCubin(relu->source, 9, 0);
  EXPECT_TRUE(c2.ok()) << c2.status().message();
}

TEST(PointwiseNvrtc, CompileErrorsComeBackAsInvalidInputWithTheLog) {
  auto r = NvrtcCache::compileToCubin("extern \"C\" __global__ void k() { undefined_thing(); }", 9, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(r.status().message().find("undefined_thing"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace gpuscope::engine::pointwise
