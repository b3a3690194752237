// Callback sequences of a stream capture inside NVTX ranges, then replay:
// replayed kernels (clone node ids) must map to the capture-time range.
#include <gtest/gtest.h>

#include "tracer/graph_nodes.h"
#include "tracer/merge.h"
#include "unit/tracer/fake_cupti_buffer.h"

namespace gpuscope::tracer {
namespace {

uint64_t nodeId(uint64_t graph, uint64_t index) { return (graph << 32) | index; }

TEST(NvtxStackTest, PopRemovesInnermostOfItsDomain) {
  NvtxStack s;
  s.push(0, "a");
  s.push(5, "b in domain 5");
  s.push(0, "c");
  EXPECT_EQ(s.innermost(), "c");
  s.pop(5);  // domain 5's range ends while default-domain c is open
  EXPECT_EQ(s.innermost(), "c");
  EXPECT_EQ(s.depth(), 2u);
  s.pop(0);
  EXPECT_EQ(s.innermost(), "a");
  s.pop(0);
  s.pop(0);  // unbalanced pop: ignored
  EXPECT_EQ(s.innermost(), "");
}

// Popped entries are kept as storage for later pushes: the texts after a
// pop from the middle, and after re-pushing, must be exactly the open ones.
TEST(NvtxStackTest, ReusesStorageWithoutMixingTexts) {
  NvtxStack s;
  std::string long_a(40, 'a'), long_b(50, 'b');  // past the small-string buffer
  s.push(0, long_a);
  s.push(7, long_b);
  s.push(0, "c");
  s.pop(7);  // the middle entry
  EXPECT_EQ(s.depth(), 2u);
  EXPECT_EQ(s.innermost(), "c");
  s.pop(0);
  EXPECT_EQ(s.innermost(), long_a);
  s.push(7, "d");
  s.push(0, "");
  EXPECT_EQ(s.depth(), 3u);
  EXPECT_EQ(s.innermost(), "");
  s.pop(0);
  EXPECT_EQ(s.innermost(), "d");
  s.pop(7);
  EXPECT_EQ(s.innermost(), long_a);
  s.pop(7);  // nothing of domain 7 open: ignored
  EXPECT_EQ(s.depth(), 1u);
  s.pop(0);
  EXPECT_EQ(s.depth(), 0u);
  for (int i = 0; i < 100; ++i) s.push(uintptr_t(i % 3), std::to_string(i));
  for (int i = 99; i >= 0; --i) {
    EXPECT_EQ(s.innermost(), std::to_string(i));
    s.pop(uintptr_t(i % 3));
  }
}

// The order CUPTI delivers callbacks for:
//   push "model"; push "layer1"; capture kernel (node 1:0); pop;
//   push "layer2"; capture kernel (1:1) and memset (1:2); pop; pop;
//   instantiate: CREATED copies (ignored) and CLONED 2:i from 1:i.
struct CaptureScenario {
  Recording rec;
  GraphNodeTracker tracker{&rec, 100};
  NvtxStack stack;

  void run() {
    stack.push(0, "model");
    stack.push(0, "layer1");
    tracker.onNodeCreated(1, nodeId(1, 0), 1, stack.innermost(), false);
    stack.pop(0);
    stack.push(0, "layer2");
    tracker.onNodeCreated(1, nodeId(1, 1), 1, stack.innermost(), false);
    tracker.onNodeCreated(1, nodeId(1, 2), 3, stack.innermost(), false);
    stack.pop(0);
    stack.pop(0);
    for (uint64_t i = 0; i < 3; ++i) tracker.onNodeCreated(2, nodeId(2, i), 1, "", true);
    for (uint64_t i = 0; i < 3; ++i) tracker.onNodeCloned(2, nodeId(2, i), nodeId(1, i), i == 2 ? 3 : 1);
  }
};

TEST(GraphNodeTrackerTest, ClonesInheritTheCaptureTimeRange) {
  CaptureScenario s;
  s.run();
  EXPECT_EQ(s.tracker.rangeOf(nodeId(1, 0)), "layer1");
  EXPECT_EQ(s.tracker.rangeOf(nodeId(2, 0)), "layer1");
  EXPECT_EQ(s.tracker.rangeOf(nodeId(2, 1)), "layer2");
  EXPECT_EQ(s.tracker.rangeOf(nodeId(2, 2)), "layer2");
  EXPECT_EQ(s.tracker.rangeOf(nodeId(3, 0)), "");
  // 3 captured + 3 cloned rows; the CREATED copies inside instantiate are not rows.
  const model::GraphNodeTable& t = s.rec.rows.graph_nodes;
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t.original_node_id[0], model::kNullI64);
  EXPECT_EQ(t.original_node_id[3], int64_t(nodeId(1, 0)));
  EXPECT_EQ(t.graph_id[3], 2);
  EXPECT_EQ(t.node_type[5], 3);
}

TEST(GraphNodeTrackerTest, CloneOfCloneAndUnknownOriginal) {
  Recording rec;
  GraphNodeTracker t(&rec, 100);
  t.onNodeCreated(1, 10, 1, "r", false);
  t.onNodeCloned(2, 20, 10, 1);
  t.onNodeCloned(3, 30, 20, 1);  // re-instantiation of an instantiated graph
  t.onNodeCloned(3, 31, 999, 1);
  EXPECT_EQ(t.rangeOf(30), "r");
  EXPECT_EQ(t.rangeOf(31), "");
}

TEST(GraphNodeTrackerTest, ReplayedKernelsJoinToRangesAfterMerge) {
  CaptureScenario s;
  s.run();
  // Two replays of the graph: each kernel record carries the clone's ids and
  // the cudaGraphLaunch correlation id.
  testing::FakeCuptiBuffer b;
  for (uint32_t replay = 0; replay < 2; ++replay) {
    uint64_t t0 = 1000 + replay * 1000;
    b.addRuntime(t0, t0 + 10, 50 + replay, 311);
    for (uint64_t i = 0; i < 2; ++i) {
      auto& k = b.addKernel(t0 + 100 + i * 100, t0 + 150 + i * 100, 50 + replay, 7);
      k.graphId = 2;
      k.graphNodeId = nodeId(2, i);
    }
  }
  RecordDecoder d(&s.rec, 100, testing::fakeApiName);
  b.decodeInto(d);
  s.rec.process.push_back({100, 1, 0, 0, "prog"});
  std::vector<Recording> recs;
  recs.push_back(std::move(s.rec));
  model::Trace t = mergeRecordings(std::move(recs), {});
  std::map<int64_t, std::string> node_range;
  for (size_t i = 0; i < t.graph_nodes.size(); ++i)
    node_range[t.graph_nodes.node_id[i]] = std::string(t.str(t.graph_nodes.nvtx_text[i]));
  ASSERT_EQ(t.kernels.size(), 4u);
  std::vector<std::string> got;
  for (size_t i = 0; i < t.kernels.size(); ++i) got.push_back(node_range.at(t.kernels.graph_node_id[i]));
  EXPECT_EQ(got, (std::vector<std::string>{"layer1", "layer2", "layer1", "layer2"}));
  EXPECT_EQ(t.kernels.correlation_id[2], 51);
  EXPECT_EQ(t.diagnostics.count("gpu_record_without_api_call"), 0);
}

}  // namespace
}  // namespace gpuscope::tracer
