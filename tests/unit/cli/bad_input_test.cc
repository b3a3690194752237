// Every malformed input, for every command that reads a trace: exit code 2,
// one error line naming the file, and no output file left behind.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "fixtures/nsys_fixture.h"

namespace gpuscope::testing {
namespace {

struct BadInput {
  std::string name;
  // Makes the input inside `dir` and returns its path.
  std::string (*make)(const TempDir& dir);
};

std::string makeEmpty(const TempDir& d) {
  writeAll(d.file("empty.json"), "");
  return d.file("empty.json");
}
std::string makeDirectory(const TempDir& d) {
  std::filesystem::create_directory(d.file("a_directory"));
  return d.file("a_directory");
}
std::string makeMissing(const TempDir& d) { return d.file("does_not_exist.json"); }
std::string makeNotDir(const TempDir& d) {
  writeAll(d.file("plain"), "x");
  return d.file("plain") + "/child.json";  // a path through a file: unreadable
}
std::string makeTruncatedJson(const TempDir& d) {
  writeAll(d.file("t.json"), R"({"traceEvents": [{"ph": "X", "cat": "kernel", "name": "k", "ts": 1)");
  return d.file("t.json");
}
std::string makeInvalidJson(const TempDir& d) {
  writeAll(d.file("bad.json"), R"({"traceEvents": [ {"ph": "X",, } ]})");
  return d.file("bad.json");
}
std::string makeNonTraceJson(const TempDir& d) {
  writeAll(d.file("config.json"), R"({"hello": "world", "list": [1, 2, 3]})");
  return d.file("config.json");
}
std::string makeNumberArray(const TempDir& d) {
  writeAll(d.file("numbers.json"), "[1, 2, 3]");
  return d.file("numbers.json");
}
std::string makeBinary(const TempDir& d) {
  std::string bytes;
  for (int i = 0; i < 4096; ++i) bytes.push_back(static_cast<char>((i * 7919) % 251 + 3));
  writeAll(d.file("noise.bin"), bytes);
  return d.file("noise.bin");
}
std::string makeTruncatedGzip(const TempDir& d) {
  std::string gz = readAll(examplePath("resnet18_fp16_b8.pt.trace.json.gz"));
  writeAll(d.file("cut.json.gz"), gz.substr(0, gz.size() / 2));
  return d.file("cut.json.gz");
}
std::string makeFakeSqlite(const TempDir& d) {
  std::string bytes("SQLite format 3\0", 16);
  bytes += std::string(4080, '\x5a');
  writeAll(d.file("fake.sqlite"), bytes);
  return d.file("fake.sqlite");
}
std::string makeForeignSqlite(const TempDir& d) {
  sqlite3* db = nullptr;
  sqlite3_open(d.file("other.db").c_str(), &db);
  sqlite3_exec(db, "CREATE TABLE customers(id INTEGER, name TEXT); INSERT INTO customers VALUES (1,'a')",
               nullptr, nullptr, nullptr);
  sqlite3_close(db);
  return d.file("other.db");
}
std::string makeTruncatedNsys(const TempDir& d) {
  NsysFixtureOptions o;
  o.kernels = 400;
  EXPECT_TRUE(writeNsysFixture(d.file("full.sqlite"), o).ok());
  std::string bytes = readAll(d.file("full.sqlite"));
  std::filesystem::remove(d.file("full.sqlite"));
  writeAll(d.file("cut.sqlite"), bytes.substr(0, bytes.size() / 2));
  return d.file("cut.sqlite");
}
std::string makeStore(const TempDir& d, const std::string& name) {
  CliResult r = runGpuscope({"import", "-q", examplePath("bert_small_fp16.pt.trace.json.gz"), "-o",
                             d.file(name)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return d.file(name);
}
std::string makeTruncatedStore(const TempDir& d) {
  std::string path = makeStore(d, "whole.gpuscope");
  std::string bytes = readAll(path);
  std::filesystem::remove(path);
  writeAll(d.file("cut.gpuscope"), bytes.substr(0, bytes.size() / 2));
  return d.file("cut.gpuscope");
}
std::string makeNewerStore(const TempDir& d) {
  std::string path = makeStore(d, "future.gpuscope");
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "UPDATE meta SET value = '999' WHERE key = 'schema_version'", nullptr, nullptr,
               nullptr);
  sqlite3_close(db);
  return path;
}

const std::vector<BadInput>& badInputs() {
  static const std::vector<BadInput> kInputs = {
      {"empty", makeEmpty},
      {"directory", makeDirectory},
      {"missing", makeMissing},
      {"path_through_file", makeNotDir},
      {"truncated_json", makeTruncatedJson},
      {"invalid_json", makeInvalidJson},
      {"non_trace_json", makeNonTraceJson},
      {"number_array", makeNumberArray},
      {"binary_noise", makeBinary},
      {"truncated_gzip", makeTruncatedGzip},
      {"fake_sqlite", makeFakeSqlite},
      {"foreign_sqlite", makeForeignSqlite},
      {"truncated_nsys", makeTruncatedNsys},
      {"truncated_store", makeTruncatedStore},
      {"newer_store_schema", makeNewerStore},
  };
  return kInputs;
}

// Each command that reads a trace, with its output inside `dir`.
std::vector<std::vector<std::string>> commandsFor(const std::string& input, const TempDir& out) {
  return {
      {"import", input, "-o", out.file("out.gpuscope")},
      {"stats", input},
      {"stats", input, "-o", out.file("report")},
      {"export", "--type", "chrome", input, "-o", out.file("out.json")},
      {"export", "--type", "csv", input, "-o", out.file("csv_dir")},
      {"analyze", input},
      {"report", input, "-o", out.file("report.html")},
  };
}

class BadInputTest : public ::testing::TestWithParam<size_t> {};

TEST_P(BadInputTest, ExitsTwoWithOneLineNamingTheFileAndWritesNothing) {
  const BadInput& bad = badInputs()[GetParam()];
  TempDir in;
  std::string input = bad.make(in);
  const size_t kCommands = commandsFor(input, in).size();
  for (size_t i = 0; i < kCommands; ++i) {
    TempDir out;
    std::vector<std::string> real = commandsFor(input, out)[i];
    CliResult r = runGpuscope(real);
    std::string cmd = real[0] + " " + (real.size() > 1 ? real[1] : "");
    EXPECT_EQ(r.exit_code, 2) << bad.name << ": " << cmd << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("gpuscope: error: ", 0), 0u) << bad.name << ": " << cmd << "\n" << r.err;
    EXPECT_NE(r.err.find(input), std::string::npos) << bad.name << ": error must name the file\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << bad.name << ": one line\n" << r.err;
    EXPECT_TRUE(out.list().empty()) << bad.name << ": " << cmd << " left " << out.list().front();
  }
}

INSTANTIATE_TEST_SUITE_P(AllInputs, BadInputTest, ::testing::Range<size_t>(0, 15),
                         [](const ::testing::TestParamInfo<size_t>& p) {
                           return badInputs()[p.param].name;
                         });

TEST(BadInputTest, ListCoversEveryCase) { EXPECT_EQ(badInputs().size(), 15u); }

}  // namespace
}  // namespace gpuscope::testing
