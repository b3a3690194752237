#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "profiler/store_export.h"
#include "store/store.h"
#include "unit/profiler/h100.h"

namespace gpuscope::profiler {
namespace {

ProfileRun run() {
  ProfileRun r;
  r.devices.push_back(testing::h100());
  KernelRecord k = testing::saxpy();
  k.counters = {{"gpu__time_duration.sum", 71520}, {"sm__warps_active.avg.pct_of_peak_sustained_active", 81.45}};
  r.kernels.push_back(k);
  return r;
}

std::string queryText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out = "<error>";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
      out = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)
                ? reinterpret_cast<const char*>(sqlite3_column_text(st, 0))
                : "<null>";
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

TEST(StoreExport, OneRowPerKernelAndReportRow) {
  ReportSpec spec{{findSection("SpeedOfLight"), findSection("Occupancy")}, {"dram__bytes_read.sum"}};
  model::Trace t = toTrace(run(), spec, "./saxpy");
  EXPECT_EQ(t.kernel_metrics.size(), 10u + 8u + 1u);
  EXPECT_EQ(t.processes.size(), 1u);
  ASSERT_EQ(t.devices.size(), 1u);
  EXPECT_EQ(t.devices.sm_count[0], 132);
  EXPECT_TRUE(isStorePath("a/b.gpuscope"));
  EXPECT_FALSE(isStorePath("a/b.csv"));
  EXPECT_FALSE(isStorePath(".gpuscope"));
}

// Written through the store and read back with plain SQL on the file.
TEST(StoreExport, StoreHoldsTheValues) {
  namespace fs = std::filesystem;
  std::string path = (fs::temp_directory_path() / ("gpuscope-km-" + std::to_string(getpid()) + ".gpuscope")).string();
  ReportSpec spec{{findSection("SpeedOfLight"), findSection("Occupancy")}, {}};
  ASSERT_TRUE(store::writeStore(toTrace(run(), spec, "./saxpy"), path, true).ok());
  EXPECT_EQ(queryText(path, "SELECT value FROM kernel_metrics_named WHERE label = 'Duration'"), "71520.0");
  EXPECT_EQ(queryText(path, "SELECT unit FROM kernel_metrics_named WHERE metric = 'gpu__time_duration.sum'"), "ns");
  EXPECT_EQ(queryText(path, "SELECT value FROM kernel_metrics_named WHERE label = 'Theoretical Occupancy'"), "100.0");
  EXPECT_EQ(queryText(path, "SELECT value FROM kernel_metrics_named WHERE label = 'SM Frequency'"), "<null>");
  EXPECT_EQ(queryText(path, "SELECT count(*) FROM kernel_metrics"), "18");
  EXPECT_EQ(queryText(path, "SELECT value FROM meta WHERE key = 'source_format'"), "gpuscope_kernels");
  // Achieved occupancy 81.45 % of a theoretical 100 %: ncu's AchievedOccupancy rule, local estimate
  // (100 - 81.45) / 100; Speed Of Light's rule lacks its throughputs and does not fire.
  EXPECT_EQ(queryText(path, "SELECT count(*) FROM kernel_rules"), "1");
  EXPECT_EQ(queryText(path, "SELECT section || ' ' || rule || ' ' || type || ' ' || speedup_type FROM "
                            "kernel_rules_named"),
            "Occupancy AchievedOccupancy OPT local");
  EXPECT_EQ(queryText(path, "SELECT round(speedup, 2) FROM kernel_rules"), "18.55");
  StatusOr<model::Trace> back = store::readStore(path);
  fs::remove(path);
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->kernel_metrics.size(), 18u);
  EXPECT_EQ(back->str(back->kernel_metrics.name[0]), "saxpy(int, float, const float *, float *)");
  EXPECT_TRUE(std::isnan(back->kernel_metrics.value[1]));  // SM Frequency: not collected
}

}  // namespace
}  // namespace gpuscope::profiler
