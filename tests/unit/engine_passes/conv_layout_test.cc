// The NHWC layout pass (passes.h convertConvLayout): structure of the result
// (which nodes went NHWC, how many conversions) and, on the CPU reference
// ops, outputs bit-identical to the same graph without the pass (the NHWC
// forms permute into the NCHW reference, so nothing may round differently)
// and close to the fp32 original.
#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/onnx/onnx_import.h"
#include "engine/ops/fused_ops.h"
#include "engine/passes/infer_shapes.h"
#include "engine/passes/passes.h"
#include "engine/passes/pipeline.h"
#include "fixtures/onnx_fixture.h"
#include "pass_test_util.h"

namespace gpuscope::engine::testing {
namespace {

int count(const Graph& g, std::string_view op) {
  auto ops = opTypes(g);
  return int(std::count(ops.begin(), ops.end(), std::string(op)));
}

std::string layoutOf(const Node& n) { return n.attrs.getString("layout", "NCHW"); }

// The pipeline's passes up to (not including) the layout pass.
Status prepare(Graph& g, DType compute, PassLog& log) {
  GS_RETURN_IF_ERROR(inferShapes(g));
  GS_RETURN_IF_ERROR(eliminateDeadCode(g, log));
  GS_RETURN_IF_ERROR(foldBatchNorm(g, log));
  GS_RETURN_IF_ERROR(fuseConv(g, log));
  GS_RETURN_IF_ERROR(fuseGemm(g, log));
  return assignPrecision(g, compute, log);
}

// Runs both graphs and expects every output element to be identical.
void expectIdentical(const Graph& got, const Graph& ref) {
  auto inputs = randomInputs(ref);
  auto want = runGraph(ref, inputs);
  ASSERT_TRUE(want.ok()) << want.status().message();
  auto have = runGraph(got, inputs);
  ASSERT_TRUE(have.ok()) << have.status().message();
  ASSERT_EQ(have->size(), want->size());
  for (size_t i = 0; i < want->size(); ++i) {
    ASSERT_EQ((*have)[i].shape(), (*want)[i].shape()) << "output " << i;
    ASSERT_EQ((*have)[i].dtype(), (*want)[i].dtype()) << "output " << i;
    expectClose((*have)[i], (*want)[i], 0.0, 0.0, "output " + std::to_string(i));
  }
}

StatusOr<Graph> tinyCnn(int64_t batch) {
  GS_ASSIGN_OR_RETURN(Graph g, importOnnxBytes(gpuscope::testing::makeTinyCnnOnnx(""), "<tiny_cnn>"));
  GS_RETURN_IF_ERROR(bindInputShapes(g, {{"input", {batch, 3, 16, 16}}}));
  GS_RETURN_IF_ERROR(inferShapes(g));
  return g;
}

TEST(ConvLayout, TinyCnnStructure) {
  auto ref = tinyCnn(2);
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  for (DType t : {DType::kFloat16, DType::kBFloat16}) {
    SCOPED_TRACE(dtypeName(t));
    Graph g = *ref;
    PassLog log;
    Status s = optimize(g, OptimizeOptions{t, true}, log);
    ASSERT_TRUE(s.ok()) << s.message();
    // Reformat(input) -> Transpose -> conv1 -> MaxPool -> conv2(+residual)
    // -> GlobalAveragePool -> Reshape view -> Flatten -> Gemm -> Reformat.
    EXPECT_EQ(count(g, "Transpose"), 1) << log.text();
    EXPECT_EQ(count(g, "Reshape"), 1);
    int convs = 0;
    for (const Node& n : g.nodes) {
      if (n.op == fused::kConv) {
        ++convs;
        EXPECT_EQ(layoutOf(n), "NHWC") << n.name;
        // KRSC weights: [M, kH, kW, C].
        const HostTensor* w = g.constantOf(n.inputs[1]);
        ASSERT_NE(w, nullptr);
        EXPECT_EQ(w->shape()[1], 3);
        EXPECT_EQ(w->shape()[2], 3);
        EXPECT_EQ(g.values[size_t(n.outputs[0])].desc.shape, (Shape{2, n.name.find("conv1") != std::string::npos ? 16 : 8,
                                                                    n.name.find("conv1") != std::string::npos ? 16 : 8, 8}));
      }
      if (n.op == "MaxPool" || n.op == "GlobalAveragePool") {
        EXPECT_EQ(layoutOf(n), "NHWC") << n.name;
      }
      if (n.op == "Transpose") {
        EXPECT_EQ(n.attrs.getInts("perm"), (std::vector<int64_t>{0, 2, 3, 1}));
        EXPECT_EQ(n.name, "Reformatting CopyNode for Input Tensor 0 to /conv1/Conv + /bn1/BatchNormalization + /relu/Relu [1]");
        const Node* p = nullptr;
        for (const Node& q : g.nodes)
          if (std::find(q.outputs.begin(), q.outputs.end(), n.inputs[0]) != q.outputs.end()) p = &q;
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(p->op, std::string(fused::kReformat));  // right after the input's precision reformat
      }
      if (n.op == "Reshape") {
        EXPECT_EQ(n.name, "Reformatting CopyNode for Input Tensor 0 to /Flatten");
        EXPECT_EQ(g.values[size_t(n.outputs[0])].desc.shape, (Shape{2, 8, 1, 1}));
      }
    }
    EXPECT_EQ(convs, 2);
    const Node* c2 = findNode(g, "/conv2/Conv + /Add + /relu_1/Relu");
    ASSERT_NE(c2, nullptr);
    ASSERT_EQ(c2->inputs.size(), 4u);
    EXPECT_EQ(g.values[size_t(c2->inputs[3])].desc.shape, (Shape{2, 8, 8, 8}));  // residual read NHWC
    EXPECT_TRUE(logHas(log, "Layout: 2 convolutions and 2 layout-agnostic layers run in NHWC; 1 reformats, 1 views inserted"))
        << log.text();
    // The graph's I/O are untouched.
    EXPECT_EQ(g.values[size_t(g.inputs[0])].desc, ref->values[size_t(ref->inputs[0])].desc);
    EXPECT_EQ(g.values[size_t(g.outputs[0])].desc, ref->values[size_t(ref->outputs[0])].desc);
    expectSameOutputs(g, *ref, 2e-2, 2e-2);
  }
}

TEST(ConvLayout, TinyCnnBitIdenticalToNchw) {
  for (int64_t batch : {1, 3}) {
    SCOPED_TRACE(batch);
    auto ref = tinyCnn(batch);
    ASSERT_TRUE(ref.ok()) << ref.status().message();
    Graph nchw = *ref;
    PassLog log;
    ASSERT_TRUE(prepare(nchw, DType::kFloat16, log).ok());
    Graph nhwc = nchw;
    Status s = convertConvLayout(nhwc, DType::kFloat16, log);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(count(nhwc, "Transpose"), 1);
    expectIdentical(nhwc, nchw);
  }
}

TEST(ConvLayout, Fp32Unchanged) {
  auto ref = tinyCnn(2);
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  Graph g = *ref;
  PassLog log;
  ASSERT_TRUE(prepare(g, DType::kFloat32, log).ok());
  std::vector<std::string> before = opTypes(g);
  ASSERT_TRUE(convertConvLayout(g, DType::kFloat32, log).ok());
  EXPECT_EQ(opTypes(g), before);
  for (const Node& n : g.nodes) EXPECT_FALSE(n.attrs.has("layout")) << n.name;
}

// A conv whose result is a graph output, an elementwise op with a per-channel
// constant, a Softmax over channels (needs NCHW), a ReduceMean over H, W
// (axes as an input, opset 18) and a model Transpose reading NHWC values.
Graph mixedGraph() {
  GraphBuilder b(18);
  ValueId x = b.input("x", {2, 3, 6, 5});
  ValueId c1 = b.node("Conv", "c1", {x, b.weight("c1.w", {4, 3, 3, 3}, -0.4f, 0.4f), b.weight("c1.b", {4})},
                      attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
  ValueId r = b.node("Relu", "r", {c1});
  ValueId scale = b.node("Mul", "scale", {r, b.weight("ch_scale", {4, 1, 1}, 0.5f, 1.5f)});
  ValueId c2 = b.node("Conv", "c2", {scale, b.weight("c2.w", {6, 2, 3, 3}, -0.4f, 0.4f)},
                      attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"group", int64_t(2)}, {"strides", std::vector<int64_t>{2, 2}}}));
  b.output(c2);
  ValueId sm = b.node("Softmax", "sm", {scale}, attrs({{"axis", int64_t(1)}}));
  b.output(sm);
  ValueId mean = b.node("ReduceMean", "mean", {c2, b.ints("mean.axes", {-2, -1})}, attrs({{"keepdims", int64_t(1)}}));
  b.output(mean);
  ValueId mean0 = b.node("ReduceMean", "mean0", {c2, b.ints("mean0.axes", {2, 3})}, attrs({{"keepdims", int64_t(0)}}));
  b.output(mean0);
  ValueId tr = b.node("Transpose", "tr", {c2}, attrs({{"perm", std::vector<int64_t>{0, 2, 1, 3}}}));
  b.output(tr);
  return b.build();
}

TEST(ConvLayout, BoundariesOutputsReductionsAndTransposes) {
  Graph ref = mixedGraph();
  Graph nchw = ref;
  PassLog log;
  ASSERT_TRUE(prepare(nchw, DType::kFloat16, log).ok());
  Graph g = nchw;
  Status s = convertConvLayout(g, DType::kFloat16, log);
  ASSERT_TRUE(s.ok()) << s.message() << "\n" << log.text();
  int convs = 0;
  for (const Node& n : g.nodes)
    if (n.op == fused::kConv) {
      ++convs;
      EXPECT_EQ(layoutOf(n), "NHWC") << n.name;
    }
  EXPECT_EQ(convs, 2);
  // Transposes: x into c1; Mul's NHWC result into Softmax; c2's NHWC result
  // into the graph output c2; the model's own Transpose (perm rewritten).
  EXPECT_EQ(count(g, "Transpose"), 4) << log.text();
  const Node* tr = findNode(g, "tr");
  ASSERT_NE(tr, nullptr);
  EXPECT_EQ(tr->attrs.getInts("perm"), (std::vector<int64_t>{0, 1, 3, 2}));  // NHWC [0,H,W,C] -> [N,C,H,W] order {0,2,1,3}
  // Before the output's precision reformat, in fp16, named after it.
  const Node* out_conv = findNode(g, "Reformatting CopyNode for Output Tensor 0 to c2 [1]");
  ASSERT_NE(out_conv, nullptr) << ::testing::PrintToString(nodeNames(g));
  EXPECT_EQ(out_conv->attrs.getInts("perm"), (std::vector<int64_t>{0, 3, 1, 2}));
  ASSERT_NE(findNode(g, "Reformatting CopyNode for Input Tensor 0 to sm"), nullptr);
  EXPECT_EQ(g.values[size_t(out_conv->outputs[0])].desc.dtype, DType::kFloat16);
  const Node* mul = findNode(g, "scale");
  ASSERT_NE(mul, nullptr);
  EXPECT_EQ(g.values[size_t(mul->inputs[1])].desc.shape, (Shape{1, 1, 1, 4}));  // per-channel constant, NHWC
  const Node* mean = findNode(g, "mean");
  ASSERT_NE(mean, nullptr);
  const HostTensor* axes = g.constantOf(mean->inputs[1]);
  ASSERT_NE(axes, nullptr);
  EXPECT_EQ(axes->getDouble(0), 1);
  EXPECT_EQ(axes->getDouble(1), 2);
  EXPECT_EQ(g.values[size_t(mean->outputs[0])].desc.shape, (Shape{2, 1, 1, 6}));
  // The graph outputs keep their names and NCHW descs.
  ASSERT_EQ(g.outputs.size(), nchw.outputs.size());
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    EXPECT_EQ(g.values[size_t(g.outputs[i])].name, nchw.values[size_t(nchw.outputs[i])].name);
    EXPECT_EQ(g.values[size_t(g.outputs[i])].desc, nchw.values[size_t(nchw.outputs[i])].desc);
  }
  expectIdentical(g, nchw);
  expectSameOutputs(g, ref, 2e-2, 2e-2);
}

// A conv fed by the model's own NHWC -> NCHW Transpose reads the NHWC tensor
// directly: the inverse transposes cancel.
TEST(ConvLayout, CancelsInverseTranspose) {
  GraphBuilder b(17);
  ValueId x = b.input("x", {1, 7, 7, 3});
  ValueId t = b.node("Transpose", "to_nchw", {x}, attrs({{"perm", std::vector<int64_t>{0, 3, 1, 2}}}));
  ValueId c = b.node("Conv", "c", {t, b.weight("c.w", {8, 3, 1, 1})});
  b.output(b.node("Relu", "r", {c}));
  Graph ref = b.build();
  Graph nchw = ref;
  PassLog log;
  ASSERT_TRUE(prepare(nchw, DType::kFloat16, log).ok());
  Graph g = nchw;
  ASSERT_TRUE(convertConvLayout(g, DType::kFloat16, log).ok());
  ASSERT_TRUE(eliminateDeadCode(g, log).ok());  // as the pipeline does after the pass
  // The model's transpose is gone; one conversion back for the output.
  EXPECT_EQ(findNode(g, "to_nchw"), nullptr) << ::testing::PrintToString(nodeNames(g));
  EXPECT_EQ(count(g, "Transpose"), 1);
  expectIdentical(g, nchw);
}

// Pooling and conv with batch 1 and a 1x1 spatial result: the conversion
// before the NCHW reader is a Reshape view, not a copy.
TEST(ConvLayout, SizeOneSpatialUsesView) {
  GraphBuilder b(17);
  ValueId x = b.input("x", {1, 4, 4, 4});
  ValueId c = b.node("Conv", "c", {x, b.weight("c.w", {5, 4, 4, 4})});  // -> [1,5,1,1]
  ValueId f = b.node("Flatten", "f", {c});
  b.output(b.node("Softmax", "sm", {f}, attrs({{"axis", int64_t(1)}})));
  Graph ref = b.build();
  Graph nchw = ref;
  PassLog log;
  ASSERT_TRUE(prepare(nchw, DType::kFloat16, log).ok());
  Graph g = nchw;
  ASSERT_TRUE(convertConvLayout(g, DType::kFloat16, log).ok());
  EXPECT_EQ(count(g, "Transpose"), 1);  // only the input's
  EXPECT_EQ(count(g, "Reshape"), 1);
  expectIdentical(g, nchw);
}

// An fp16 model (no precision reformats): the conv's NHWC result that is a
// graph output gets a conversion that writes the output itself.
TEST(ConvLayout, Fp16GraphOutputFromConv) {
  GraphBuilder b(17);
  ValueId x = b.input("x", {2, 3, 5, 5}, DType::kFloat16);
  ValueId c = b.node("Conv", "c", {x, b.weight("c.w", {4, 3, 3, 3}, -1.f, 1.f, DType::kFloat16)},
                     attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
  b.output(c);
  Graph nchw = b.build();
  PassLog log;
  ASSERT_TRUE(prepare(nchw, DType::kFloat16, log).ok());
  ASSERT_EQ(count(nchw, std::string(fused::kReformat)), 0);
  Graph g = nchw;
  ASSERT_TRUE(convertConvLayout(g, DType::kFloat16, log).ok());
  EXPECT_THAT(nodeNames(g), ::testing::ElementsAre("Reformatting CopyNode for Input Tensor 0 to c", "c",
                                                   "Reformatting CopyNode for Output Tensor 0 to c"));
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.values[size_t(g.outputs[0])].name, nchw.values[size_t(nchw.outputs[0])].name);
  EXPECT_EQ(g.values[size_t(g.outputs[0])].desc.shape, (Shape{2, 4, 5, 5}));
  expectIdentical(g, nchw);
}

// The CPU reference ops' NHWC forms against their NCHW forms wrapped in
// transposes: identical values (they are the engine's correctness oracle).
TEST(ConvLayout, NhwcCpuOpsEqualNchw) {
  struct Case {
    const char* op;
    Attributes a;
    Shape w;  // conv weight (empty: a pool)
  };
  auto pool = [](std::vector<int64_t> k, std::vector<int64_t> st, std::vector<int64_t> p, int64_t ceil, int64_t inc) {
    return attrs({{"kernel_shape", k}, {"strides", st}, {"pads", p}, {"ceil_mode", ceil}, {"count_include_pad", inc}});
  };
  const Case cases[] = {
      {"MaxPool", pool({3, 3}, {2, 2}, {1, 1, 1, 1}, 0, 0), {}},
      {"AveragePool", pool({3, 3}, {1, 1}, {1, 1, 1, 1}, 0, 1), {}},
      {"AveragePool", pool({2, 2}, {2, 2}, {0, 0, 0, 0}, 1, 0), {}},
      {"GlobalAveragePool", {}, {}},
      {"GlobalMaxPool", {}, {}},
      {"gpuscope.Conv", attrs({{"pads", std::vector<int64_t>{1, 0, 2, 1}}, {"strides", std::vector<int64_t>{2, 1}},
                               {"group", int64_t(2)}, {"activation", std::string("Tanh")}}), {6, 3, 3, 2}},
  };
  for (DType t : {DType::kFloat32, DType::kFloat16}) {
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(c.op) + " " + std::string(dtypeName(t)));
      auto build = [&](bool nhwc) {
        GraphBuilder b(18);
        ValueId x = b.input("x", {2, 6, 7, 9}, t);
        std::vector<ValueId> in = {x};
        if (!c.w.empty()) {
          ValueId w = b.weight("w", c.w, -0.5f, 0.5f, t);
          if (nhwc) w = b.node("Transpose", "w_t", {w}, attrs({{"perm", std::vector<int64_t>{0, 2, 3, 1}}}));
          in = {x, w, b.weight("bias", {c.w[0]}, -0.5f, 0.5f, t)};
        }
        if (nhwc) in[0] = b.node("Transpose", "to_nhwc", {x}, attrs({{"perm", std::vector<int64_t>{0, 2, 3, 1}}}));
        Attributes a = c.a;
        if (nhwc) a.set("layout", std::string("NHWC"));
        ValueId y = b.node(c.op, "op", in, a);
        if (nhwc) y = b.node("Transpose", "to_nchw", {y}, attrs({{"perm", std::vector<int64_t>{0, 3, 1, 2}}}));
        b.output(y);
        return b.build();
      };
      Graph ref = build(false), g = build(true);
      expectIdentical(g, ref);
    }
  }
  // A layout the ops do not know is an error naming the node.
  GraphBuilder b(18);
  ValueId x = b.input("x", {1, 2, 4, 4});
  b.g.addNode(Node{"GlobalAveragePool", "gap", {x}, {b.g.addValue("y")}, attrs({{"layout", std::string("NCDHW")}}), {"gap"}});
  Status s = inferShapes(b.g);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("node 'gap' (GlobalAveragePool): layout must be NCHW or NHWC"));
}

// ResNet-50's structure in miniature: stem conv 7x7/2 + BN + ReLU, MaxPool
// 3x3/2, two bottleneck blocks (the first with a downsample branch), a head
// of GlobalAveragePool or ReduceMean(H, W) then Flatten and Gemm.
Graph miniResNet(bool reduce_mean_head) {
  GraphBuilder b(18);
  ValueId x = b.input("input", {2, 3, 32, 32});
  int id = 0;
  auto convBn = [&](ValueId in, int64_t cin, int64_t cout, int64_t k, int64_t stride, bool relu) {
    std::string n = "conv" + std::to_string(id++);
    int64_t p = k / 2;
    ValueId c = b.node("Conv", n, {in, b.weight(n + ".w", {cout, cin, k, k}, -0.3f, 0.3f)},
                       attrs({{"pads", std::vector<int64_t>{p, p, p, p}}, {"strides", std::vector<int64_t>{stride, stride}}}));
    ValueId bn = b.node("BatchNormalization", n + "_bn",
                        {c, b.weight(n + ".g", {cout}, 0.5f, 1.5f), b.weight(n + ".b", {cout}),
                         b.weight(n + ".m", {cout}, -0.2f, 0.2f), b.weight(n + ".v", {cout}, 0.5f, 1.5f)});
    return relu ? b.node("Relu", n + "_relu", {bn}) : bn;
  };
  auto bottleneck = [&](ValueId in, int64_t cin, int64_t mid, int64_t cout, bool downsample) {
    ValueId h = convBn(in, cin, mid, 1, 1, true);
    h = convBn(h, mid, mid, 3, 1, true);
    h = convBn(h, mid, cout, 1, 1, false);
    ValueId skip = downsample ? convBn(in, cin, cout, 1, 1, false) : in;
    ValueId s = b.node("Add", "add" + std::to_string(id), {h, skip});
    return b.node("Relu", "relu" + std::to_string(id), {s});
  };
  ValueId h = convBn(x, 3, 8, 7, 2, true);
  h = b.node("MaxPool", "maxpool", {h},
             attrs({{"kernel_shape", std::vector<int64_t>{3, 3}}, {"strides", std::vector<int64_t>{2, 2}},
                    {"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
  h = bottleneck(h, 8, 4, 16, true);
  h = bottleneck(h, 16, 4, 16, false);
  if (reduce_mean_head)
    h = b.node("ReduceMean", "mean", {h, b.ints("mean.axes", {-1, -2})}, attrs({{"keepdims", int64_t(1)}}));
  else
    h = b.node("GlobalAveragePool", "gap", {h});
  h = b.node("Flatten", "flatten", {h});
  b.output(b.node("Gemm", "fc", {h, b.weight("fc.w", {10, 16}), b.weight("fc.b", {10})}, attrs({{"transB", int64_t(1)}})));
  return b.build();
}

TEST(ConvLayout, MiniResNetOneTransposeAtTheInput) {
  for (bool mean_head : {false, true}) {
    SCOPED_TRACE(mean_head ? "ReduceMean head" : "GlobalAveragePool head");
    Graph ref = miniResNet(mean_head);
    Graph g = ref;
    PassLog log;
    Status s = optimize(g, OptimizeOptions{DType::kFloat16, true}, log);
    ASSERT_TRUE(s.ok()) << s.message();
    // Reformat, Transpose, 8 convs (stem, 3 + downsample, 3), MaxPool,
    // pool/mean, Reshape view, Flatten, Gemm, Reformat.
    EXPECT_EQ(count(g, std::string(fused::kConv)), 8) << ::testing::PrintToString(nodeNames(g));
    EXPECT_EQ(count(g, "Transpose"), 1) << ::testing::PrintToString(nodeNames(g));
    EXPECT_EQ(count(g, "Reshape"), 1);
    EXPECT_EQ(g.liveNodeCount(), 16) << ::testing::PrintToString(nodeNames(g));
    for (const Node& n : g.nodes) {
      if (n.op == fused::kConv || n.op == "MaxPool" || n.op == "GlobalAveragePool") {
        EXPECT_EQ(layoutOf(n), "NHWC") << n.name;
      }
      if (n.op == "ReduceMean") {
        const HostTensor* axes = g.constantOf(n.inputs[1]);
        ASSERT_NE(axes, nullptr);
        EXPECT_EQ(axes->getDouble(0), 2);  // W (NCHW -1) is NHWC axis 2
        EXPECT_EQ(axes->getDouble(1), 1);  // H (NCHW -2) is NHWC axis 1
      }
    }
    const Node& first_conv = *std::find_if(g.nodes.begin(), g.nodes.end(), [](const Node& n) { return n.op == fused::kConv; });
    EXPECT_EQ(g.values[size_t(first_conv.inputs[0])].desc.shape, (Shape{2, 32, 32, 3}));
    expectSameOutputs(g, ref, 2e-2, 2e-2);
    // And bit-identical to the fp16 graph without the layout pass.
    Graph nchw = ref;
    PassLog log2;
    ASSERT_TRUE(prepare(nchw, DType::kFloat16, log2).ok());
    Graph nhwc = nchw;
    ASSERT_TRUE(convertConvLayout(nhwc, DType::kFloat16, log2).ok());
    expectIdentical(nhwc, nchw);
  }
}

}  // namespace
}  // namespace gpuscope::engine::testing
