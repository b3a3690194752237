// The rule that names a kernel's layer, shared by the Layers table and the
// report timeline (analysis/layers/kernel_layer.h).
#include "analysis/layers/kernel_layer.h"

#include <gtest/gtest.h>

#include "analysis/trace_index.h"
#include "trace_builder.h"

namespace gpuscope::analysis {
namespace {

using testing::TraceBuilder;

TEST(KernelLayer, WrapperRanges) {
  EXPECT_TRUE(isWrapperRange("anything", "myelin-exec", ""));
  EXPECT_TRUE(isWrapperRange("ExecutionContext::enqueue", "TensorRT", ""));
  EXPECT_TRUE(isWrapperRange("ProfilerStep#12", "", ""));
  EXPECT_TRUE(isWrapperRange("step#3", "", "step#N"));  // the detected iteration range
  EXPECT_FALSE(isWrapperRange("Conv_8 + Relu_10", "TensorRT", "TensorRT:ExecutionContext::enqueue"));
  // No iteration detected: a range is not a wrapper for matching "".
  EXPECT_FALSE(isWrapperRange("", "", ""));
}

// Kernel 0: launched inside "layer1" inside ProfilerStep#1 (a wrapper): nvtx.
// Kernel 1: a graph replay launched inside "forward": the range around
//   cudaGraphLaunch is the caller's; the node's capture-time range names it.
// Kernel 2: no range; External id 9 -> cpu_op "aten::add".
// Kernel 3: nothing.
TEST(KernelLayer, SourcesInOrder) {
  TraceBuilder b;
  model::Trace& t = b.trace();
  b.nvtx(0, 100000, "ProfilerStep#1", "", 0);
  b.nvtx(100, 1000, "layer1", "", 1);
  int64_t c0 = b.api(200, 300, "cudaLaunchKernel");
  b.nvtx(2000, 3000, "forward", "", 1);
  int64_t c1 = b.api(2100, 2200, "cudaGraphLaunch");
  b.cpuOp(4000, 5000, "aten::add", 9);
  int64_t c2 = b.api(4100, 4200, "cudaLaunchKernel");
  int64_t c3 = b.api(6000, 6100, "cudaLaunchKernel");
  decltype(t.graph_nodes)::Row node;
  node.pid = TraceBuilder::kPid;
  node.graph_id = 1;
  node.node_id = 42;
  node.nvtx_text = t.strings.intern("g_layer");
  t.graph_nodes.push(node);
  b.kernel(10000, 11000, "k0", c0);
  b.kernel(12000, 13000, "k1", c1);
  t.kernels.graph_node_id.back() = 42;
  b.kernel(14000, 15000, "k2", c2, 7, 0, 9);
  b.kernel(16000, 17000, "k3", c3);
  model::Trace trace = b.take();
  TraceIndex index(trace);
  const KernelLayerResolver resolver(trace, index.context(), "");
  auto named = [&](const char* kernel) {
    for (uint32_t k = 0; k < trace.kernels.size(); ++k)
      if (trace.str(trace.kernels.name[k]) == kernel)
        return resolver.resolve(k, index.launchApi(stats::packGpuOp(stats::GpuOpTable::kKernel, k)));
    ADD_FAILURE() << kernel;
    return KernelLayerText{};
  };
  KernelLayerText k0 = named("k0"), k1 = named("k1"), k2 = named("k2"), k3 = named("k3");
  EXPECT_EQ(k0.source, LayerSource::kNvtx);
  EXPECT_EQ(trace.str(k0.text), "layer1");
  EXPECT_EQ(k1.source, LayerSource::kGraphNode);
  EXPECT_EQ(trace.str(k1.text), "g_layer");
  EXPECT_EQ(k2.source, LayerSource::kCpuOp);
  EXPECT_EQ(trace.str(k2.text), "aten::add");
  EXPECT_EQ(k3.source, LayerSource::kNone);
}

}  // namespace
}  // namespace gpuscope::analysis
