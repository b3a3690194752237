// The pointwise program text format: parse / print round trip, parse errors
// (it is read from engine files), typing, and the interpreter against
// running the same ops one node at a time.
#include <gtest/gtest.h>

#include "engine/ops/pointwise/interpreter.h"
#include "engine/ops/pointwise/program.h"
#include "test_util.h"

namespace gpuscope::engine::pointwise {
namespace {

TEST(PointwiseProgram, ParsePrintRoundTrip) {
  const char* text =
      "# erf GELU\n"
      "c0 = 1.4142135:fp32\n"
      "c1 = 1.0\n"
      "c2 = 0.5:fp16\n"
      "t0 = Div(in0, c0)\n"
      "t1 = Erf(t0)\n"
      "  t2 = Add( t1 , c1 )   # spaces are fine\n"
      "t3 = Mul(in0, t2)\n"
      "t4 = LeakyRelu[alpha=0.2](t3)\n"
      "t5 = Cast[to=fp16](t4)\n"
      "t6 = Mul(t5, c2)\n"
      "out0 = t6\n"
      "out1 = t3\n";
  auto p = parseProgram(text);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->literals.size(), 3u);
  EXPECT_EQ(p->statements.size(), 7u);
  EXPECT_EQ(p->outputs.size(), 2u);
  EXPECT_EQ(p->inputCount(), 1);
  EXPECT_EQ(p->literals[1].dtype, DType::kFloat32);  // '.' -> fp32 by default
  EXPECT_EQ(p->literals[0].value, double(1.4142135f));
  EXPECT_EQ(p->statements[4].params.alpha, 0.2f);
  EXPECT_EQ(p->statements[5].params.to, DType::kFloat16);
  std::string printed = printProgram(*p);
  EXPECT_EQ(printed,
            "c0 = 1.4142135381698608:fp32\n"
            "c1 = 1:fp32\n"
            "c2 = 0.5:fp16\n"
            "t0 = Div(in0, c0)\n"
            "t1 = Erf(t0)\n"
            "t2 = Add(t1, c1)\n"
            "t3 = Mul(in0, t2)\n"
            "t4 = LeakyRelu[alpha=0.2](t3)\n"
            "t5 = Cast[to=fp16](t4)\n"
            "t6 = Mul(t5, c2)\n"
            "out0 = t6\n"
            "out1 = t3\n");
  auto again = parseProgram(printed);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(printProgram(*again), printed);
}

TEST(PointwiseProgram, LiteralKindsAndDefaultsRoundTrip) {
  auto p = parseProgram(
      "c0 = 3\nc1 = -inf:fp32\nc2 = 1:bool\nc3 = 0.1:bf16\nc4 = -2147483648:int32\n"
      "t0 = Mod(in0, c0)\nt1 = Gelu(in1)\nt2 = IsInf[detect_positive=0](in1)\nout0 = t0\nout1 = t1\nout2 = t2\n");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->literals[0].dtype, DType::kInt64);
  EXPECT_EQ(p->literals[0].ivalue, 3);
  EXPECT_TRUE(std::isinf(p->literals[1].value) && p->literals[1].value < 0);
  EXPECT_EQ(p->literals[3].value, double(bf16ToFloat(floatToBf16(0.1f))));  // stored as bf16 holds it
  std::string printed = printProgram(*p);
  EXPECT_NE(printed.find("t0 = Mod[fmod=0](in0, c0)"), std::string::npos) << printed;
  EXPECT_NE(printed.find("t1 = Gelu[approximate=none](in1)"), std::string::npos) << printed;
  EXPECT_NE(printed.find("IsInf[detect_negative=1, detect_positive=0](in1)"), std::string::npos) << printed;
  auto again = parseProgram(printed);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(printProgram(*again), printed);
  EXPECT_EQ(again->literals, p->literals);
}

TEST(PointwiseProgram, ParseErrorsNameTheLineAndTheProblem) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"", "no outputs"},
      {"t0 = Relu(in0)\n", "no outputs"},
      {"t0 = Bogus(in0)\nout0 = t0\n", "unknown op 'Bogus'"},
      {"t1 = Relu(in0)\nout0 = t1\n", "out of order"},
      {"t0 = Relu(t0)\nout0 = t0\n", "t0 is used before it is defined"},
      {"t0 = Add(in0, c0)\nout0 = t0\n", "c0 is used before"},
      {"t0 = Relu(in0\nout0 = t0\n", "expected ',' or ')'"},
      {"t0 = Relu(in0, in1)\nout0 = t0\n", "Relu takes 1..1 arguments, got 2"},
      {"t0 = Relu[alpha=1](in0)\nout0 = t0\n", "Relu has no attribute 'alpha'"},
      {"t0 = LeakyRelu[alpha=x](in0)\nout0 = t0\n", "'x' is not a number"},
      {"t0 = Cast[to=fp8](in0)\nout0 = t0\n", "unknown dtype 'fp8'"},
      {"c0 = 1.5:int64\nout0 = c0\n", "not an integer"},
      {"c0 = 300:uint8\nout0 = c0\n", "out of range for uint8"},
      {"c0 = 99999999999999999999\nout0 = c0\n", "not an integer"},
      {"c0 = 1:fp99\nout0 = c0\n", "unknown dtype"},
      {"out1 = in0\n", "out0 is never defined"},
      {"out0 = in0\nout0 = in1\n", "out0 is defined twice"},
      {"t0 = Relu(in0) junk\nout0 = t0\n", "unexpected 'junk'"},
      {"x0 = Relu(in0)\n", "expected t<k>, c<k> or out<k>"},
      {"t00 = Relu(in0)\n", "expected t<k>"},
      {"t0 = Relu(in99999999)\nout0 = t0\n", "expected a value"},
      {"t0 Relu(in0)\n", "expected '=' after t0"},
      {"t0 = Mod[fmod=2](in0, in1)\nout0 = t0\n", "expected 0 or 1"},
      {"\n\nt0 = Relu(x)\nout0 = t0\n", "line 3"},
  };
  for (const Case& c : cases) {
    auto p = parseProgram(c.text);
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidInput);
    EXPECT_NE(p.status().message().find(c.expect), std::string::npos)
        << "text: " << c.text << "\nmessage: " << p.status().message();
  }
}

TEST(PointwiseProgram, TypesFollowOnnxRules) {
  auto p = parseProgram(
      "t0 = Less(in0, in1)\nt1 = Where(t0, in0, in1)\nt2 = Cast[to=int32](t1)\nt3 = Not(t0)\n"
      "out0 = t1\nout1 = t2\nout2 = t3\n");
  ASSERT_TRUE(p.ok()) << p.status().message();
  std::vector<DType> in = {DType::kFloat16, DType::kFloat16};
  auto t = inferProgramTypes(*p, in);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->outputs, (std::vector<DType>{DType::kFloat16, DType::kInt32, DType::kBool}));
  std::vector<DType> mixed = {DType::kFloat16, DType::kFloat32};
  auto bad = inferProgramTypes(*p, mixed);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 1 (t0 = Less): expected inputs of one type, got (fp16, fp32)"),
            std::string::npos)
      << bad.status().message();
  std::vector<DType> one = {DType::kFloat16};
  EXPECT_FALSE(inferProgramTypes(*p, one).ok());  // reads in1
  // Float literals adapt to the float type they meet; integer literals do not.
  auto lit = parseProgram("c0 = 0.5:fp32\nc1 = 2\nt0 = Mul(in0, c0)\nt1 = Max(c0, in0, c0)\nt2 = Add(in0, c1)\n"
                          "out0 = t0\nout1 = t1\nout2 = t2\n");
  ASSERT_TRUE(lit.ok()) << lit.status().message();
  auto lt = inferProgramTypes(*lit, one);
  ASSERT_FALSE(lt.ok());  // fp16 + int64
  lit->outputs.pop_back();
  lit->statements.pop_back();
  lt = inferProgramTypes(*lit, one);
  ASSERT_TRUE(lt.ok()) << lt.status().message();
  EXPECT_EQ(lt->outputs, (std::vector<DType>{DType::kFloat16, DType::kFloat16}));
}

// A chain run as one program equals the same ops run one node at a time
// (fp32: every statement rounds to float exactly like a separate node).
TEST(PointwiseProgram, InterpreterMatchesOpByOpReference) {
  HostTensor x = pwtest::randomTensor(DType::kFloat32, {3, 4, 5}, 1);
  HostTensor y = pwtest::randomTensor(DType::kFloat32, {4, 1}, 2);
  auto p = parseProgram(
      "c0 = 0.5\nt0 = Mul(in0, in1)\nt1 = Sigmoid(t0)\nt2 = Sub(t1, c0)\nt3 = Tanh(t2)\nt4 = Max(t3, in1, t0)\n"
      "t5 = HardSwish(t4)\nout0 = t5\nout1 = t1\n");
  ASSERT_TRUE(p.ok()) << p.status().message();
  std::vector<HostTensor> outs;
  outs.emplace_back(DType::kFloat32, Shape{3, 4, 5});
  outs.emplace_back(DType::kFloat32, Shape{3, 4, 5});
  std::vector<const HostTensor*> in = {&x, &y};
  ASSERT_TRUE(runProgram(*p, in, outs).ok());

  HostTensor half = pwtest::floats({}, {0.5f});
  auto t0 = pwtest::runOp("Mul", {&x, &y});
  auto t1 = pwtest::runOp("Sigmoid", {&t0.outputs[0]});
  auto t2 = pwtest::runOp("Sub", {&t1.outputs[0], &half});
  auto t3 = pwtest::runOp("Tanh", {&t2.outputs[0]});
  auto t4 = pwtest::runOp("Max", {&t3.outputs[0], &y, &t0.outputs[0]});
  auto t5 = pwtest::runOp("HardSwish", {&t4.outputs[0]});
  ASSERT_TRUE(t5.status.ok()) << t5.status.message();
  EXPECT_EQ(outs[0].toFloats(), t5.outputs[0].toFloats());
  EXPECT_EQ(outs[1].toFloats(), t1.outputs[0].toFloats());
  // Independent spot check of one element: x[1,2,3] * y[2,0].
  float xv = x.toFloats()[1 * 20 + 2 * 5 + 3], yv = y.toFloats()[2];
  float prod = xv * yv;
  EXPECT_EQ(outs[1].toFloats()[1 * 20 + 2 * 5 + 3], float(1.0 / (1.0 + std::exp(-double(prod)))));
}

TEST(PointwiseProgram, InterpreterCastsRoundAndSaturate) {
  auto p = parseProgram("t0 = Cast[to=fp16](in0)\nt1 = Cast[to=int32](in0)\nt2 = Cast[to=bool](in0)\n"
                        "out0 = t0\nout1 = t1\nout2 = t2\n");
  ASSERT_TRUE(p.ok());
  HostTensor x = pwtest::floats({4}, {1.0004f, -2.7f, NAN, 0});
  std::vector<HostTensor> outs;
  outs.emplace_back(DType::kFloat16, Shape{4});
  outs.emplace_back(DType::kInt32, Shape{4});
  outs.emplace_back(DType::kBool, Shape{4});
  std::vector<const HostTensor*> in = {&x};
  ASSERT_TRUE(runProgram(*p, in, outs).ok());
  EXPECT_EQ(outs[0].toFloats()[0], 1.0f);  // nearest fp16 of 1.0004 is 1
  EXPECT_EQ(outs[1].toInts(), (std::vector<int64_t>{1, -2, 0, 0}));
  EXPECT_EQ(outs[2].toInts(), (std::vector<int64_t>{1, 1, 1, 0}));
}

TEST(PointwiseProgram, InterpreterRejectsMismatchedOutputs) {
  auto p = parseProgram("t0 = Less(in0, in0)\nout0 = t0\n");
  ASSERT_TRUE(p.ok());
  HostTensor x = pwtest::floats({2}, {1, 2});
  std::vector<HostTensor> outs;
  outs.emplace_back(DType::kFloat32, Shape{2});  // program makes bool
  std::vector<const HostTensor*> in = {&x};
  EXPECT_EQ(runProgram(*p, in, outs).code(), StatusCode::kInvalidInput);
}

}  // namespace
}  // namespace gpuscope::engine::pointwise
