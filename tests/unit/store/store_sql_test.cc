// The store as a plain sqlite3 user sees it: expected values are hand counts
// over the small trace built below, checked with SQL through the SQLite C
// API, not through readStore.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "base/version.h"
#include "store/schema.h"
#include "store/store.h"
#include "store_test_util.h"

namespace gpuscope::store {
namespace {

using testing::makeSmallTrace;
using testing::queryInt;
using testing::queryText;
using testing::ScratchDir;

class StoreSqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("small.gpuscope");
    ASSERT_TRUE(writeStore(makeSmallTrace(), path_, false).ok());
  }
  ScratchDir dir_;
  std::string path_;
};

TEST_F(StoreSqlTest, MetaHoldsVersionProducerAndSource) {
  EXPECT_EQ(queryText(path_, "SELECT value FROM meta WHERE key='schema_version'"),
            std::to_string(kSchemaVersion));
  EXPECT_EQ(queryText(path_, "SELECT value FROM meta WHERE key='producer'"),
            std::string("gpuscope ") + kVersion);
  EXPECT_EQ(queryText(path_, "SELECT value FROM meta WHERE key='source_format'"), "nsys_sqlite");
  EXPECT_EQ(queryText(path_, "SELECT value FROM meta WHERE key='time_base_ns'"),
            "1700000000000000000");
}

TEST_F(StoreSqlTest, PageSizeFollowsTheTraceSize) {
  // Every table and index takes a page at least: 4 KB pages for small traces
  // (18 tables with their views and column chunks: 40 pages here; with 16 KB
  // pages the same file would be four times that).
  EXPECT_EQ(queryInt(path_, "PRAGMA page_size"), 4096);
  EXPECT_LT(std::filesystem::file_size(path_), 192u * 1024);
  // Just at the threshold (rows of all tables together): 16 KB pages.
  model::Trace big = testing::makeFullTrace(1);
  size_t rows = 0;
  big.forEachTable([&](const auto& t) { rows += t.size(); });
  for (size_t i = rows; i < kSmallTraceRows; ++i) big.kernels.push(big.kernels.row(0));
  const std::string path = dir_.file("threshold.gpuscope");
  ASSERT_TRUE(writeStore(big, path, false).ok());
  EXPECT_EQ(queryInt(path, "PRAGMA page_size"), 16384);
}

TEST_F(StoreSqlTest, DurationsAndNullsCountAsByHand) {
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM kernels WHERE end-start > 1000"), 2);
  EXPECT_EQ(queryInt(path_, "SELECT sum(end-start) FROM kernels"), 5700);
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM kernels WHERE graph_id IS NULL"), 4);
  EXPECT_EQ(queryInt(path_, "SELECT graph_id FROM kernels WHERE graph_id IS NOT NULL"), 5);
  // Columns never set are unknown, i.e. NULL, not the C++ sentinel value.
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM kernels WHERE grid_x IS NULL"), 5);
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM nvtx WHERE \"end\" IS NULL"), 1);
}

TEST_F(StoreSqlTest, NamedViewsShowText) {
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM kernels_named WHERE name = 'gemm</script>'"), 2);
  EXPECT_EQ(queryText(path_, "SELECT name FROM kernels_named WHERE start = 6000"), "softmax \"q\"");
  EXPECT_EQ(queryText(path_, "SELECT short_name FROM kernels_named WHERE start = 2000"), "relu");
  // The raw table holds the id, and strings maps it back.
  EXPECT_EQ(queryText(path_,
                      "SELECT s.value FROM kernels k JOIN strings s ON s.id = k.name "
                      "WHERE k.start = 5000"),
            "gemm</script>");
  EXPECT_EQ(queryText(path_, "SELECT value FROM strings WHERE id = 0"), "");
  // Top kernel by total time: softmax 3000 > relu 2100 > gemm 600.
  EXPECT_EQ(queryText(path_,
                      "SELECT name FROM kernels_named GROUP BY name "
                      "ORDER BY sum(end-start) DESC LIMIT 1"),
            "softmax \"q\"");
}

TEST_F(StoreSqlTest, LaunchJoinNeedsPidAndCorrelation) {
  // Correlation ids repeat across processes: pid 200 also has id 1.
  EXPECT_EQ(queryInt(path_,
                     "SELECT count(*) FROM api_calls a JOIN kernels k "
                     "ON k.pid = a.pid AND k.correlation_id = a.correlation_id"),
            5);
  EXPECT_EQ(queryInt(path_,
                     "SELECT sum(k.start - a.start) FROM api_calls a JOIN kernels k "
                     "ON k.pid = a.pid AND k.correlation_id = a.correlation_id"),
            500);
  EXPECT_EQ(queryInt(path_,
                     "SELECT count(*) FROM api_calls a JOIN kernels k "
                     "ON k.correlation_id = a.correlation_id"),
            7);
}

TEST_F(StoreSqlTest, KernelsInsideNvtxRangeAndMemcpyKinds) {
  EXPECT_EQ(queryInt(path_,
                     "SELECT count(*) FROM nvtx_named n JOIN kernels k ON k.pid = n.pid "
                     "AND k.start >= n.start AND k.end <= n.end WHERE n.text = 'step 1'"),
            3);
  EXPECT_EQ(queryInt(path_, "SELECT bytes FROM memcpys WHERE copy_kind = 1"), 1 << 20);
  EXPECT_EQ(queryInt(path_, "SELECT end-start FROM memcpys WHERE copy_kind = 2"), 500);
}

TEST_F(StoreSqlTest, DiagnosticsTable) {
  EXPECT_EQ(
      queryText(path_, "SELECT severity FROM diagnostics WHERE name='kernel_end_before_start'"),
      "data_loss");
  EXPECT_EQ(queryInt(path_, "SELECT count FROM diagnostics WHERE name='kernel_end_before_start'"),
            2);
  EXPECT_EQ(queryText(path_, "SELECT first_position FROM diagnostics"),
            "row 3 of CUPTI_ACTIVITY_KIND_KERNEL");
}

TEST_F(StoreSqlTest, JoinIndexesExist) {
  for (const char* index : {"kernels_pid_correlation", "api_calls_pid_correlation"}) {
    EXPECT_EQ(queryInt(path_, std::string("SELECT count(*) FROM sqlite_master WHERE type='index' "
                                          "AND name='") +
                                  index + "'"),
              1)
        << index;
  }
}

// Every model table exists with exactly its declared columns, in order.
template <typename Table>
void expectTableMatchesModel(const std::string& path) {
  const auto& columns = columnsOf<Table>();
  ASSERT_EQ(queryInt(path, std::string("SELECT count(*) FROM pragma_table_info('") +
                               Table::kSqlName + "')"),
            static_cast<int64_t>(columns.size()))
      << Table::kSqlName;
  for (size_t i = 0; i < columns.size(); ++i) {
    EXPECT_EQ(queryText(path, std::string("SELECT name FROM pragma_table_info('") +
                                  Table::kSqlName + "') WHERE cid = " + std::to_string(i)),
              columns[i].name)
        << Table::kSqlName;
  }
}

TEST_F(StoreSqlTest, EveryModelTableHasItsColumns) {
  model::Trace t;
  size_t tables = 0;
  t.forEachTable([&](const auto& table) {
    expectTableMatchesModel<std::decay_t<decltype(table)>>(path_);
    ++tables;
  });
  EXPECT_GE(tables, 16u);
  // Plus meta, strings, diagnostics and the column cache.
  EXPECT_EQ(queryInt(path_, "SELECT count(*) FROM sqlite_master WHERE type='table'"),
            static_cast<int64_t>(tables) + 4);
}

}  // namespace
}  // namespace gpuscope::store
