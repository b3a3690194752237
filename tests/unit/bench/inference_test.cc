// trtexec's measurement loop on a fake device with a virtual clock: the
// warm-up skip count, iterations as a minimum, duration, the two-slot
// enqueue-ahead and the merge of several streams (reference/trtexec.md §3).
#include <gtest/gtest.h>

#include <cstring>

#include "bench/inference.h"
#include "bench/report.h"

namespace gpuscope::bench {
namespace {

// Each query computes for `step` ms, back to back from `origin` on.
class FakeStream : public QueryBackend {
 public:
  FakeStream(int id, float origin, float step) : id_(id), clock_(origin), step_(step) {}
  Status query(int slot) override {
    if (outstanding_[slot]) return InternalError("slot reused before sync");
    InferenceTrace t;
    t.stream = id_;
    t.h2d_start = t.h2d_end = t.compute_start = t.enq_start = clock_;
    clock_ += step_;
    t.compute_end = t.d2h_start = t.d2h_end = t.enq_end = clock_;
    slots_[slot] = t;
    outstanding_[slot] = true;
    ++queries;
    max_in_flight = std::max(max_in_flight, int(outstanding_[0]) + int(outstanding_[1]));
    return OkStatus();
  }
  StatusOr<InferenceTrace> sync(int slot) override {
    if (!outstanding_[slot]) return InternalError("sync of an idle slot");
    outstanding_[slot] = false;
    return slots_[slot];
  }
  int queries = 0;
  int max_in_flight = 0;

 private:
  int id_;
  float clock_, step_;
  InferenceTrace slots_[2];
  bool outstanding_[2] = {false, false};
};

TEST(BenchInference, IterationsAreAMinimumAfterWarmup) {
  // Queries start at 0.5, 1.5, 2.5 ... (1 ms each); warm-up 10 ms. Step k
  // enqueues query k and syncs query k-1 (computeStart k-0.5): steps 1..10
  // see computeStart < 10 and add to skip (10), step 0 syncs nothing. The
  // loop runs iterations + skip = 30 steps, so queries 0..29; the ones with
  // computeStart >= 10 are 10..29 = exactly 20.
  FakeStream s(0, 0.5F, 1.0F);
  LoopSettings ls;
  ls.iterations = 20;
  ls.warmup_ms = 10;
  ls.duration_ms = 0;
  auto trace = runInferenceLoops({&s}, ls, false, nullptr);
  ASSERT_TRUE(trace.ok()) << trace.status().message();
  EXPECT_EQ(trace->size(), 30u);
  EXPECT_EQ(s.queries, 30);
  EXPECT_EQ(s.max_in_flight, 2);  // one query enqueued ahead
  EXPECT_EQ(firstMeasured(*trace, 10), 10u);
}

TEST(BenchInference, DurationExtendsTheRun) {
  // warm-up 10 + duration 50: stepping continues while the latest completed
  // computeStart (k - 0.5 after step k) is below 60, i.e. through step 61
  // (which syncs query 60, computeStart 60.5); then the outstanding query 61
  // is drained: queries 0..61.
  FakeStream s(0, 0.5F, 1.0F);
  LoopSettings ls;
  ls.iterations = 3;
  ls.warmup_ms = 10;
  ls.duration_ms = 50;
  auto trace = runInferenceLoops({&s}, ls, false, nullptr);
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(trace->size(), 62u);
  EXPECT_EQ(trace->back().compute_start, 61.5F);
}

TEST(BenchInference, ExposeDmaDepthOne) {
  FakeStream s(0, 0.5F, 1.0F);
  LoopSettings ls;
  ls.iterations = 5;
  ls.warmup_ms = 0;
  ls.duration_ms = 0;
  ls.depth = 1;
  auto trace = runInferenceLoops({&s}, ls, false, nullptr);
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(s.max_in_flight, 1);
  EXPECT_EQ(trace->size(), 5u);  // warm-up 0: every step counts
}

TEST(BenchInference, StreamsAreMergedSortedByH2dStart) {
  FakeStream a(0, 0.5F, 1.0F), b(1, 0.25F, 1.5F);
  LoopSettings ls;
  ls.iterations = 6;
  ls.warmup_ms = 0;
  ls.duration_ms = 0;
  for (bool threads : {false, true}) {
    auto trace = runInferenceLoops({&a, &b}, ls, threads, nullptr);
    ASSERT_TRUE(trace.ok());
    bool seen[2] = {false, false};
    for (size_t i = 0; i < trace->size(); ++i) {
      seen[(*trace)[i].stream] = true;
      if (i) {
        EXPECT_LE((*trace)[i - 1].h2d_start, (*trace)[i].h2d_start);
      }
    }
    EXPECT_TRUE(seen[0] && seen[1]);
  }
}

TEST(BenchInference, StopFlagEndsAnEndlessRun) {
  FakeStream s(0, 0.5F, 1.0F);
  LoopSettings ls;
  ls.duration_ms = -1;
  std::atomic<bool> stop{true};
  auto trace = runInferenceLoops({&s}, ls, false, &stop);
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(trace->size(), 0u);
}

TEST(BenchInference, DefaultInputsAreRandomFloatsAndZeroIntegers) {
  engine::TensorDesc f;
  f.dtype = engine::DType::kFloat32;
  f.shape = {4, 8};
  std::vector<uint8_t> b = defaultInputBytes(f, 1);
  ASSERT_EQ(b.size(), 128u);
  bool nonzero = false;
  for (size_t i = 0; i < 32; ++i) {
    float v;
    std::memcpy(&v, &b[i * 4], 4);
    EXPECT_GE(v, -1.0F);
    EXPECT_LE(v, 1.0F);
    nonzero |= v != 0;
  }
  EXPECT_TRUE(nonzero);
  engine::TensorDesc ids;
  ids.dtype = engine::DType::kInt64;
  ids.shape = {3};
  EXPECT_EQ(defaultInputBytes(ids, 1), std::vector<uint8_t>(24, 0));
}

}  // namespace
}  // namespace gpuscope::bench
