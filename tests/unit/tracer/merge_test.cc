// Several processes' recordings -> one trace: clocks, windows, de-dup.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tracer/merge.h"
#include "tracer/raw_format.h"
#include "unit/tracer/fake_cupti_buffer.h"

namespace gpuscope::tracer {
namespace {

using testing::FakeCuptiBuffer;
using testing::fakeApiName;

// A process whose clock reads `clock` when the epoch clock reads `epoch`:
// one launch (API + kernel) at process time t for each t in `launches`.
Recording process(int64_t pid, int64_t clock, int64_t epoch, std::vector<uint64_t> launches) {
  Recording r;
  r.process.push_back({pid, 1, clock, epoch, "proc " + std::to_string(pid)});
  FakeCuptiBuffer b;
  uint32_t corr = 1;
  for (uint64_t t : launches) {
    b.addRuntime(t, t + 5, corr, 211, uint32_t(pid), uint32_t(pid + 1));
    b.addKernel(t + 10, t + 20, corr, 7);
    ++corr;
  }
  auto& dev = b.add<CUpti_ActivityDevice5>(CUPTI_ACTIVITY_KIND_DEVICE);
  dev.id = 0; dev.name = "GPU0";
  auto& ctx = b.add<CUpti_ActivityContext3>(CUPTI_ACTIVITY_KIND_CONTEXT);
  ctx.contextId = 1; ctx.deviceId = 0;
  auto& st = b.add<CUpti_ActivityStream>(CUPTI_ACTIVITY_KIND_STREAM);
  st.contextId = 1; st.streamId = 7;
  RecordDecoder d(&r, pid, fakeApiName);
  b.decodeInto(d);
  return r;
}

TEST(MergeTest, TwoProcessesOnDifferentClocksShareOneTimeline) {
  // Process A: its clock = epoch (offset 0). Process B: clock runs 1,000,000
  // ns behind epoch, so its process time 500 is epoch 1,000,500.
  const int64_t E = 1'700'000'000'000'000'000;
  std::vector<Recording> recs;
  recs.push_back(process(10, E, E, {E + 2000, E + 4000}));
  recs.push_back(process(20, E - 1'000'000, E, {E - 1'000'000 + 500}));
  MergeOptions o;
  o.command = "prog";
  model::Trace t = mergeRecordings(std::move(recs), o);
  // Earliest event: B's API call at epoch E+500 -> trace time 0.
  EXPECT_EQ(t.meta.at(model::kMetaTimeBaseNs), std::to_string(E + 500));
  EXPECT_EQ(t.meta.at(model::kMetaSourceFormat), "gpuscope_trace");
  EXPECT_EQ(t.meta.at("command"), "prog");
  ASSERT_EQ(t.api_calls.size(), 3u);
  EXPECT_EQ(t.api_calls.start[0], 0);
  EXPECT_EQ(t.api_calls.pid[0], 20);
  EXPECT_EQ(t.api_calls.start[1], 1500);  // A's E+2000
  EXPECT_EQ(t.api_calls.start[2], 3500);
  ASSERT_EQ(t.kernels.size(), 3u);
  EXPECT_EQ(t.kernels.start[0], 10);
  EXPECT_EQ(t.kernels.end[0], 20);
  EXPECT_EQ(t.kernels.pid[1], 10);
  // One device for both, one context/stream per process, threads from API calls.
  EXPECT_EQ(t.devices.size(), 1u);
  EXPECT_EQ(t.contexts.size(), 2u);
  ASSERT_EQ(t.streams.size(), 2u);
  EXPECT_EQ(t.streams.device_id[0], 0);
  EXPECT_EQ(t.processes.size(), 2u);
  EXPECT_EQ(t.threads.size(), 2u);
  EXPECT_EQ(t.diagnostics.count("gpu_record_without_api_call"), 0);
}

TEST(MergeTest, ClockAnchorsCorrectADriftingProcessClock) {
  // Process B's clock (a TSC scaled with a rate 100 ppm too high) gains
  // 100 ns per ms on the epoch; its anchors at clock 0, 1,000,100 and
  // 2,000,200 ns read epoch E, E+1 ms and E+2 ms. Process A is exact.
  const int64_t E = 1'700'000'000'000'000'000;
  std::vector<Recording> recs;
  recs.push_back(process(10, E, E, {E + 1'000'000}));
  Recording b = process(20, 0, E, {1'500'150});  // clock 1,500,150 = epoch E+1.5 ms
  b.clock_anchors.push_back({1'000'100, E + 1'000'000});
  b.clock_anchors.push_back({2'000'200, E + 2'000'000});
  recs.push_back(std::move(b));
  model::Trace t = mergeRecordings(std::move(recs), MergeOptions{});
  // Earliest: A's call at E+1 ms. B's call is 0.5 ms later; with the first
  // anchor's offset alone it would be 0.5 ms + 150 ns later.
  EXPECT_EQ(t.meta.at(model::kMetaTimeBaseNs), std::to_string(E + 1'000'000));
  ASSERT_EQ(t.api_calls.size(), 2u);
  EXPECT_EQ(t.api_calls.pid[1], 20);
  EXPECT_EQ(t.api_calls.start[1], 500'000);
  // B's kernel: clock 1,500,160..1,500,170 -> 10 ns after its call, 10 long
  // (a 10 ns span shrinks by 1e-4 ns: rounds to the same).
  ASSERT_EQ(t.kernels.size(), 2u);
  EXPECT_EQ(t.kernels.start[1] - t.api_calls.start[1], 10);
  EXPECT_EQ(t.kernels.end[1] - t.kernels.start[1], 10);
}

TEST(MergeTest, DelayDurationWindowKeepsLaunchesMadeInside) {
  std::vector<Recording> recs;
  // Launch at 100 (before), 1000 (inside; its kernel runs at 1010..1020),
  // 1990 (inside; kernel at 2000..2010, after the window), 3000 (after).
  recs.push_back(process(10, 0, 0, {100, 1000, 1990, 3000}));
  MergeOptions o;
  o.window_begin_epoch_ns = 500;
  o.window_end_epoch_ns = 2000;
  model::Trace t = mergeRecordings(std::move(recs), o);
  ASSERT_EQ(t.api_calls.size(), 2u);
  ASSERT_EQ(t.kernels.size(), 2u);
  EXPECT_EQ(t.meta.at(model::kMetaTimeBaseNs), "1000");
  EXPECT_EQ(t.kernels.start[1], 1000);  // 2000 - base: kept with its launch
  EXPECT_EQ(t.devices.size(), 1u);      // resources are never filtered
}

TEST(MergeTest, CudaProfilerApiAndNvtxCaptureRanges) {
  Recording r = process(10, 0, 0, {100, 1000, 3000, 5000});
  r.capture_edges = {{900, true}, {2000, false}, {4900, true}};  // second window never closed
  std::vector<Recording> recs;
  recs.push_back(std::move(r));
  MergeOptions profiler_api;
  profiler_api.capture = CaptureRangeKind::kCudaProfilerApi;
  model::Trace t = mergeRecordings(std::move(recs), profiler_api);
  EXPECT_EQ(t.api_calls.size(), 2u);  // 1000 and 5000
  EXPECT_EQ(t.kernels.size(), 2u);

  Recording n = process(10, 0, 0, {100, 1000, 3000});
  FakeCuptiBuffer b;
  b.addMarker(1, CUPTI_ACTIVITY_FLAG_MARKER_START, 2500, 11, "step");
  b.addMarker(1, CUPTI_ACTIVITY_FLAG_MARKER_END, 3500, 11, nullptr);
  RecordDecoder d(&n, 10, nullptr);
  b.decodeInto(d);
  recs.clear();
  recs.push_back(std::move(n));
  MergeOptions nvtx;
  nvtx.capture = CaptureRangeKind::kNvtx;
  nvtx.capture_nvtx_name = "step";
  model::Trace u = mergeRecordings(std::move(recs), nvtx);
  ASSERT_EQ(u.api_calls.size(), 1u);
  EXPECT_EQ(u.api_calls.start[0], 500);  // 3000 - base 2500 (the range itself)
  EXPECT_EQ(u.nvtx.size(), 1u);
}

TEST(MergeTest, ExternalIdsDiagnosticsAndUncorrelatedWork) {
  Recording r = process(10, 0, 0, {100});
  r.external.push_back({1, 777});
  FakeCuptiBuffer b;
  b.addKernel(500, 600, 99, 7);  // launch not recorded
  RecordDecoder d(&r, 10, nullptr);
  b.decodeInto(d);
  d.addDroppedRecords(5);
  Recording second;  // a file cut before its process frame
  second.rows.diagnostics.add("raw_file_truncated", model::Severity::kDataLoss, "x", "2.raw:byte 16", 8);
  std::vector<Recording> recs;
  recs.push_back(std::move(r));
  recs.push_back(std::move(second));
  model::Trace t = mergeRecordings(std::move(recs), {});
  EXPECT_EQ(t.api_calls.external_id[0], 777);
  EXPECT_EQ(t.kernels.external_id[0], 777);
  EXPECT_EQ(t.diagnostics.count("gpu_record_without_api_call"), 1);
  EXPECT_EQ(t.diagnostics.count("cupti_dropped_records"), 5);
  EXPECT_EQ(t.diagnostics.count("raw_file_truncated"), 8);
  EXPECT_EQ(t.diagnostics.count("raw_file_without_process_info"), 1);
}

TEST(MergeTest, SynchronizationsAreCutToTheirCalls) {
  // Two launches' API calls at [100, 105] and [200, 205] (correlation 1, 2);
  // callback-timed syncs at [98, 107] (wider than its call) and [201, 204].
  Recording r = process(10, 0, 0, {100, 200});
  auto sync = [&](int64_t corr, int64_t start, int64_t end) {
    model::SyncTable::Row row;
    row.pid = 10; row.correlation_id = corr; row.start = start; row.end = end; row.sync_type = 3;
    r.rows.syncs.push(row);
  };
  sync(1, 98, 107);
  sync(2, 201, 204);
  std::vector<Recording> recs;
  recs.push_back(std::move(r));
  model::Trace t = mergeRecordings(std::move(recs), {});
  ASSERT_EQ(t.syncs.size(), 2u);
  ASSERT_EQ(t.api_calls.size(), 2u);
  EXPECT_EQ(t.syncs.start[0], t.api_calls.start[0]);
  EXPECT_EQ(t.syncs.end[0], t.api_calls.end[0]);
  EXPECT_EQ(t.syncs.end[1] - t.syncs.start[1], 3);
  EXPECT_EQ(t.syncs.start[1] - t.api_calls.start[1], 1);
  EXPECT_EQ(t.diagnostics.count("sync_interval_clamped_to_call"), 1);
}

TEST(MergeTest, RawDirectoryWithACutFile) {
  auto dir = std::filesystem::temp_directory_path() / ("gs_merge_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  for (int pid : {10, 20}) {
    Recording r = process(pid, 0, 0, {100, 200, 300});
    RawEncoder enc;
    std::string bytes = RawEncoder::header();
    enc.encode(r, &bytes);
    if (pid == 20) bytes.resize(bytes.size() - 2);  // killed mid-write
    std::ofstream(dir / (std::to_string(pid) + ".raw"), std::ios::binary) << bytes;
  }
  std::ofstream(dir / "ignored.txt") << "not a raw file";
  StatusOr<model::Trace> t = mergeRawDirectory(dir.string(), {});
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->processes.size(), 2u);
  // Rows are encoded table by table, API calls last here: the cut frame was
  // process 20's last API call; everything before it survives.
  EXPECT_EQ(t->api_calls.size(), 5u);
  EXPECT_EQ(t->kernels.size(), 6u);
  EXPECT_EQ(t->streams.size(), 2u);
  EXPECT_GT(t->diagnostics.count("raw_file_truncated"), 0);
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(mergeRawDirectory(dir.string(), {}).ok());
}

}  // namespace
}  // namespace gpuscope::tracer
