// Generated pointwise kernels (gpu/pointwise/) against the CPU interpreter:
// fused programs and single ONNX ops, fp32/fp16/bf16/int64/bool, broadcast
// (generic kernel) and dense (vector kernel) layouts, every tactic, plus the
// NVRTC cache and CUDA-graph capture of a launch. Metric: max |gpu - cpu| /
// max |cpu| over the tensor (gputest::Diff::rel); fp32 <= 1e-6, fp16/bf16
// <= 1e-3, integers and bool exact.
#include <cuda_runtime.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/gpu/pointwise/nvrtc_cache.h"
#include "engine/gpu/pointwise/pointwise_layer.h"
#include "engine/ops/fused_ops.h"
#include "engine/ops/pointwise/op_table.h"
#include "engine/passes/infer_shapes.h"
#include "gpu_test_util.h"

namespace gpuscope::engine {
namespace {

using gputest::OneNode;
using gputest::RunOptions;

double tolerance(DType t) { return t == DType::kFloat32 ? 1e-6 : 1e-3; }

Attributes programAttr(const std::string& text) {
  Attributes a;
  a.set("program", text);
  return a;
}

const char* kGelu =
    "c0 = 1.4142135:fp32\nc1 = 1:fp32\nc2 = 0.5:fp32\nt0 = Div(in0, c0)\nt1 = Erf(t0)\nt2 = Add(t1, c1)\n"
    "t3 = Mul(in0, t2)\nt4 = Mul(t3, c2)\nout0 = t4\n";

TEST(PointwiseGpu, ErfGeluDenseUsesBothKernels) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(1);
  OneNode n;
  ValueId x = n.input("x", gputest::randomTensor(DType::kFloat32, {64, 33}, rng, -4, 4));
  ASSERT_TRUE(n.node(std::string(fused::kPointwise), {x}, programAttr(kGelu)));
  EXPECT_EQ(gputest::checkAgainstCpu(*env, n, RunOptions{.tol = 1e-6, .expect_min_tactics = 2}), 2);
}

TEST(PointwiseGpu, BroadcastBiasReluHalf) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(2);
  OneNode n;
  ValueId x = n.input("x", gputest::randomTensor(DType::kFloat16, {8, 16, 40}, rng));
  ValueId b = n.input("b", gputest::randomTensor(DType::kFloat16, {40}, rng));
  ValueId s = n.input("s", gputest::randomTensor(DType::kFloat16, {8, 1, 1}, rng));
  ASSERT_TRUE(n.node(std::string(fused::kPointwise), {x, b, s},
                     programAttr("t0 = Add(in0, in1)\nt1 = Relu(t0)\nt2 = Mul(t1, in2)\nout0 = t2\n")));
  EXPECT_EQ(gputest::checkAgainstCpu(*env, n, RunOptions{.tol = 1e-3}), 1);  // broadcast: generic only
}

TEST(PointwiseGpu, Bf16SiluAndMultiOutputWithCastsAndMasks) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(3);
  OneNode n;
  ValueId x = n.input("x", gputest::randomTensor(DType::kBFloat16, {4, 128}, rng, -3, 3));
  ASSERT_TRUE(n.node(std::string(fused::kPointwise), {x},
                     programAttr("c0 = 0:bf16\nt0 = Sigmoid(in0)\nt1 = Mul(in0, t0)\nt2 = Less(in0, c0)\n"
                                 "t3 = Cast[to=fp32](t1)\nt4 = Where(t2, in0, t1)\nout0 = t1\nout1 = t2\nout2 = t3\n"
                                 "out3 = t4\n"),
                     4));
  EXPECT_EQ(gputest::checkAgainstCpu(*env, n, RunOptions{.tol = 1e-3, .expect_min_tactics = 2}), 2);
}

TEST(PointwiseGpu, Int64ArithmeticBroadcastAndCompare) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(4);
  OneNode n;
  ValueId a = n.input("a", gputest::randomTensor(DType::kInt64, {6, 10}, rng, -1000, 1000));
  ValueId b = n.input("b", gputest::randomTensor(DType::kInt64, {10}, rng, 1, 50));
  ASSERT_TRUE(n.node(std::string(fused::kPointwise), {a, b},
                     programAttr("c0 = -7\nt0 = Div(in0, in1)\nt1 = Mod(in0, in1)\nt2 = Mod[fmod=1](in0, c0)\n"
                                 "t3 = Mul(t0, in1)\nt4 = Add(t3, t1)\nt5 = Equal(t4, in0)\nt6 = Max(t2, t1, c0)\n"
                                 "t7 = Cast[to=int32](t6)\nout0 = t5\nout1 = t7\nout2 = t0\n"),
                     3));
  EXPECT_EQ(gputest::checkAgainstCpu(*env, n, RunOptions{.tol = 0}), 1);
}

TEST(PointwiseGpu, StridedRank4AndScalarInputs) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(5);
  OneNode n;
  ValueId x = n.input("x", gputest::randomTensor(DType::kFloat32, {2, 3, 4, 5}, rng));
  ValueId y = n.input("y", gputest::randomTensor(DType::kFloat32, {3, 1, 5}, rng));
  ValueId z = n.input("z", gputest::randomTensor(DType::kFloat32, {2, 1, 4, 1}, rng));
  ValueId s = n.input("s", gputest::randomTensor(DType::kFloat32, {1}, rng));
  ASSERT_TRUE(n.node(std::string(fused::kPointwise), {x, y, z, s},
                     programAttr("t0 = Sub(in0, in1)\nt1 = Mul(t0, in2)\nt2 = Tanh(t1)\nt3 = Add(t2, in3)\n"
                                 "t4 = HardSigmoid[alpha=0.3, beta=0.4](t3)\nout0 = t4\n")));
  EXPECT_EQ(gputest::checkAgainstCpu(*env, n, RunOptions{.tol = 1e-6}), 1);
}

// Every ONNX elementwise op of the table as its own layer (fp32; one
// broadcast input for binary ops so both index paths run), then fp16.
TEST(PointwiseGpu, EverySingleOpMatchesItsCpuOp) {
  GS_REQUIRE_GPU(env);
  for (DType t : {DType::kFloat32, DType::kFloat16}) {
    for (const pointwise::OpInfo& op : pointwise::allOps()) {
      if (!op.onnx_op || op.typing == pointwise::Typing::kLogic) continue;
      SCOPED_TRACE(fmt::format("{} {}", op.name, dtypeName(t)));
      std::mt19937 rng(6);
      OneNode n;
      std::vector<ValueId> ins;
      int arity = op.max_args == 0 ? 3 : op.max_args;
      bool positive = op.name == "Log" || op.name == "Sqrt" || op.name == "Pow";
      for (int k = 0; k < arity; ++k) {
        Shape shape = k == 0 ? Shape{4, 64} : Shape{64};
        std::string name = fmt::format("x{}", k);
        ins.push_back(n.input(name,
                              gputest::randomTensor(t, shape, rng, positive ? 0.1 : -3, positive ? 3 : 3)));
      }
      Attributes attrs;
      if (op.name == "LeakyRelu" || op.name == "Elu") attrs.set("alpha", 0.3f);
      if (op.name == "Mod") attrs.set("fmod", int64_t(1));
      ASSERT_TRUE(n.node(std::string(op.name), ins, attrs));
      EXPECT_GE(gputest::checkAgainstCpu(*env, n, RunOptions{.tol = tolerance(t)}), 1);
    }
  }
}

TEST(PointwiseGpu, NvrtcCacheCompilesEachSourceOnce) {
  GS_REQUIRE_GPU(env);
  NvrtcCache cache(env->ctx.cc_major, env->ctx.cc_minor);
  std::string src = std::string(pointwise::cudaPrelude()) + "extern \"C\" __global__ void k1(float* p) { p[0] = 1.f; }\n"
                    "extern \"C\" __global__ void k2(float* p) { p[0] = 2.f; }\n";
  auto a = cache.kernel(src, "k1");
  auto b = cache.kernel(src, "k2");
  auto c = cache.kernel(src, "k1");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok()) << a.status().message();
  EXPECT_EQ(*a, *c);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(cache.compileCount(), 1);
  EXPECT_FALSE(cache.kernel(src, "missing").ok());
  EXPECT_EQ(cache.kernel("this is not CUDA", "k").status().code(), StatusCode::kInvalidInput);
}

TEST(PointwiseGpu, LaunchIsCapturedIntoACudaGraph) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(7);
  OneNode n;
  HostTensor xv = gputest::randomTensor(DType::kFloat32, {256, 32}, rng, -4, 4);
  ValueId x = n.input("x", xv);
  ASSERT_TRUE(n.node(std::string(fused::kPointwise), {x}, programAttr(kGelu)));
  auto layer = createPointwiseLayer(GpuLayerArgs{n.graph, n.id, env->ctx});
  ASSERT_TRUE(layer.ok()) << layer.status().message();
  for (const Tactic& t : (*layer)->tactics()) {
    SCOPED_TRACE(t.name);
    ASSERT_TRUE((*layer)->select(t.id).ok());
    gputest::DeviceBuffer in = gputest::upload(xv);
    gputest::DeviceBuffer out(size_t(xv.byteSize()));
    LayerBindings b;
    b.inputs = {in.get()};
    b.outputs = {out.get()};
    cudaStream_t stream;
    ASSERT_EQ(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), cudaSuccess);
    ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal), cudaSuccess);
    Status st = (*layer)->enqueue(b, stream);
    cudaGraph_t graph = nullptr;
    ASSERT_EQ(cudaStreamEndCapture(stream, &graph), cudaSuccess);
    ASSERT_TRUE(st.ok()) << st.message();
    cudaGraphExec_t exec = nullptr;
    ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
    ASSERT_EQ(cudaGraphLaunch(exec, stream), cudaSuccess);
    ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
    HostTensor got = gputest::download(out, xv.desc());
    std::vector<const HostTensor*> ins = {&xv};
    auto want = runNodeOnCpu(n.graph, n.id, ins);
    ASSERT_TRUE(want.ok());
    EXPECT_LE(gputest::compareTensors(got, (*want)[0]).rel, 1e-6);
    cudaGraphExecDestroy(exec);
    cudaGraphDestroy(graph);
    cudaStreamDestroy(stream);
  }
}

}  // namespace
}  // namespace gpuscope::engine
