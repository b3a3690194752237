// Files on disk: atomic output, refusal to overwrite, gzip, and no partial
// output when a write fails (a full disk is simulated with RLIMIT_FSIZE).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "base/gzip.h"
#include "export/chrome_trace.h"
#include "export/csv_tables.h"
#include "unit/export/sample_trace.h"

namespace gpuscope::exporters {
namespace {

namespace fs = std::filesystem;

class ExportFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gpuscope_export_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // A trace large enough to pass any small file-size limit.
  static model::Trace bigTrace() {
    model::Trace t;
    for (int i = 0; i < 20000; ++i) {
      t.kernels.push(testing::kernel(t, i * 100, i * 100 + 50, 0, 7, i, "kernel_with_a_long_name"));
    }
    return t;
  }
  // Runs f with writes beyond `bytes` failing (EFBIG), as on a full disk.
  template <typename F>
  static void withFileSizeLimit(rlim_t bytes, F&& f) {
    struct rlimit old {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = old;
    lim.rlim_cur = bytes;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &lim), 0);
    f();
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);
  }
  fs::path dir_;
};

TEST_F(ExportFiles, ChromeRefusesExistingOutputUnlessForced) {
  fs::path out = dir_ / "trace.json";
  { std::ofstream(out) << "keep me"; }
  auto r = exportChromeTrace(testing::sampleTrace(), out, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(r.status().message().find(out.string()), std::string::npos);
  EXPECT_EQ(slurp(out), "keep me");
  EXPECT_EQ(listing(), std::vector<std::string>{"trace.json"});
  ASSERT_TRUE(exportChromeTrace(testing::sampleTrace(), out, true).ok());
  EXPECT_NO_THROW(nlohmann::json::parse(slurp(out)));
  EXPECT_EQ(listing(), std::vector<std::string>{"trace.json"});
}

TEST_F(ExportFiles, GzipOutputInflatesToThePlainText) {
  fs::path plain = dir_ / "t.json", packed = dir_ / "t.json.gz";
  ASSERT_TRUE(exportChromeTrace(testing::sampleTrace(), plain, false).ok());
  ASSERT_TRUE(exportChromeTrace(testing::sampleTrace(), packed, false).ok());
  std::string gz = slurp(packed);
  ASSERT_TRUE(isGzip(gz));
  auto inflated = gunzip(gz, packed);
  ASSERT_TRUE(inflated.ok()) << inflated.status().message();
  EXPECT_EQ(*inflated, slurp(plain));
}

TEST_F(ExportFiles, ChromeWriteFailureLeavesNothing) {
  fs::path out = dir_ / "trace.json";
  model::Trace t = bigTrace();
  withFileSizeLimit(64 * 1024, [&] {
    auto r = exportChromeTrace(t, out, false);
    EXPECT_FALSE(r.ok());
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("trace.json"), std::string::npos);
    }
  });
  EXPECT_TRUE(listing().empty());
}

TEST_F(ExportFiles, CsvWriteFailureLeavesNothing) {
  fs::path out = dir_ / "tables";
  model::Trace t = bigTrace();
  withFileSizeLimit(64 * 1024, [&] {
    auto r = exportCsvTables(t, out, {});
    EXPECT_FALSE(r.ok());
  });
  EXPECT_TRUE(listing().empty());
}

TEST_F(ExportFiles, CsvRefusesNonEmptyDirectoryAndFiles) {
  fs::path out = dir_ / "tables";
  fs::create_directories(out);
  { std::ofstream(out / "kernels.csv") << "old"; }
  auto r = exportCsvTables(testing::sampleTrace(), out, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(slurp(out / "kernels.csv"), "old");
  EXPECT_EQ(listing(), std::vector<std::string>{"tables"});

  // --force replaces a directory of .csv files...
  CsvExportOptions force;
  force.force = true;
  ASSERT_TRUE(exportCsvTables(testing::sampleTrace(), out, force).ok());
  EXPECT_NE(slurp(out / "kernels.csv"), "old");
  EXPECT_EQ(listing(), std::vector<std::string>{"tables"});

  // ...but not one holding anything else.
  { std::ofstream(out / "notes.txt") << "precious"; }
  r = exportCsvTables(testing::sampleTrace(), out, force);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(slurp(out / "notes.txt"), "precious");

  // A file where the directory should go.
  { std::ofstream(dir_ / "afile") << "x"; }
  r = exportCsvTables(testing::sampleTrace(), dir_ / "afile", force);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(slurp(dir_ / "afile"), "x");
  EXPECT_EQ(listing(), (std::vector<std::string>{"afile", "tables"}));
}

TEST_F(ExportFiles, CsvUnknownTableCreatesNothing) {
  CsvExportOptions o;
  o.tables = {"kernels", "no_such_table"};
  auto r = exportCsvTables(testing::sampleTrace(), dir_ / "tables", o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no_such_table"), std::string::npos);
  EXPECT_TRUE(listing().empty());
}

TEST_F(ExportFiles, CsvIntoMissingParentFails) {
  auto r = exportCsvTables(testing::sampleTrace(), dir_ / "missing" / "tables", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput);
  EXPECT_TRUE(listing().empty());
}

}  // namespace
}  // namespace gpuscope::exporters
