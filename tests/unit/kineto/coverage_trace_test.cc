// The generated coverage trace (tests/fixtures/kineto_fixture.cc): every
// category lands in its table, with counts and values restated by hand from
// the fixture's source.
#include <gtest/gtest.h>

#include <string>

#include "fixtures/kineto_fixture.h"
#include "model/enums.h"
#include "unit/kineto/import_text.h"

namespace gpuscope::testing {
namespace {

using model::kNullI32;
using model::kNullI64;

class CoverageTrace : public ::testing::Test {
 protected:
  void SetUp() override {
    auto result = importKinetoText(makeKinetoCoverageTrace(), "coverage.json");
    ASSERT_TRUE(result.ok()) << result.status().message();
    trace_ = std::move(result).value();
  }
  // Row index of the first row of `table` whose `column` string is `text`.
  template <typename Table>
  size_t find(const Table& table, const std::vector<model::StringId>& column,
              std::string_view text) {
    for (size_t i = 0; i < table.size(); ++i) {
      if (trace_.str(column[i]) == text) return i;
    }
    ADD_FAILURE() << "no row named " << text;
    return 0;
  }
  int64_t diag(std::string_view name) { return trace_.diagnostics.count(name); }

  model::Trace trace_;
};

TEST_F(CoverageTrace, TableCounts) {
  EXPECT_EQ(trace_.cpu_ops.size(), 6u);  // cpu_op 3 + Operator + python_function + Python
  EXPECT_EQ(trace_.nvtx.size(), 4u);     // user_annotation 3 + the B/E pair
  EXPECT_EQ(trace_.api_calls.size(), 7u);
  EXPECT_EQ(trace_.kernels.size(), 5u);
  EXPECT_EQ(trace_.memcpys.size(), 3u);
  EXPECT_EQ(trace_.memsets.size(), 2u);
  EXPECT_EQ(trace_.syncs.size(), 1u);
  EXPECT_EQ(trace_.gpu_annotations.size(), 1u);
  EXPECT_EQ(trace_.devices.size(), 1u);
  EXPECT_EQ(trace_.processes.size(), 1u);
  EXPECT_EQ(trace_.threads.size(), 2u);
  EXPECT_EQ(trace_.streams.size(), 4u);
  EXPECT_EQ(trace_.contexts.size(), 1u);
  int python = 0;
  for (int32_t k : trace_.cpu_ops.kind) python += k == static_cast<int32_t>(model::CpuOpKind::kPythonFunction);
  EXPECT_EQ(python, 2);
  int driver = 0;
  for (int32_t k : trace_.api_calls.api_kind) driver += k == static_cast<int32_t>(model::ApiKind::kDriver);
  EXPECT_EQ(driver, 1);
}

TEST_F(CoverageTrace, EverySkipIsCountedAndExplained) {
  EXPECT_EQ(diag("kineto_skipped:Trace"), 1);
  EXPECT_EQ(diag("kineto_skipped:overhead"), 1);
  EXPECT_EQ(diag("kineto_skipped:cuda_profiler_range"), 1);
  EXPECT_EQ(diag("kineto_unknown_category:mystery_category"), 1);
  EXPECT_EQ(diag("kineto_skipped_instant:cpu_instant_event"), 1);
  EXPECT_EQ(diag("kineto_skipped_instant"), 2);
  EXPECT_EQ(diag("kineto_skipped_counter"), 1);
  EXPECT_EQ(diag("kineto_skipped_flow:fwdbwd"), 2);
  EXPECT_EQ(diag("kineto_skipped_metadata:process_sort_index"), 1);
  EXPECT_EQ(diag("kineto_skipped_metadata:thread_sort_index"), 1);
  EXPECT_EQ(diag("kineto_skipped_metadata:process_name"), 1);  // the GPU row's
  EXPECT_EQ(diag("kineto_skipped_metadata:thread_name"), 1);   // "stream 7 "
  EXPECT_EQ(diag("kineto_skipped_top_level_value"), 1);        // INFO
  EXPECT_EQ(diag("kineto_flow_ac2g_matched"), 6);
  EXPECT_EQ(diag("kineto_flow_ac2g_unmatched"), 0);
  EXPECT_EQ(diag("kineto_correlation_from_flow"), 1);
  EXPECT_EQ(diag("kineto_gpu_event_without_launch"), 1);
  for (const auto& d : trace_.diagnostics.all()) {
    EXPECT_FALSE(d.description.empty()) << d.name;
    EXPECT_EQ(d.severity, model::Severity::kInfo) << d.name;
  }
}

TEST_F(CoverageTrace, TimesAreExactNanoseconds) {
  size_t inner = find(trace_.nvtx, trace_.nvtx.text, "inner");
  EXPECT_EQ(trace_.nvtx.start[inner], 1020500);  // "1020.5"
  EXPECT_EQ(trace_.nvtx.end[inner], 1030500);    // + "10"
  size_t mm = find(trace_.cpu_ops, trace_.cpu_ops.name, "aten::mm");
  EXPECT_EQ(trace_.cpu_ops.start[mm], 1030001);
  EXPECT_EQ(trace_.cpu_ops.end[mm], 1081000);
  EXPECT_EQ(trace_.gpu_annotations.start[0], 1044999);
  EXPECT_EQ(trace_.gpu_annotations.end[0], 1305001);
  EXPECT_EQ(trace_.meta.at("time_base_ns"), "1727740800000000000");
  EXPECT_EQ(trace_.meta.at("kineto_span_start_ns"), "990000");
  EXPECT_EQ(trace_.meta.at("kineto_span_end_ns"), "1590000");
  for (size_t i = 1; i < trace_.kernels.size(); ++i) {
    EXPECT_LE(trace_.kernels.start[i - 1], trace_.kernels.start[i]) << "sorted by time";
  }
}

TEST_F(CoverageTrace, HostRows) {
  size_t mm = find(trace_.cpu_ops, trace_.cpu_ops.name, "aten::mm");
  EXPECT_EQ(trace_.cpu_ops.external_id[mm], 10);
  EXPECT_EQ(trace_.cpu_ops.sequence_number[mm], 77);
  EXPECT_EQ(trace_.str(trace_.cpu_ops.input_dims[mm]), "[[2, 3], [3, 4]]");
  size_t relu = find(trace_.cpu_ops, trace_.cpu_ops.name, "aten::relu");
  EXPECT_EQ(trace_.cpu_ops.tid[relu], 4243);  // "tid": "4243"
  // Hostile text is kept exactly (escapes decoded).
  find(trace_.cpu_ops, trace_.cpu_ops.name, "name with \"quotes\" </script> \xC3\xA9 \\ end");
  size_t step = find(trace_.nvtx, trace_.nvtx.text, "ProfilerStep#1");
  size_t fwd = find(trace_.nvtx, trace_.nvtx.text, "## forward ##");
  size_t inner = find(trace_.nvtx, trace_.nvtx.text, "inner");
  size_t be = find(trace_.nvtx, trace_.nvtx.text, "begin_end_range");
  EXPECT_EQ(trace_.nvtx.depth[step], 0);
  EXPECT_EQ(trace_.nvtx.depth[fwd], 1);
  EXPECT_EQ(trace_.nvtx.depth[inner], 2);
  EXPECT_EQ(trace_.nvtx.depth[be], 0);
  EXPECT_EQ(trace_.nvtx.start[be], 1099000);
  EXPECT_EQ(trace_.nvtx.end[be], 1110000);
  EXPECT_EQ(trace_.nvtx.tid[be], 4243);
  EXPECT_EQ(trace_.nvtx.kind[be], static_cast<int32_t>(model::NvtxKind::kPushPop));
  EXPECT_EQ(trace_.str(trace_.nvtx.domain[be]), "");
  size_t drv = find(trace_.api_calls, trace_.api_calls.name, "cuLaunchKernel");
  EXPECT_EQ(trace_.api_calls.correlation_id[drv], 505);
  EXPECT_EQ(trace_.api_calls.external_id[drv], 10);
  EXPECT_EQ(trace_.str(trace_.processes.name[0]), "python3");
  EXPECT_EQ(trace_.processes.pid[0], 4242);
}

TEST_F(CoverageTrace, KernelsAndTheirLaunches) {
  const auto& k = trace_.kernels;
  size_t foo = find(k, k.name, "void at::native::foo<float, 4>(int, float*)");
  EXPECT_EQ(trace_.str(k.short_name[foo]), "foo");
  EXPECT_EQ(k.start[foo], 1045000);
  EXPECT_EQ(k.end[foo], 1065250);
  EXPECT_EQ(k.pid[foo], 4242);
  EXPECT_EQ(k.device_id[foo], 0);
  EXPECT_EQ(k.context_id[foo], 1);
  EXPECT_EQ(k.stream_id[foo], 7);
  EXPECT_EQ(k.correlation_id[foo], 500);
  EXPECT_EQ(k.external_id[foo], 10);
  EXPECT_EQ(k.grid_x[foo], 66);
  EXPECT_EQ(k.grid_y[foo], 2);
  EXPECT_EQ(k.grid_z[foo], 1);
  EXPECT_EQ(k.block_x[foo], 128);
  EXPECT_EQ(k.registers_per_thread[foo], 32);
  EXPECT_EQ(k.dynamic_shared_memory[foo], 4096);
  size_t nccl = find(k, k.short_name, "ncclDevKernel_AllReduce_Sum_bf16_RING_LL");
  EXPECT_EQ(k.correlation_id[nccl], 503);  // from the ac2g flow
  EXPECT_EQ(k.stream_id[nccl], 20);
  EXPECT_EQ(k.context_id[nccl], kNullI64);
  size_t old = find(k, k.name, "old_kernel");
  EXPECT_EQ(k.stream_id[old], 7);  // "tid": "stream 7"
  EXPECT_EQ(k.external_id[old], 12);
  size_t orphan = find(k, k.name, "orphan_kernel");
  EXPECT_EQ(k.pid[orphan], 4242);  // the main host pid
  EXPECT_EQ(k.registers_per_thread[orphan], kNullI32);
}

TEST_F(CoverageTrace, CopiesSetsSyncsDevicesMeta) {
  const auto& m = trace_.memcpys;
  ASSERT_EQ(m.size(), 3u);
  // Sorted by start: HtoD (1055), PtoP (1058), old DtoH (1133).
  EXPECT_EQ(m.copy_kind[0], static_cast<int32_t>(model::CopyKind::kHtoD));
  EXPECT_EQ(m.src_kind[0], static_cast<int32_t>(model::MemKind::kPageable));
  EXPECT_EQ(m.dst_kind[0], static_cast<int32_t>(model::MemKind::kDevice));
  EXPECT_EQ(m.bytes[0], 65536);
  EXPECT_EQ(m.pid[0], 4242);
  EXPECT_EQ(m.copy_kind[1], static_cast<int32_t>(model::CopyKind::kPtoP));
  EXPECT_EQ(m.src_device_id[1], 0);
  EXPECT_EQ(m.dst_device_id[1], 1);
  EXPECT_EQ(m.copy_kind[2], static_cast<int32_t>(model::CopyKind::kDtoH));
  EXPECT_EQ(m.dst_kind[2], static_cast<int32_t>(model::MemKind::kPinned));
  EXPECT_EQ(m.device_id[2], 0);  // from pid: the old row has no args.device
  EXPECT_EQ(trace_.memsets.bytes[0], 1024);
  EXPECT_EQ(trace_.memsets.mem_kind[0], static_cast<int32_t>(model::MemKind::kDevice));
  EXPECT_EQ(trace_.syncs.sync_type[0], static_cast<int32_t>(model::SyncType::kStreamSynchronize));
  EXPECT_EQ(trace_.syncs.tid[0], 4242);
  EXPECT_EQ(trace_.syncs.pid[0], 4242);
  EXPECT_EQ(trace_.str(trace_.devices.name[0]), "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(trace_.devices.sm_count[0], 132);
  EXPECT_EQ(trace_.devices.total_memory[0], 85029158912);
  EXPECT_EQ(trace_.devices.max_shared_memory_per_block[0], 232448);
  EXPECT_EQ(trace_.meta.at("source_format"), "kineto_json");
  EXPECT_EQ(trace_.meta.at("kineto_schema_version"), "1");
  EXPECT_EQ(trace_.meta.at("trace_name"), "fixture.pt.trace.json");
  EXPECT_EQ(trace_.meta.at("distributed_rank"), "3");
  EXPECT_EQ(trace_.meta.at("distributed_world_size"), "8");
  EXPECT_EQ(trace_.meta.at("kineto_display_time_unit"), "ms");
}

TEST(KinetoFormats, ArrayFormatAndEmptyEvents) {
  KinetoJsonBuilder b;
  b.complete("cpu_op", "a", "1", "1", "1", "1").complete("cpu_op", "b", "1", "1", "2", "1");
  auto array = importKinetoText(b.arrayStr());
  ASSERT_TRUE(array.ok()) << array.status().message();
  EXPECT_EQ(array->cpu_ops.size(), 2u);
  EXPECT_FALSE(array->meta.count("time_base_ns"));  // 1 us is not an epoch time

  auto empty = importKinetoText(R"({"schemaVersion": 1, "traceEvents": []})");
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_EQ(empty->eventCount(), 0u);
  EXPECT_TRUE(empty->diagnostics.empty());
}

TEST(KinetoFormats, EpochMicrosecondsWithoutBaseTime) {
  auto t = importKinetoText(
      R"({"traceEvents": [{"ph": "X", "cat": "cpu_op", "name": "x", "pid": 1, "tid": 1, "ts": 1679055451546825, "dur": 236}]})");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->meta.at("time_base_ns"), "0");
  EXPECT_EQ(t->cpu_ops.start[0], 1679055451546825000);
  EXPECT_EQ(t->cpu_ops.end[0], 1679055451547061000);
}

TEST(KinetoFormats, StringIdsAndUnmatchedBeginEnd) {
  KinetoJsonBuilder b;
  b.complete("cpu_op", "a", "\"worker\"", "\"main\"", "1", "1")
      .raw(R"("ph": "E", "pid": 1, "tid": 1, "ts": 5)")
      .raw(R"("ph": "B", "cat": "cpu_op", "name": "open", "pid": 1, "tid": 1, "ts": 6)")
      .raw(R"("ph": "X", "cat": "cpu_op", "name": "no_ts", "pid": 1, "tid": 1)")
      .raw(R"("ph": "X", "cat": "cpu_op", "name": "neg", "pid": 1, "tid": 1, "ts": 9, "dur": -2)")
      .raw(R"("cat": "cpu_op", "name": "no_ph", "pid": 1, "tid": 1, "ts": 9)")
      .raw(R"("ph": "b", "cat": "async", "name": "a", "id": 1, "pid": 1, "tid": 1, "ts": 9)")
      .raw(R"("ph": "Q", "name": "q", "pid": 1, "tid": 1, "ts": 9)");
  auto t = importKinetoText(b.str());
  ASSERT_TRUE(t.ok()) << t.status().message();
  ASSERT_EQ(t->cpu_ops.size(), 2u);  // "a" and "neg"
  EXPECT_LT(t->cpu_ops.pid[0], -1);  // synthetic id for "worker"
  EXPECT_EQ(t->diagnostics.count("kineto_string_id_mapped"), 2);
  EXPECT_EQ(t->diagnostics.count("kineto_end_without_begin"), 1);
  EXPECT_EQ(t->diagnostics.count("kineto_begin_without_end"), 1);
  EXPECT_EQ(t->diagnostics.count("kineto_event_without_ts"), 1);
  EXPECT_EQ(t->diagnostics.count("kineto_negative_duration_clamped"), 1);
  EXPECT_EQ(t->diagnostics.count("kineto_event_without_ph"), 1);
  EXPECT_EQ(t->diagnostics.count("kineto_skipped_phase:b"), 1);
  EXPECT_EQ(t->diagnostics.count("kineto_unknown_phase:Q"), 1);
  EXPECT_EQ(t->cpu_ops.end[1], t->cpu_ops.start[1]);  // negative dur clamped to 0
}

}  // namespace
}  // namespace gpuscope::testing

#include <zlib.h>

#include "base/gzip.h"

namespace gpuscope::testing {
namespace {

std::string gzipText(const std::string& text) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, text.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST(KinetoFormats, GzipThroughGunzip) {
  const std::string text = makeKinetoCoverageTrace();
  std::string gz = gzipText(text);
  ASSERT_TRUE(isGzip(gz));
  auto json = gunzip(gz, "coverage.json.gz", simdjson::SIMDJSON_PADDING);
  ASSERT_TRUE(json.ok()) << json.status().message();
  auto t = importers::readKinetoJson(*json, "coverage.json.gz");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->kernels.size(), 5u);
  EXPECT_EQ(t->cpu_ops.size(), 6u);
  // A truncated .gz fails in gunzip, before the importer sees anything.
  EXPECT_FALSE(gunzip(gz.substr(0, gz.size() / 2), "coverage.json.gz").ok());
}

}  // namespace
}  // namespace gpuscope::testing
