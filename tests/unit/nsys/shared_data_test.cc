// The importer on real nsys exports from ../shared/data/nsys (skipped when
// that folder is absent): every table equals SQL over the same file.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "importers/nsys_sqlite/reader.h"
#include "unit/nsys/sql_oracle.h"

namespace gpuscope::testing {
namespace {

std::vector<std::string> sharedExports() {
  std::vector<std::string> files;
  std::filesystem::path dir = std::filesystem::path(GPUSCOPE_SHARED_DATA) / "nsys";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".sqlite") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(NsysSharedData, EveryExportMatchesSql) {
  auto files = sharedExports();
  if (files.empty()) GTEST_SKIP() << "no nsys exports under " << GPUSCOPE_SHARED_DATA << "/nsys";
  for (const std::string& f : files) {
    auto trace = importers::readNsysSqlite(f);
    ASSERT_TRUE(trace.ok()) << f << ": " << trace.status().message();
    expectTraceMatchesSql(f, *trace);
  }
}

// Figures read off the files with sqlite3 and recorded in
// ../shared/data/README.md (KERNEL 50, MEMCPY 200, RUNTIME 312, GPU Tesla T4).
TEST(NsysSharedData, Sc23Report3PublishedCounts) {
  std::string f = std::string(GPUSCOPE_SHARED_DATA) +
                  "/nsys/RajaATAli_SC23-OpenMP-Tutorial/report3.sqlite";
  if (!std::filesystem::exists(f)) GTEST_SKIP() << f << " absent";
  auto t = importers::readNsysSqlite(f);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->kernels.size(), 50u);
  EXPECT_EQ(t->memcpys.size(), 200u);
  EXPECT_EQ(t->api_calls.size(), 312u);
  ASSERT_GE(t->devices.size(), 1u);
  EXPECT_EQ(t->str(t->devices.name[0]), "Tesla T4");
  EXPECT_EQ(t->meta.at("nsys_version"), "2023.3.1.92");
  EXPECT_EQ(t->meta.at("nsys_export_schema_version"), "3.4.0");
  for (size_t i = 0; i < t->kernels.size(); ++i) {
    EXPECT_EQ(t->str(t->kernels.name[i]), "nvkernel_solve_F1L204_2");
    EXPECT_EQ(t->kernels.pid[i], 11151);
  }
}

// A system-wide capture without any CUDA/NVTX table still imports: the
// lazy export simply has no such rows.
TEST(NsysSharedData, Sc23Report1HasNoEventTables) {
  std::string f = std::string(GPUSCOPE_SHARED_DATA) +
                  "/nsys/RajaATAli_SC23-OpenMP-Tutorial/report1.sqlite";
  if (!std::filesystem::exists(f)) GTEST_SKIP() << f << " absent";
  auto t = importers::readNsysSqlite(f);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->kernels.size() + t->api_calls.size() + t->nvtx.size() + t->memcpys.size(), 0u);
  EXPECT_GT(t->processes.size(), 0u);
}

}  // namespace
}  // namespace gpuscope::testing
