// Whole analysis on real traces (the examples recorded on an H200, the
// shared HTA and nsys files when present) and on the synthetic nsys
// fixture: no crash, breakdowns that add up, and counts checked against
// SQL over the fixture file.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "analysis/analysis.h"
#include "fixtures/nsys_fixture.h"
#include "importers/registry.h"

namespace gpuscope::analysis {
namespace {

namespace fs = std::filesystem;

void checkInvariants(const model::Trace& trace, const AnalysisReport& r, const std::string& what) {
  for (const TemporalRow& t : r.temporal) {
    EXPECT_EQ(t.compute + t.non_compute + t.idle, t.span) << what;
    EXPECT_GE(t.idle, 0) << what;
    EXPECT_GE(t.non_compute, 0) << what;
  }
  int64_t kernel_time = 0;
  for (size_t i = 0; i < trace.kernels.size(); ++i)
    if (trace.kernels.start[i] > 0 && trace.kernels.end[i] >= trace.kernels.start[i])
      kernel_time += trace.kernels.end[i] - trace.kernels.start[i];
  EXPECT_EQ(r.kernel_breakdown.total, kernel_time) << what;
  int64_t by_cat = 0;
  for (const CategoryRow& c : r.kernel_breakdown.categories) by_cat += c.total;
  EXPECT_EQ(by_cat, kernel_time) << what;
  ASSERT_TRUE(r.layers.has_value());
  int64_t layer_sum = 0;
  for (const LayerRow& l : r.layers->rows) layer_sum += l.total;
  EXPECT_EQ(layer_sum, r.layers->total) << what;
  if (r.graph.iterations.items.empty()) {
    EXPECT_EQ(r.layers->total, kernel_time) << what;
  }
  for (const Finding& f : r.findings) {
    EXPECT_LE(f.start, f.end) << what << " " << f.id;
    EXPECT_GE(f.gain_ns, 0) << what << " " << f.id;
    EXPECT_FALSE(f.suggestion.empty()) << what << " " << f.id;
  }
  // The JSON must parse back.
  nlohmann::json j = nlohmann::json::parse(renderJson(r));
  EXPECT_EQ(j["findings"].size(), r.findings.size()) << what;
  EXPECT_FALSE(renderText(r, {}).empty());
}

AnalysisReport analyzeFile(const std::string& path, model::Trace& trace) {
  auto t = importers::loadTrace(path, {.quiet = true});
  EXPECT_TRUE(t.ok()) << path << ": " << t.status().message();
  trace = std::move(t).value();
  AnalysisOptions o;
  o.layers = true;
  return analyzeTrace(trace, o);
}

TEST(Smoke, ExampleTraces) {
  fs::path dir = fs::path(GPUSCOPE_SOURCE_DIR) / "examples";
  for (const char* name : {"resnet18_fp16_b8.pt.trace.json.gz", "bert_small_fp16.pt.trace.json.gz",
                           "resnet18_cudagraph.pt.trace.json.gz"}) {
    fs::path p = dir / name;
    ASSERT_TRUE(fs::exists(p)) << p;
    model::Trace trace;
    AnalysisReport r = analyzeFile(p.string(), trace);
    checkInvariants(trace, r, name);
    // Each was recorded as 4 profiled steps of record_function("inference").
    EXPECT_EQ(r.graph.iterations.items.size(), 4u) << name;
    EXPECT_EQ(r.graph.iterations.name, "inference") << name;
    // No example kernel is left unclassified.
    for (const CategoryRow& c : r.kernel_breakdown.categories)
      EXPECT_NE(c.category, KernelCategory::kOther) << name;
    bool graph = std::string(name).find("cudagraph") != std::string::npos;
    EXPECT_EQ(r.graph.uses_graphs, graph) << name;
    bool advice = false;
    for (const Finding& f : r.findings) advice = advice || f.rule == "cuda_graph";
    EXPECT_EQ(advice, !graph) << name;  // eager runs are launch-bound; the replay is not
    // Layers from the cpu_op that launched each kernel (eager) and nothing
    // unmapped in the eager runs.
    if (!graph) {
      for (const LayerRow& l : r.layers->rows) EXPECT_EQ(l.source, "cpu_op") << name << " " << l.layer;
    }
  }
}

TEST(Smoke, SharedTraces) {
  fs::path root(GPUSCOPE_SHARED_DATA);
  if (!fs::exists(root)) GTEST_SKIP() << "SKIPPED: " << root << " not present";
  size_t n = 0;
  for (const char* sub : {"hta", "nsys"}) {
    if (!fs::exists(root / sub)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root / sub)) {
      if (!e.is_regular_file()) continue;
      std::string p = e.path().string();
      if (p.find(".json") == std::string::npos && p.find(".sqlite") == std::string::npos) continue;
      model::Trace trace;
      AnalysisReport r = analyzeFile(p, trace);
      checkInvariants(trace, r, p);
      ++n;
    }
  }
  if (n == 0) GTEST_SKIP() << "SKIPPED: no traces under " << root;
}

int64_t sqlCount(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  int64_t v = -1;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return v;
}

TEST(Smoke, NsysFixtureSyncCallsMatchSql) {
  fs::path p = fs::temp_directory_path() / ("analysis_fixture_" + std::to_string(::getpid()) + ".sqlite");
  testing::NsysFixtureOptions fo;
  fo.with_bad_rows = false;
  ASSERT_TRUE(testing::writeNsysFixture(p.string(), fo).ok());
  model::Trace trace;
  AnalysisReport r = analyzeFile(p.string(), trace);
  checkInvariants(trace, r, p.string());
  int64_t syncs = sqlCount(p.string(),
                           "SELECT count(*) FROM CUPTI_ACTIVITY_KIND_RUNTIME r JOIN StringIds s ON s.id = r.nameId "
                           "WHERE s.value LIKE 'cudaStreamSynchronize%' OR s.value LIKE 'cudaDeviceSynchronize%'");
  ASSERT_GT(syncs, 0);
  const Finding* sync = nullptr;
  for (const Finding& f : r.findings)
    if (f.rule == "cuda_api_sync") sync = &f;
  ASSERT_NE(sync, nullptr);
  EXPECT_EQ(static_cast<int64_t>(sync->instance_count), syncs);
  fs::remove(p);
}

}  // namespace
}  // namespace gpuscope::analysis
