// The importer on generated exports of every schema variant: each is checked
// against SQL over the file (sql_oracle) and against hand counts of the
// generator's documented shape (fixtures/nsys_fixture.h).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <set>
#include <string>

#include "fixtures/nsys_fixture.h"
#include "importers/nsys_sqlite/reader.h"
#include "unit/nsys/sql_oracle.h"
#include "unit/nsys/test_paths.h"

namespace gpuscope::testing {
namespace {

struct Variant {
  const char* name;
  NsysFixtureOptions options;
};

void PrintTo(const Variant& v, std::ostream* os) { *os << v.name; }

NsysFixtureOptions make(bool legacy, bool text_ids, bool enums, bool nvtx, bool osrt, bool graphs) {
  NsysFixtureOptions o;
  o.legacy_meta_table = legacy;
  o.nvtx_text_ids = text_ids;
  o.with_enum_tables = enums;
  o.with_nvtx = nvtx;
  o.with_osrt = osrt;
  o.with_graphs = graphs;
  return o;
}

const Variant kVariants[] = {
    {"modern", make(false, false, true, true, true, true)},
    {"modern_text_ids", make(false, true, true, true, true, false)},
    {"legacy", make(true, false, true, true, true, false)},
    {"legacy_text_ids_no_enums", make(true, true, false, true, false, false)},
    {"lazy_no_nvtx_no_osrt", make(false, false, false, false, false, true)},
};

class NsysFixtureImport : public ::testing::TestWithParam<Variant> {};

TEST_P(NsysFixtureImport, MatchesSqlOverTheFile) {
  TempFile file(std::string(GetParam().name) + ".sqlite");
  ASSERT_TRUE(writeNsysFixture(file.path(), GetParam().options).ok());
  auto trace = importers::readNsysSqlite(file.path());
  ASSERT_TRUE(trace.ok()) << trace.status().message();
  expectTraceMatchesSql(file.path(), *trace);
}

TEST_P(NsysFixtureImport, MatchesHandCounts) {
  const NsysFixtureOptions& o = GetParam().options;
  TempFile file(std::string(GetParam().name) + "_hand.sqlite");
  ASSERT_TRUE(writeNsysFixture(file.path(), o).ok());
  auto result = importers::readNsysSqlite(file.path());
  ASSERT_TRUE(result.ok()) << result.status().message();
  const model::Trace& t = *result;
  const int P = o.processes, K = o.kernels;
  // Kernels: K per process; the end<start kernel row is skipped and counted.
  EXPECT_EQ(t.kernels.size(), size_t(P * K));
  EXPECT_EQ(t.diagnostics.count("kernel_end_before_start"), P);
  // Calls per process: malloc, 2 memcpy, loading mode, memset, K launches,
  // 2 syncs, 2 graph launches if any; backtrace and end<start rows skipped.
  const int calls = 1 + 2 + 1 + 1 + K + 2 + (o.with_graphs ? 2 : 0);
  EXPECT_EQ(t.api_calls.size(), size_t(P * calls));
  EXPECT_EQ(t.diagnostics.count("api_call_cuda_backtrace"), P);
  EXPECT_EQ(t.diagnostics.count("api_call_end_before_start"), P);
  std::map<std::string, int> by_name;
  int driver = 0, null_corr = 0;
  for (size_t i = 0; i < t.api_calls.size(); ++i) {
    ++by_name[std::string(t.str(t.api_calls.name[i]))];
    driver += t.api_calls.api_kind[i] == int32_t(model::ApiKind::kDriver);
    null_corr += t.api_calls.correlation_id[i] == model::kNullI64;
  }
  const int driver_launches = (K + 1) / 5;  // launches k = 4, 9, 14, ... (k % 5 == 4)
  EXPECT_EQ(by_name["cuLaunchKernel"], P * driver_launches);
  EXPECT_EQ(by_name["cudaLaunchKernel"], P * (K - driver_launches));
  EXPECT_EQ(by_name["cudaMemcpyAsync"], P * 2);
  EXPECT_EQ(by_name.count("cudaLaunchKernel_v7000"), 0u);
  EXPECT_EQ(driver, P * (driver_launches + 1));  // + cuModuleGetLoadingMode
  EXPECT_EQ(null_corr, P);
  EXPECT_EQ(t.memcpys.size(), size_t(P * 2));
  EXPECT_EQ(t.memsets.size(), size_t(P));
  EXPECT_EQ(t.syncs.size(), size_t(P * 2));
  EXPECT_EQ(t.graph_launches.size(), size_t(o.with_graphs ? P * 2 : 0));
  EXPECT_EQ(t.os_runtime.size(), size_t(o.with_osrt ? P * 3 : 0));
  EXPECT_EQ(t.diagnostics.count("osrt_non_call_event_class"), o.with_osrt ? P : 0);
  // Correlation ids restart per process: every kernel meets its own call.
  std::set<std::pair<int64_t, int64_t>> launches;
  for (size_t i = 0; i < t.api_calls.size(); ++i) {
    std::string_view n = t.str(t.api_calls.name[i]);
    if (n == "cudaLaunchKernel" || n == "cuLaunchKernel") {
      launches.insert({t.api_calls.pid[i], t.api_calls.correlation_id[i]});
    }
  }
  for (size_t i = 0; i < t.kernels.size(); ++i) {
    EXPECT_TRUE(launches.count({t.kernels.pid[i], t.kernels.correlation_id[i]}));
    EXPECT_TRUE(t.kernels.pid[i] == 12345 || t.kernels.pid[i] == 13456);
  }
  // Target info: 2 GPUs, P processes, 2 threads each, streams 7/13/14.
  ASSERT_EQ(t.devices.size(), 2u);
  EXPECT_EQ(t.str(t.devices.name[0]), "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(t.devices.clock_rate_khz[0], 1980000);
  EXPECT_EQ(t.devices.max_threads_per_sm[0], 2048);
  EXPECT_EQ(t.devices.max_shared_memory_per_block[0], 232448);
  EXPECT_EQ(t.processes.size(), size_t(P));
  EXPECT_EQ(t.threads.size(), size_t(P * 2));
  EXPECT_EQ(t.streams.size(), size_t(P * 3));
  EXPECT_EQ(t.contexts.size(), size_t(P));
  for (size_t i = 0; i < t.streams.size(); ++i) {
    if (t.streams.stream_id[i] == 14) { EXPECT_EQ(t.streams.priority[i], -5); }
    EXPECT_EQ(t.streams.device_id[i], t.streams.pid[i] == 12345 ? 0 : 1);
  }
  EXPECT_EQ(t.meta.at("nsys_export_schema_version"), o.legacy_meta_table ? "3.1.7" : "3.15.1");
  EXPECT_EQ(t.meta.at(model::kMetaTimeBaseNs), "1700000000123456789");
}

TEST_P(NsysFixtureImport, NvtxTextDomainsAndDepth) {
  const NsysFixtureOptions& o = GetParam().options;
  if (!o.with_nvtx) GTEST_SKIP() << "variant without NVTX_EVENTS";
  TempFile file(std::string(GetParam().name) + "_nvtx.sqlite");
  ASSERT_TRUE(writeNsysFixture(file.path(), o).ok());
  auto result = importers::readNsysSqlite(file.path());
  ASSERT_TRUE(result.ok()) << result.status().message();
  const model::Trace& t = *result;
  const int P = o.processes, groups = (o.kernels + 3) / 4;
  std::map<std::string, int> count;
  for (size_t i = 0; i < t.nvtx.size(); ++i) {
    std::string text(t.str(t.nvtx.text[i]));
    std::string key = text.rfind("iteration", 0) == 0 ? "iteration" : text;
    ++count[key];
    const int32_t depth = t.nvtx.depth[i];
    if (key == "iteration" || key == "unfinished") { EXPECT_EQ(depth, 0) << text; }
    if (key == "forward" || key == "backward") { EXPECT_EQ(depth, 1) << text; }
    if (key == "allreduce") { EXPECT_EQ(depth, 2) << text; }
    if (key == "checkpoint" || key == "async-io") { EXPECT_EQ(depth, model::kNullI32) << text; }
    EXPECT_EQ(t.str(t.nvtx.domain[i]), key == "forward" ? "MyLib" : "") << text;
    if (key == "checkpoint") { EXPECT_EQ(t.nvtx.kind[i], int32_t(model::NvtxKind::kMark)); }
    if (key == "unfinished") { EXPECT_EQ(t.nvtx.end[i], model::kNullI64); }
    if (key == "async-io") {
      EXPECT_EQ(t.nvtx.kind[i], int32_t(model::NvtxKind::kStartEnd));
      EXPECT_EQ(t.nvtx.end_tid[i], t.nvtx.pid[i] + 7);
      EXPECT_EQ(t.nvtx.range_id[i], 1);
    }
  }
  EXPECT_EQ(count["iteration"], P * groups);
  EXPECT_EQ(count["forward"], P * groups);
  EXPECT_EQ(count["allreduce"], P * groups);
  EXPECT_EQ(count["checkpoint"], P);
  EXPECT_EQ(count["unfinished"], P);
  EXPECT_EQ(count["async-io"], P);
  EXPECT_EQ(count.count("MyLib"), 0u);  // the domain row names, it is not a range
  EXPECT_EQ(t.diagnostics.count("nvtx_category_registration"), P);
  EXPECT_EQ(t.diagnostics.count("nvtx_other_event_type"), P);  // thread naming
}

INSTANTIATE_TEST_SUITE_P(Variants, NsysFixtureImport, ::testing::ValuesIn(kVariants),
                         [](const auto& info) { return std::string(info.param.name); });

// Depth in the generated file, derived by SQL: the number of push/pop ranges
// on the same thread that strictly enclose the row (ranges never closed
// enclose everything after their start).
TEST(NsysFixtureNvtx, DepthEqualsSqlEnclosingCount) {
  TempFile file("depth.sqlite");
  NsysFixtureOptions o;
  o.kernels = 30;
  ASSERT_TRUE(writeNsysFixture(file.path(), o).ok());
  auto result = importers::readNsysSqlite(file.path());
  ASSERT_TRUE(result.ok()) << result.status().message();
  SqlFile db(file.path());
  auto rows = db.rows(
      "SELECT (n.globalTid >> 24) & 16777215, n.globalTid & 16777215, n.start, "
      "(SELECT count(*) FROM NVTX_EVENTS p WHERE p.eventType = 59 AND p.globalTid = n.globalTid "
      "AND p.start < n.start AND (p.\"end\" IS NULL OR p.\"end\" > n.\"end\")) "
      "FROM NVTX_EVENTS n WHERE n.eventType = 59");
  std::vector<std::string> expected(rows.begin(), rows.end()), actual;
  const auto& n = result->nvtx;
  for (size_t i = 0; i < n.size(); ++i) {
    if (n.kind[i] != int32_t(model::NvtxKind::kPushPop)) continue;
    actual.push_back(std::to_string(n.pid[i]) + "|" + std::to_string(n.tid[i]) + "|" +
                     std::to_string(n.start[i]) + "|" + std::to_string(n.depth[i]));
  }
  std::sort(expected.begin(), expected.end());
  std::sort(actual.begin(), actual.end());
  EXPECT_EQ(actual, expected);
  EXPECT_GT(actual.size(), 20u);
}

// eventClass is resolved by ENUM_NSYS_EVENT_CLASS name, not by number: swap
// the runtime and driver ids in the enum and the families follow.
TEST(NsysFixtureApi, EventClassResolvedByName) {
  TempFile file("enum_swap.sqlite");
  NsysFixtureOptions o;
  o.processes = 1;
  ASSERT_TRUE(writeNsysFixture(file.path(), o).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE ENUM_NSYS_EVENT_CLASS SET id = 1000 WHERE id = 0;"
                         "UPDATE ENUM_NSYS_EVENT_CLASS SET id = 0 WHERE id = 1;"
                         "UPDATE ENUM_NSYS_EVENT_CLASS SET id = 1 WHERE id = 1000;"
                         "INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME (start, \"end\", eventClass, "
                         "globalTid, correlationId, nameId, returnValue) VALUES (5, 6, 999, "
                         "0, 77, 0, 0);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto t = importers::readNsysSqlite(file.path());
  ASSERT_TRUE(t.ok()) << t.status().message();
  int checked = 0;
  for (size_t i = 0; i < t->api_calls.size(); ++i) {
    std::string_view n = t->str(t->api_calls.name[i]);
    if (n == "cudaLaunchKernel") {
      EXPECT_EQ(t->api_calls.api_kind[i], int32_t(model::ApiKind::kDriver));
      ++checked;
    }
    if (n == "cuLaunchKernel") {
      EXPECT_EQ(t->api_calls.api_kind[i], int32_t(model::ApiKind::kRuntime));
      ++checked;
    }
  }
  EXPECT_EQ(checked, o.kernels);
  EXPECT_EQ(t->diagnostics.count("api_call_unknown_event_class"), 1);
}

}  // namespace
}  // namespace gpuscope::testing
