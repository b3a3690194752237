// Synchronizations from API callbacks (sync_calls.h): which callback ids
// synchronize, and the stream/event read from fake params structs laid out
// as CUPTI's generated headers declare them.
#include "tracer/sync_calls.h"

#include <cupti.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace gpuscope::tracer {
namespace {

const void* handle(uintptr_t v) { return reinterpret_cast<const void*>(v); }

bool listed(bool driver, uint32_t cbid) {
  auto ids = syncCallbackIds(driver);
  return std::find(ids.begin(), ids.end(), cbid) != ids.end();
}

TEST(SyncCallsTest, EveryListedIdDecodesAndOthersDoNot) {
  // Seven runtime and seven driver entry points; each decodes to a type
  // when given (zeroed) params, and a launch or query does not.
  EXPECT_EQ(syncCallbackIds(false).size(), 7u);
  EXPECT_EQ(syncCallbackIds(true).size(), 7u);
  cuStreamWaitEvent_params zero{};
  for (bool driver : {false, true})
    for (uint32_t id : syncCallbackIds(driver)) EXPECT_NE(syncCallOf(driver, id, &zero).type, 0) << id;
  EXPECT_FALSE(listed(false, CUPTI_RUNTIME_TRACE_CBID_cudaStreamQuery_v3020));
  EXPECT_FALSE(listed(false, CUPTI_RUNTIME_TRACE_CBID_cudaEventQuery_v3020));
  EXPECT_EQ(syncCallOf(false, CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000, &zero).type, 0);
  EXPECT_EQ(syncCallOf(true, CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel, &zero).type, 0);
  EXPECT_EQ(syncCallOf(false, CUPTI_RUNTIME_TRACE_CBID_cudaEventQuery_v3020, &zero).type, 0);
}

TEST(SyncCallsTest, ContextSynchronizeNeedsNoParams) {
  SyncCall c = syncCallOf(false, CUPTI_RUNTIME_TRACE_CBID_cudaDeviceSynchronize_v3020, nullptr);
  EXPECT_EQ(c.type, CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_CONTEXT_SYNCHRONIZE);
  EXPECT_FALSE(c.has_stream);
  EXPECT_FALSE(c.has_event);
  EXPECT_EQ(syncCallOf(true, CUPTI_DRIVER_TRACE_CBID_cuCtxSynchronize, nullptr).type,
            CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_CONTEXT_SYNCHRONIZE);
  // A stream synchronize without params cannot name its stream: not a row.
  EXPECT_EQ(syncCallOf(true, CUPTI_DRIVER_TRACE_CBID_cuStreamSynchronize, nullptr).type, 0);
}

TEST(SyncCallsTest, StreamAndEventArguments) {
  cudaStreamSynchronize_v3020_params ss{reinterpret_cast<cudaStream_t>(0x5000)};
  SyncCall c = syncCallOf(false, CUPTI_RUNTIME_TRACE_CBID_cudaStreamSynchronize_v3020, &ss);
  EXPECT_EQ(c.type, CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_SYNCHRONIZE);
  EXPECT_EQ(c.stream, handle(0x5000));
  EXPECT_TRUE(c.has_stream);
  EXPECT_FALSE(c.has_event);
  EXPECT_FALSE(c.per_thread_stream);

  cudaStreamWaitEvent_ptsz_v7000_params w{reinterpret_cast<cudaStream_t>(0x6000),
                                          reinterpret_cast<cudaEvent_t>(0x7000), 0};
  c = syncCallOf(false, CUPTI_RUNTIME_TRACE_CBID_cudaStreamWaitEvent_ptsz_v7000, &w);
  EXPECT_EQ(c.type, CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_WAIT_EVENT);
  EXPECT_EQ(c.stream, handle(0x6000));
  EXPECT_EQ(c.event, handle(0x7000));
  EXPECT_TRUE(c.has_event);
  EXPECT_TRUE(c.per_thread_stream);

  cuEventSynchronize_params es{reinterpret_cast<CUevent>(0x8000)};
  c = syncCallOf(true, CUPTI_DRIVER_TRACE_CBID_cuEventSynchronize, &es);
  EXPECT_EQ(c.type, CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_EVENT_SYNCHRONIZE);
  EXPECT_EQ(c.event, handle(0x8000));
  EXPECT_FALSE(c.has_stream);

  cuStreamWaitEvent_params dw{reinterpret_cast<CUstream>(0x9000), reinterpret_cast<CUevent>(0xa000), 0};
  c = syncCallOf(true, CUPTI_DRIVER_TRACE_CBID_cuStreamWaitEvent, &dw);
  EXPECT_EQ(c.stream, handle(0x9000));
  EXPECT_EQ(c.event, handle(0xa000));
  EXPECT_FALSE(c.per_thread_stream);
}

TEST(SyncCallsTest, DefaultStreamPseudoHandles) {
  // cudaStreamLegacy (0x1) is the legacy null stream; cudaStreamPerThread
  // (0x2) the per-thread one, whatever entry point named it.
  cudaStreamSynchronize_v3020_params legacy{reinterpret_cast<cudaStream_t>(0x1)};
  SyncCall c = syncCallOf(false, CUPTI_RUNTIME_TRACE_CBID_cudaStreamSynchronize_v3020, &legacy);
  EXPECT_EQ(c.stream, nullptr);
  EXPECT_FALSE(c.per_thread_stream);
  cuStreamSynchronize_params per_thread{reinterpret_cast<CUstream>(0x2)};
  c = syncCallOf(true, CUPTI_DRIVER_TRACE_CBID_cuStreamSynchronize, &per_thread);
  EXPECT_EQ(c.stream, nullptr);
  EXPECT_TRUE(c.per_thread_stream);
  EXPECT_TRUE(c.has_stream);
}

TEST(SyncCallsTest, NestedRuntimeAndDriverCallbacksAreOneSynchronization) {
  // cudaStreamSynchronize enter (100), cuStreamSynchronize enter (105) and
  // exit, cudaStreamSynchronize exit: one row starting at 100.
  SyncCallTracker t;
  t.enter(100);
  t.enter(105);
  EXPECT_EQ(t.exit(), std::nullopt);
  EXPECT_EQ(t.exit(), std::optional<int64_t>(100));
  // The next call starts afresh.
  t.enter(200);
  EXPECT_EQ(t.exit(), std::optional<int64_t>(200));
  // An exit whose enter was never seen ends nothing, and leaves no debt.
  EXPECT_EQ(t.exit(), std::nullopt);
  t.enter(300);
  EXPECT_EQ(t.exit(), std::optional<int64_t>(300));
}

TEST(SyncCallsTest, EventIdsAreStablePerHandle) {
  EventIds ids;
  EXPECT_EQ(ids.idOf(handle(0x100)), 1);
  EXPECT_EQ(ids.idOf(handle(0x200)), 2);
  EXPECT_EQ(ids.idOf(handle(0x100)), 1);
  EXPECT_EQ(ids.idOf(handle(0x300)), 3);
}

TEST(SyncCallsTest, RowsAreCutToTheirCallsInterval) {
  model::ApiCallTable calls;
  auto call = [&](int64_t pid, int64_t corr, int64_t start, int64_t end) {
    model::ApiCallTable::Row r;
    r.pid = pid; r.correlation_id = corr; r.start = start; r.end = end;
    calls.push(r);
  };
  call(10, 1, 1000, 2000);
  call(10, 2, 3000, 4000);
  call(11, 1, 5000, 6000);  // same correlation id, other process
  model::SyncTable syncs;
  auto sync = [&](int64_t pid, int64_t corr, int64_t start, int64_t end) {
    model::SyncTable::Row r;
    r.pid = pid; r.correlation_id = corr; r.start = start; r.end = end;
    syncs.push(r);
  };
  sync(10, 1, 900, 2100);   // both ends outside: cut to [1000, 2000]
  sync(10, 2, 3100, 3900);  // inside: unchanged
  sync(11, 1, 5500, 6500);  // its own process's call: end cut to 6000
  sync(10, 9, 100, 200);    // no call recorded: unchanged
  sync(10, 2, 4500, 4600);  // entirely after its call: a point at the call's end
  EXPECT_EQ(clampSyncsToCalls(calls, &syncs), 3u);
  std::vector<std::pair<int64_t, int64_t>> got;
  for (size_t i = 0; i < syncs.size(); ++i) got.emplace_back(syncs.start[i], syncs.end[i]);
  std::vector<std::pair<int64_t, int64_t>> want = {{1000, 2000}, {3100, 3900}, {5500, 6000}, {100, 200}, {4000, 4000}};
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace gpuscope::tracer
