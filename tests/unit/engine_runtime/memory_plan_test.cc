#include "engine/runtime/memory_plan.h"

#include <gtest/gtest.h>

#include <random>

#include "engine/gpu/gpu_layer.h"
#include "engine/passes/infer_shapes.h"
#include "runtime_test_util.h"

namespace gpuscope::engine {
namespace {

bool lifetimesOverlap(const BufferRequest& a, const BufferRequest& b) { return a.first <= b.last && b.first <= a.last; }

TEST(PlanArena, ChainReusesMemoryOfDeadValues) {
  // A lives over steps 0-1, B 1-2, C 2-3: A and C never coexist, so by hand
  // the arena needs two 256-byte slots, not three.
  std::vector<BufferRequest> r{{100, 0, 1}, {100, 1, 2}, {100, 2, 3}};
  ArenaPlan p = planArena(r);
  EXPECT_EQ(p.bytes, 512);
  EXPECT_EQ(p.offsets[0], p.offsets[2]);
  EXPECT_NE(p.offsets[0], p.offsets[1]);
}

TEST(PlanArena, BiggestFirstAndAligned) {
  // 1000 B (-> 1024) lives 0-2; 300 B (-> 512) 0-0; 600 B (-> 768) 1-2.
  // Greedy by size: 1000 at 0, 600 at 1024, 300 may share with 600
  // (lifetimes 0-0 vs 1-2 do not overlap) -> at 1024. Peak 1024 + 768.
  std::vector<BufferRequest> r{{1000, 0, 2}, {300, 0, 0}, {600, 1, 2}};
  ArenaPlan p = planArena(r);
  EXPECT_EQ(p.offsets[0], 0);
  EXPECT_EQ(p.offsets[2], 1024);
  EXPECT_EQ(p.offsets[1], 1024);
  EXPECT_EQ(p.bytes, 1024 + 768);
}

TEST(PlanArena, RandomRequestsNeverOverlapWhileAlive) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<BufferRequest> r(40);
    int64_t sum = 0;
    for (auto& q : r) {
      q.bytes = std::uniform_int_distribution<int64_t>(1, 5000)(rng);
      q.first = std::uniform_int_distribution<int>(0, 30)(rng);
      q.last = q.first + std::uniform_int_distribution<int>(0, 8)(rng);
      sum += alignUp(q.bytes, kArenaAlignment);
    }
    ArenaPlan p = planArena(r);
    EXPECT_LE(p.bytes, sum);
    int64_t max_live = 0;  // a lower bound: the largest set alive at one step
    for (int step = 0; step < 40; ++step) {
      int64_t live = 0;
      for (const auto& q : r)
        if (q.first <= step && step <= q.last) live += alignUp(q.bytes, kArenaAlignment);
      max_live = std::max(max_live, live);
    }
    EXPECT_GE(p.bytes, max_live);
    for (size_t i = 0; i < r.size(); ++i) {
      EXPECT_EQ(p.offsets[i] % kArenaAlignment, 0);
      EXPECT_LE(p.offsets[i] + r[i].bytes, p.bytes);
      for (size_t j = i + 1; j < r.size(); ++j) {
        if (!lifetimesOverlap(r[i], r[j])) continue;
        bool disjoint = p.offsets[i] + r[i].bytes <= p.offsets[j] || p.offsets[j] + r[j].bytes <= p.offsets[i];
        EXPECT_TRUE(disjoint) << "trial " << trial << " requests " << i << " and " << j;
      }
    }
  }
}

TEST(PlanGraphMemory, ViewsAliasOutputsBindAndConstantsGoToWeights) {
  Graph g = testutil::makeMlpGraph();
  Status st = inferShapes(g);
  ASSERT_TRUE(st.ok()) << st.message();
  auto order = g.topologicalOrder();
  ASSERT_TRUE(order.ok());
  auto plan = planGraphMemory(g, *order);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  auto loc = [&](const char* name) { return plan->values[size_t(g.findValue(name))]; };
  // MatMul output: an activation in the arena.
  EXPECT_EQ(loc("/fc/MatMul_output_0").storage, Storage::kArena);
  // Relu output is read by Reshape (a view) whose output is graph output 0:
  // the relu writes straight into that binding and y aliases it.
  EXPECT_EQ(loc("/relu/Relu_output_0").storage, Storage::kOutput);
  EXPECT_EQ(loc("/relu/Relu_output_0").offset, 0);
  EXPECT_EQ(loc("y").storage, Storage::kOutput);
  EXPECT_EQ(loc("y").offset, 0);
  EXPECT_EQ(loc("z").storage, Storage::kOutput);
  EXPECT_EQ(loc("z").offset, 1);
  EXPECT_EQ(loc("x").storage, Storage::kInput);
  EXPECT_EQ(loc("fc.weight").storage, Storage::kWeights);
  EXPECT_EQ(loc("shape").storage, Storage::kWeights);
  // Weights: 4x6 fp32 = 96 B -> 256, shape 2 int64 = 16 B -> 256.
  EXPECT_EQ(plan->weight_bytes, 512);
  // One arena value of 2x6 fp32 = 48 B -> one 256-byte slot.
  EXPECT_EQ(plan->arena_bytes, 256);
  EXPECT_TRUE(plan->output_copies.empty());
}

TEST(PlanGraphMemory, OutputThatIsAnInputIsCopied) {
  Graph g;
  g.opset = 18;
  ValueId x = g.addValue("x", {DType::kFloat32, {3}});
  g.inputs = {x};
  ValueId y = g.addValue("y", {DType::kFloat32, {3}});
  g.addNode(Node{"Identity", "id", {x}, {y}, {}, {"id"}});
  g.outputs = {y};
  auto order = g.topologicalOrder();
  ASSERT_TRUE(order.ok());
  auto plan = planGraphMemory(g, *order);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->output_copies.size(), 1u);
  EXPECT_EQ(plan->output_copies[0].from.storage, Storage::kInput);
  EXPECT_EQ(plan->output_copies[0].bytes, 12);
  EXPECT_EQ(plan->arena_bytes, 0);
}

}  // namespace
}  // namespace gpuscope::engine
