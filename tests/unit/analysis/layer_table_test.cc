// Kernels mapped to layers: a TensorRT-style trace with NVTX layer ranges
// inside two ExecutionContext::enqueue ranges, and a PyTorch-style trace
// mapped through External ids.
#include <gtest/gtest.h>

#include "analysis/iterations.h"
#include "analysis/layers/layer_table.h"
#include "trace_builder.h"

namespace gpuscope::analysis {
namespace {

using testing::TraceBuilder;

const LayerRow* row(const LayerTable& t, const std::string& layer) {
  for (const LayerRow& r : t.rows)
    if (r.layer == layer) return &r;
  return nullptr;
}

// Per inference (base = 100 us * (i + 1)):
//   "Reformatting CopyNode for Input Tensor 0 to Conv_8 + Relu_10": 1 kernel of 1000
//   "Conv_8 + Relu_10":                 2 kernels, 4000 and 2000
//   "{ForeignNode[/ln/Mean.../ln/Add]}": 1 kernel of 3000 (Myelin LayerNorm)
TEST(LayerTable, TensorRtNvtxLayers) {
  TraceBuilder b;
  for (int i = 0; i < 2; ++i) {
    int64_t base = 100000 * (i + 1);
    b.nvtx(base, base + 50000, "ExecutionContext::enqueue", "TensorRT", 0);
    b.nvtx(base + 100, base + 1000, "Reformatting CopyNode for Input Tensor 0 to Conv_8 + Relu_10", "TensorRT", 1);
    b.kernel(base + 20000, base + 21000, "void genericReformat::copyPackedKernel<float>",
             b.api(base + 200, base + 300, "cudaLaunchKernel"));
    b.nvtx(base + 1000, base + 3000, "Conv_8 + Relu_10", "TensorRT", 1);
    b.kernel(base + 21000, base + 25000 + i * 1000, "sm80_xmma_fprop_implicit_gemm_f16f16_f16f32_f32",
             b.api(base + 1100, base + 1200, "cudaLaunchKernel"));
    b.kernel(base + 26000, base + 28000, "sm80_xmma_splitk_reduce",
             b.api(base + 1300, base + 1400, "cudaLaunchKernel"));
    b.nvtx(base + 3000, base + 4000, "{ForeignNode[/ln/Mean.../ln/Add]}", "TensorRT", 1);
    b.kernel(base + 28000, base + 31000, "__myl_bb0_8_ResTraCasAddMeaSubMulMeaAddSqrDivMulMulAddRes_com_vec",
             b.api(base + 3100, base + 3200, "cudaLaunchKernel"));
  }
  model::Trace t = b.take();
  TraceIndex index(t);
  IterationSet its = detectIterations(index);
  ASSERT_EQ(its.name, "TensorRT:ExecutionContext::enqueue");  // nsys shows the domain as a prefix
  ASSERT_EQ(its.items.size(), 2u);
  LayerTable lt = buildLayerTable(index, its);
  EXPECT_EQ(lt.iterations, 2u);
  ASSERT_EQ(lt.rows.size(), 3u);
  // All kernel time of both inferences: 2 * (1000 + 2000 + 3000) + 4000 + 5000.
  EXPECT_EQ(lt.total, 21000);
  int64_t sum = 0;
  for (const LayerRow& r : lt.rows) sum += r.total;
  EXPECT_EQ(sum, lt.total);
  const LayerRow* conv = row(lt, "Conv_8 + Relu_10");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->source, "nvtx");
  EXPECT_EQ(conv->calls, 4u);
  EXPECT_EQ(conv->kernels, 2u);
  EXPECT_EQ(conv->total, 4000 + 5000 + 2000 + 2000);
  EXPECT_EQ(conv->median, (2000 + 4000) / 2);
  EXPECT_DOUBLE_EQ(conv->per_iteration, 6500);
  EXPECT_NEAR(conv->pct, 100.0 * 13000 / 21000, 1e-9);
  EXPECT_EQ(conv->parsed.sources, (std::vector<std::string>{"Conv_8", "Relu_10"}));
  EXPECT_EQ(lt.rows[0].layer, "Conv_8 + Relu_10");
  const LayerRow* ref = row(lt, "Reformatting CopyNode for Input Tensor 0 to Conv_8 + Relu_10");
  ASSERT_NE(ref, nullptr);
  EXPECT_TRUE(ref->parsed.inserted);
  EXPECT_EQ(ref->total, 2000);
  const LayerRow* ln = row(lt, "{ForeignNode[/ln/Mean.../ln/Add]}");
  ASSERT_NE(ln, nullptr);
  EXPECT_TRUE(ln->parsed.myelin);
  EXPECT_EQ(ln->patterns, (std::vector<std::string>{"LayerNorm"}));
}

TEST(LayerTable, PyTorchExternalIds) {
  TraceBuilder b;
  b.cpuOp(1000, 9000, "aten::conv2d", 7);
  b.cpuOp(10000, 12000, "aten::relu", 8);
  b.kernel(20000, 23000, "conv_kernel", b.api(1100, 1200, "cudaLaunchKernel"), 7, 0, 7);
  b.kernel(23000, 24000, "relu_kernel", b.api(10100, 10200, "cudaLaunchKernel"), 7, 0, 8);
  b.kernel(24000, 24500, "orphan", b.api(13000, 13100, "cudaLaunchKernel"));
  model::Trace t = b.take();
  TraceIndex index(t);
  LayerTable lt = buildLayerTable(index, IterationSet{});
  ASSERT_EQ(lt.rows.size(), 3u);
  EXPECT_EQ(lt.rows[0].layer, "aten::conv2d");
  EXPECT_EQ(lt.rows[0].source, "cpu_op");
  EXPECT_EQ(lt.rows[0].total, 3000);
  EXPECT_EQ(lt.rows[2].layer, kNoLayer);
  EXPECT_EQ(lt.total, 4500);
}

// A CUDA-graph replay (trtexec --useCudaGraph): the layer ranges existed
// only at capture; each kernel is mapped through its graph node.
TEST(LayerTable, GraphReplayThroughGraphNodes) {
  TraceBuilder b;
  model::Trace& t = b.trace();
  const char* layers[] = {"Conv_1 + Relu_2", "(Unnamed Layer* 5) [Shuffle]"};
  for (int n = 0; n < 2; ++n) {
    decltype(t.graph_nodes)::Row r;
    r.pid = TraceBuilder::kPid;
    r.graph_id = 1;
    r.node_id = 10 + n;
    r.nvtx_text = t.strings.intern(layers[n]);
    t.graph_nodes.push(r);
  }
  for (int i = 0; i < 3; ++i) {
    int64_t base = 100000 * (i + 1);
    int64_t c = b.api(base, base + 100, "cudaGraphLaunch");
    for (int n = 0; n < 2; ++n) {
      b.kernel(base + 1000 + 5000 * n, base + 3000 + 5000 * n + 1000 * n, n ? "shuffle" : "conv", c);
      t.kernels.graph_node_id.back() = 10 + n;
    }
  }
  model::Trace trace = b.take();
  TraceIndex index(trace);
  LayerTable lt = buildLayerTable(index, IterationSet{});
  ASSERT_EQ(lt.rows.size(), 2u);
  EXPECT_EQ(lt.rows[0].layer, "(Unnamed Layer* 5) [Shuffle]");
  EXPECT_EQ(lt.rows[0].source, "graph_node");
  EXPECT_EQ(lt.rows[0].total, 3 * 3000);
  EXPECT_TRUE(lt.rows[0].parsed.inserted);
  EXPECT_EQ(lt.rows[1].total, 3 * 2000);
  EXPECT_EQ(lt.rows[1].calls, 3u);
}

}  // namespace
}  // namespace gpuscope::analysis
