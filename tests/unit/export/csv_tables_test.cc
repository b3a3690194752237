// CSV tables: written to a directory, read back with an RFC 4180 reader
// written here, and compared with the model values.
#include "export/csv_tables.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "unit/export/sample_trace.h"

namespace gpuscope::exporters {
namespace {

namespace fs = std::filesystem;
using Records = std::vector<std::vector<std::string>>;

// RFC 4180: fields separated by commas, records by newlines; a quoted field
// may hold commas, newlines and doubled quotes.
Records parseCsv(const std::string& text) {
  Records out;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      record.push_back(std::move(field));
      field.clear();
      out.push_back(std::move(record));
      record.clear();
    } else {
      field.push_back(c);
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quote";
  EXPECT_TRUE(field.empty() && record.empty()) << "last record has no newline";
  return out;
}

class CsvTables : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("gpuscope_csv_test_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  Records read(const std::string& table) const {
    std::ifstream in(root_ / "out" / (table + ".csv"), std::ios::binary);
    return parseCsv(std::string(std::istreambuf_iterator<char>(in), {}));
  }
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(root_ / "out")) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
  fs::path root_;
};

TEST_F(CsvTables, OneFilePerNonEmptyTable) {
  model::Trace t = testing::sampleTrace();
  auto r = exportCsvTables(t, root_ / "out", {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  // sample_trace.h fills these tables and leaves contexts, streams,
  // memsets, graph_launches and graph_nodes empty.
  EXPECT_EQ(files(), (std::vector<std::string>{
                         "api_calls.csv", "cpu_ops.csv", "devices.csv", "gpu_annotations.csv",
                         "kernels.csv", "memcpys.csv", "nvtx.csv", "os_runtime.csv",
                         "processes.csv", "syncs.csv", "threads.csv"}));
  size_t kernels = 0;
  for (const auto& w : *r) {
    if (w.table == "kernels") kernels = w.rows;
  }
  EXPECT_EQ(kernels, 11u);
}

TEST_F(CsvTables, ValuesReadBackAsInTheModel) {
  model::Trace t = testing::sampleTrace();
  ASSERT_TRUE(exportCsvTables(t, root_ / "out", {}).ok());
  Records api = read("api_calls");
  // Header in the order of GS_API_COLUMNS (model/tables.h).
  ASSERT_FALSE(api.empty());
  EXPECT_EQ(api[0], (std::vector<std::string>{"start", "end", "pid", "tid", "correlation_id", "name",
                                              "api_kind", "return_code", "external_id"}));
  ASSERT_EQ(api.size(), 1 + 5u);
  // Sorted by start: cudaLaunchKernel [2100, 2300] comes first; its
  // external_id is NULL, written as an empty field.
  EXPECT_EQ(api[1], (std::vector<std::string>{"2100", "2300", "100", "100", "1", "cudaLaunchKernel",
                                              "0", "0", ""}));
  EXPECT_EQ(api[5][5], "cudaGetDevice");

  // Every kernel name comes back byte for byte, whatever it holds.
  Records k = read("kernels");
  ASSERT_EQ(k.size(), 1 + t.kernels.size());
  size_t name_col = std::find(k[0].begin(), k[0].end(), "name") - k[0].begin();
  size_t start_col = std::find(k[0].begin(), k[0].end(), "start") - k[0].begin();
  size_t grid_col = std::find(k[0].begin(), k[0].end(), "grid_x") - k[0].begin();
  ASSERT_LT(name_col, k[0].size());
  for (size_t i = 0; i < t.kernels.size(); ++i) {
    EXPECT_EQ(k[i + 1].size(), k[0].size());
    EXPECT_EQ(k[i + 1][name_col], t.str(t.kernels.name[i]));
    EXPECT_EQ(k[i + 1][start_col], std::to_string(t.kernels.start[i]));
    EXPECT_EQ(k[i + 1][grid_col], "128");
  }
}

TEST_F(CsvTables, QuotingFollowsRfc4180) {
  std::string out;
  appendCsvField(out, "plain");
  out.push_back('|');
  appendCsvField(out, "a,b");
  out.push_back('|');
  appendCsvField(out, "say \"hi\"");
  out.push_back('|');
  appendCsvField(out, "two\nlines");
  out.push_back('|');
  appendCsvField(out, "cr\r");
  EXPECT_EQ(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|\"cr\r\"");

  model::Trace t;
  testing::ProcessRow p;
  p.pid = 1;
  p.name = t.strings.intern("python -c \"print(1, 2)\"\nnext");
  t.processes.push(p);
  ASSERT_TRUE(exportCsvTables(t, root_ / "out", {}).ok());
  Records r = read("processes");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1], (std::vector<std::string>{"1", "python -c \"print(1, 2)\"\nnext"}));
}

TEST_F(CsvTables, TableFilter) {
  CsvExportOptions o;
  o.tables = {"kernels", "api_calls", "memsets"};  // memsets is empty: no file
  ASSERT_TRUE(exportCsvTables(testing::sampleTrace(), root_ / "out", o).ok());
  EXPECT_EQ(files(), (std::vector<std::string>{"api_calls.csv", "kernels.csv"}));
}

TEST_F(CsvTables, TableNamesAreTheSchemaNames) {
  std::vector<std::string> names = csvTableNames();
  // One per model table, in schema order (src/model/tables.h, Trace::forEachTable).
  EXPECT_EQ(names.size(), 18u);
  EXPECT_EQ(names.front(), "processes");
  EXPECT_EQ(names.back(), "kernel_rules");
  EXPECT_TRUE(validateCsvTables({"kernels", "nvtx", "gpu_annotations"}).ok());
  EXPECT_FALSE(validateCsvTables({"kernel"}).ok());
}

}  // namespace
}  // namespace gpuscope::exporters
